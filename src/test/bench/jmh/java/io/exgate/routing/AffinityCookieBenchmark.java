package io.exgate.routing;

import io.exgate.bench.PerRequestBenchmark;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * The affinity cookie's per-request work in MailboxRouter: its name for the key (every keyed
 * request), verifying a returned cookie (every request of a placed session) and signing a new one
 * (every placement). Keys are MAPI MailboxIds; there are 10 backends.
 */
public class AffinityCookieBenchmark extends PerRequestBenchmark {
    private AffinityCookie cookies;
    private RoutingKey[] keys;
    private String[] names;
    private String[] backends;
    private String[] values;
    private String[] forged;
    private int i;

    @Setup
    public void setUp() {
        cookies = new AffinityCookie("bench-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        Random rnd = new Random(8);
        int n = ExchangeTraffic.POOL;
        keys = new RoutingKey[n];
        names = new String[n];
        backends = new String[n];
        values = new String[n];
        forged = new String[n];
        for (int k = 0; k < n; k++) {
            keys[k] = new RoutingKey(RoutingKey.Kind.MAILBOX_ID, ExchangeTraffic.guid(rnd) + "@contoso.com");
            names[k] = AffinityCookie.nameFor(keys[k]);
            backends[k] = String.format("mbx%02d", 1 + k % 10);
            values[k] = cookies.value(names[k], backends[k]);
            // Same length and backend, wrong signature: verification does all its work, then refuses.
            forged[k] = backends[k] + ".AAAAAAAAAAAAAAAAAAAAAA";
        }
    }

    @Benchmark
    public String nameFor() {
        i = ExchangeTraffic.next(i);
        return AffinityCookie.nameFor(keys[i]);
    }

    @Benchmark
    public String sign() {
        i = ExchangeTraffic.next(i);
        return cookies.value(names[i], backends[i]);
    }

    @Benchmark
    public Optional<String> verify() {
        i = ExchangeTraffic.next(i);
        return cookies.verify(names[i], values[i]);
    }

    @Benchmark
    public Optional<String> verifyForged() {
        i = ExchangeTraffic.next(i);
        return cookies.verify(names[i], forged[i]);
    }
}
