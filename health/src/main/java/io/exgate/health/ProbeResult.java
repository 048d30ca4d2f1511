package io.exgate.health;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The outcome of one probe. A failed probe is a value too: a hang, a reset or a name that does not
 * resolve each end here with a reason, never as an exception.
 *
 * @param healthy    status and body were what the {@link ProbeSpec} expects
 * @param status     the HTTP status, or -1 when no response arrived
 * @param firstBytes the start of the body, printable characters only, at most 80
 * @param latency    from sending the probe to its outcome
 * @param serverName the server the body names after {@code 200 OK<br/>}, or null
 * @param failure    why the probe failed, or null when it is healthy
 */
public record ProbeResult(boolean healthy, int status, String firstBytes, Duration latency, String serverName,
        String failure) {

    static ProbeResult failed(String failure, Duration latency) {
        return new ProbeResult(false, -1, "", latency, null, failure);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("healthy", healthy)
                .put("status", status)
                .put("firstBytes", firstBytes)
                .put("latencyMs", latency.toMillis())
                .put("server", serverName)
                .put("failure", failure);
    }
}
