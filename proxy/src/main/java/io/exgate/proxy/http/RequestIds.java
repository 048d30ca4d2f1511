package io.exgate.proxy.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Every request gets an id; one that came in is kept so that a chain of proxies shares it. */
final class RequestIds {
    static final String HEADER = "X-Request-Id";

    private RequestIds() {
    }

    static String of(String incoming) {
        if (incoming != null && incoming.length() <= 128 && incoming.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return incoming;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        // A random (version 4) UUID without SecureRandom's lock: ids need uniqueness, not secrecy.
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
