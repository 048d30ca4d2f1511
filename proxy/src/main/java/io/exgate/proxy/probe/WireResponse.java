package io.exgate.proxy.probe;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP answer as read from the wire.
 *
 * @param headers   every header line in order, repeated names kept (WWW-Authenticate comes once per scheme)
 * @param bodyStart the first bytes of the body, one char per byte
 * @param millis    from the request's first byte written to the last byte read
 */
record WireResponse(int status, String reason, List<Map.Entry<String, String>> headers, String bodyStart, long millis) {
    List<String> headers(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    Optional<String> header(String name) {
        return headers(name).stream().findFirst();
    }
}
