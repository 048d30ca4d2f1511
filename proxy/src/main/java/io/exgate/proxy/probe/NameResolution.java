package io.exgate.proxy.probe;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The DNS step: the system resolver, bounded by the step timeout (InetAddress has none of its own). */
final class NameResolution {
    private NameResolution() {
    }

    static DnsResult resolve(Target target, AddressOverride override, Duration timeout) {
        if (override != null && override.appliesTo(target)) {
            return new DnsResult(target.host(), List.of(override.address()), true, 0, null);
        }
        long start = System.nanoTime();
        FutureTask<InetAddress[]> lookup = new FutureTask<>(() -> InetAddress.getAllByName(target.host()));
        Thread thread = new Thread(lookup, "exgate-probe-dns");
        thread.setDaemon(true); // a resolver stuck past the timeout must not keep the process alive
        thread.start();
        try {
            InetAddress[] found = lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new DnsResult(target.host(), List.of(found), false, Elapsed.millisSince(start), null);
        } catch (TimeoutException e) {
            lookup.cancel(true);
            return new DnsResult(target.host(), List.of(), false, Elapsed.millisSince(start),
                    "no answer within " + Elapsed.text(timeout));
        } catch (ExecutionException e) {
            return new DnsResult(target.host(), List.of(), false, Elapsed.millisSince(start), FailureText.of(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DnsResult(target.host(), List.of(), false, Elapsed.millisSince(start), "interrupted");
        }
    }
}
