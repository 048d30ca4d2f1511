package io.exgate.proxy.cli;

import io.exgate.proxy.Exgate;
import io.vertx.core.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Starts exgate, then stops it gracefully on SIGTERM or SIGINT and exits 0. */
final class Runner {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

    private Runner() {
    }

    static int runUntilStopped(Supplier<Future<Exgate>> starter, long graceMillis) {
        Exgate exgate;
        try {
            exgate = starter.get().await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("exgate cannot start: {}", message);
            System.err.println("exgate: cannot start: " + message);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stop = () -> {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            try {
                exgate.stop().await(graceMillis + 10_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("graceful stop did not complete: {}", e.toString());
            }
            stopped.countDown();
        };
        // A signal handler rather than only a shutdown hook: the drain runs first and the exit code is 0.
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> {
                LOG.info("received SIG{}", sig.getName());
                new Thread(stop, "exgate-stop").start();
            });
        }
        // SIGHUP reloads the configuration and the certificates, as systemd's ExecReload and most daemons expect.
        Signal.handle(new Signal("HUP"), sig -> {
            LOG.info("received SIGHUP: reloading the configuration and the TLS certificates");
            exgate.reload("SIGHUP").eventually(() -> exgate.reloadTls("SIGHUP"));
        });
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
