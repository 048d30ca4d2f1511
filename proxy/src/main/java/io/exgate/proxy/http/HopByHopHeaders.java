package io.exgate.proxy.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies end-to-end headers only. Hop-by-hop headers (RFC 9110 section 7.6.1) and every header a
 * {@code Connection} header names belong to one connection and must not cross the proxy.
 *
 * <p>Runs twice per request: names are compared with {@code equalsIgnoreCase} (which checks the
 * length first) rather than lower-cased into a set, so that copying allocates nothing but the copies.
 */
final class HopByHopHeaders {
    private static final String[] ALWAYS = {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade"};

    /** The same names with their hash computed once, for removal from a map. */
    private static final CharSequence[] ALWAYS_OPTIMIZED = java.util.Arrays.stream(ALWAYS)
            .map(HttpHeaders::createOptimized).toArray(CharSequence[]::new);

    private HopByHopHeaders() {
    }

    /**
     * Removes hop-by-hop headers, those a {@code Connection} header names, and {@code skip} from
     * {@code headers} itself: the HTTP/1.x engine forwards the map it decoded instead of copying it.
     */
    static void strip(MultiMap headers, CharSequence[] skip) {
        List<String> named = connectionTokens(headers);
        for (CharSequence name : ALWAYS_OPTIMIZED) {
            headers.remove(name);
        }
        for (int i = 0; i < named.size(); i++) {
            headers.remove(named.get(i));
        }
        for (CharSequence name : skip) {
            headers.remove(name);
        }
    }

    /** Copies {@code from} into {@code to}, leaving out hop-by-hop headers and those in {@code skip} (any case). */
    static void copyEndToEnd(MultiMap from, MultiMap to, List<String> skip) {
        List<String> named = connectionTokens(from);
        // forEach, not an iterator: Vert.x's header iterator wraps every entry in an object of its own.
        from.forEach((name, value) -> {
            if (!in(ALWAYS, name) && !in(named, name) && !in(skip, name)) {
                to.add(name, value);
            }
        });
    }

    private static boolean in(String[] names, String name) {
        for (String n : names) {
            if (n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean in(List<String> names, String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The header names the Connection header lists, other than the ones always dropped. */
    private static List<String> connectionTokens(MultiMap headers) {
        if (headers.get(HttpHeaders.CONNECTION) == null) {
            // The usual request: nothing to collect. get() allocates nothing; getAll() a list even when empty.
            return List.of();
        }
        List<String> values = headers.getAll(HttpHeaders.CONNECTION);
        List<String> tokens = null;
        for (String value : values) {
            // "keep-alive" or "close" as a rule: one token, no split.
            for (int start = 0, comma; start <= value.length(); start = comma + 1) {
                comma = value.indexOf(',', start);
                if (comma < 0) {
                    comma = value.length();
                }
                String t = value.substring(start, comma).trim();
                if (!t.isEmpty() && !in(ALWAYS, t)) {
                    if (tokens == null) {
                        tokens = new ArrayList<>(2);
                    }
                    tokens.add(t);
                }
            }
        }
        return tokens == null ? List.of() : tokens;
    }
}
