package io.exgate.proxy.http;

import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Copies end-to-end headers only. Hop-by-hop headers (RFC 9110 section 7.6.1) and every header a
 * {@code Connection} header names belong to one connection and must not cross the proxy.
 */
final class HopByHopHeaders {
    private static final Set<String> ALWAYS = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHopHeaders() {
    }

    /** Copies {@code from} into {@code to}, leaving out hop-by-hop headers and those in {@code skip}. */
    static void copyEndToEnd(MultiMap from, MultiMap to, Set<String> skip) {
        Set<String> named = connectionTokens(from);
        for (Map.Entry<String, String> e : from) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!ALWAYS.contains(name) && !named.contains(name) && !skip.contains(name)) {
                to.add(e.getKey(), e.getValue());
            }
        }
    }

    private static Set<String> connectionTokens(MultiMap headers) {
        if (!headers.contains("Connection")) {
            return Set.of(); // The usual case: nothing to collect, nothing to allocate.
        }
        Set<String> tokens = new HashSet<>();
        for (String value : headers.getAll("Connection")) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
        }
        return tokens;
    }
}
