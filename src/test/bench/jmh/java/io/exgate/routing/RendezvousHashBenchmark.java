package io.exgate.routing;

import io.exgate.bench.PerRequestBenchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Weighted rendezvous hashing of a MailboxId over 3, 10 and 50 backends, every third of weight 2 (a
 * site adding bigger servers). {@code rank} is what MailboxRouter calls for every keyed request (the
 * whole preference order, for fallbacks); {@code pickBest} only finds the first choice with the same
 * scores, to show what the ordering itself costs.
 */
public class RendezvousHashBenchmark extends PerRequestBenchmark {
    @Param({"3", "10", "50"})
    public int backends;

    private List<WeightedBackend> pool;
    private String[] keys;
    private int i;

    @Setup
    public void setUp() {
        List<WeightedBackend> b = new ArrayList<>();
        for (int k = 1; k <= backends; k++) {
            String name = String.format("mbx%02d", k);
            b.add(new WeightedBackend(new Backend(name, "https", name + ".corp.contoso.com", 444), k % 3 == 0 ? 2 : 1));
        }
        pool = List.copyOf(b);
        Random rnd = new Random(8);
        keys = new String[ExchangeTraffic.POOL];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = ExchangeTraffic.guid(rnd) + "@contoso.com";
        }
    }

    @Benchmark
    public List<Backend> rank() {
        i = ExchangeTraffic.next(i);
        return RendezvousHash.rank(keys[i], pool);
    }

    /** The highest score alone, ties broken by name as rank breaks them. */
    @Benchmark
    public Backend pickBest() {
        i = ExchangeTraffic.next(i);
        String key = keys[i];
        Backend best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (WeightedBackend wb : pool) {
            double s = RendezvousHash.score(key, wb);
            if (s > bestScore || (s == bestScore && wb.backend().name().compareTo(best.name()) < 0)) {
                best = wb.backend();
                bestScore = s;
            }
        }
        return best;
    }
}
