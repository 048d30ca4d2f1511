package io.exgate.routing;

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
        int n = backends.size();
        // The key's part of the hash is the same for every backend: computed once (this runs per request).
        long keyState = (fnv(OFFSET_BASIS, key) ^ 0xff) * PRIME;
        double[] scores = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            WeightedBackend b = backends.get(i);
            scores[i] = score(finish(fnv(keyState, b.backend().name())), b.weight());
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> {
            int byScore = Double.compare(scores[b], scores[a]);
            return byScore != 0 ? byScore : backends.get(a).backend().name().compareTo(backends.get(b).backend().name());
        });
        Backend[] out = new Backend[n];
        for (int i = 0; i < n; i++) {
            out[i] = backends.get(order[i]).backend();
        }
        return java.util.Arrays.asList(out);
    }

    /** Logarithmic method: weight / -ln(u) with u uniform in (0,1) from the hash. */
    static double score(String key, WeightedBackend b) {
        return score(hash(key, b.backend().name()), b.weight());
    }

    private static double score(long h, int weight) {
        double u = ((h >>> 11) + 0.5) * 0x1.0p-53;
        return weight / -Math.log(u);
    }

    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    /** FNV-1a over key, a separator and the backend name, then MurmurHash3's 64-bit finaliser for avalanche. */
    static long hash(String key, String name) {
        return finish(fnv((fnv(OFFSET_BASIS, key) ^ 0xff) * PRIME, name));
    }

    /** FNV-1a over the UTF-8 bytes of {@code s}, encoded on the fly (as {@code getBytes(UTF_8)} would, without the copy). */
    private static long fnv(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            int c = s.charAt(i);
            if (c < 0x80) {
                h = (h ^ c) * PRIME;
            } else if (c < 0x800) {
                h = (h ^ (0xc0 | (c >> 6))) * PRIME;
                h = (h ^ (0x80 | (c & 0x3f))) * PRIME;
            } else if (Character.isHighSurrogate((char) c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint((char) c, s.charAt(++i));
                h = (h ^ (0xf0 | (cp >> 18))) * PRIME;
                h = (h ^ (0x80 | ((cp >> 12) & 0x3f))) * PRIME;
                h = (h ^ (0x80 | ((cp >> 6) & 0x3f))) * PRIME;
                h = (h ^ (0x80 | (cp & 0x3f))) * PRIME;
            } else if (Character.isSurrogate((char) c)) {
                h = (h ^ '?') * PRIME; // an unpaired surrogate, encoded as getBytes does
            } else {
                h = (h ^ (0xe0 | (c >> 12))) * PRIME;
                h = (h ^ (0x80 | ((c >> 6) & 0x3f))) * PRIME;
                h = (h ^ (0x80 | (c & 0x3f))) * PRIME;
            }
        }
        return h;
    }

    private static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
