package io.exgate.proxy.probe;

import io.exgate.routing.VirtualDirectory;
import java.util.Map;

/**
 * {@code GET /<vdir>/healthcheck.htm}.
 *
 * @param status        0 when no answer came
 * @param bodyStart     the first bytes of the body, printable
 * @param serverName    the name after {@code 200 OK<br/>} in the body, or empty
 * @param serverHeaders X-FEServer, X-BEServer, X-CalculatedBETarget, X-DiagInfo as far as present
 * @param error         why no answer came (reset, timeout, TLS), or null
 */
record HealthcheckResult(VirtualDirectory vdir, String path, int status, String reason, long millis, String bodyStart,
                         String serverName, Map<String, String> serverHeaders, String error) {
    static final String HEALTHY_PREFIX = "200 OK";

    /** As a balancer judges it: a 200 whose body starts with {@code 200 OK}; a 401 wall, a redirect or a reset are down. */
    boolean healthy() {
        return error == null && status == 200 && bodyStart.startsWith(HEALTHY_PREFIX);
    }

    /** Why it is not healthy; empty when it is. */
    String problem() {
        if (error != null) {
            return error;
        }
        if (status != 200) {
            return "answered " + status + (reason.isEmpty() ? "" : " " + reason);
        }
        return healthy() ? "" : "body does not start with '200 OK': '" + Printable.of(bodyStart, 40) + "'";
    }
}
