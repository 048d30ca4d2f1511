package io.exgate.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Weighted rendezvous (highest-random-weight) hashing. Every backend gets a score from the key and
 * its own name alone, so every exgate with the same backends ranks them the same way without talking
 * to the others; removing a backend moves only its keys, adding one takes only its share.
 */
public final class RendezvousHash {
    private RendezvousHash() {
    }

    /** The backends in preference order for the key: the first is the choice, the next its fallback. */
    public static List<Backend> rank(String key, List<WeightedBackend> backends) {
        if (backends.size() == 1) {
            return List.of(backends.get(0).backend()); // runs per request: one backend needs no hashing
        }
        List<Scored> scored = new ArrayList<>(backends.size());
        for (WeightedBackend b : backends) {
            scored.add(new Scored(b.backend(), score(key, b)));
        }
        scored.sort(BEST_FIRST);
        List<Backend> out = new ArrayList<>(scored.size());
        for (Scored s : scored) {
            out.add(s.backend());
        }
        return out;
    }

    private record Scored(Backend backend, double score) {
    }

    private static final Comparator<Scored> BEST_FIRST =
            Comparator.comparingDouble(Scored::score).reversed().thenComparing(s -> s.backend().name());

    /** Logarithmic method: weight / -ln(u) with u uniform in (0,1) from the hash. */
    static double score(String key, WeightedBackend b) {
        long h = hash(key, b.backend().name());
        double u = ((h >>> 11) + 0.5) * 0x1.0p-53;
        return b.weight() / -Math.log(u);
    }

    /** FNV-1a over key, a separator and the backend name, then MurmurHash3's 64-bit finaliser for avalanche. */
    static long hash(String key, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte x : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ 0xff) * 0x100000001b3L;
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
