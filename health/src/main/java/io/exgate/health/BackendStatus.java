package io.exgate.health;

import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One backend × virtual directory as {@code GET /api/backends} shows it, with the counters metrics
 * read.
 *
 * @param state                 what the router does with it now
 * @param since                 when it entered that state
 * @param why                   the reason of the last change
 * @param lastProbe             the newest probe result, or null before the first probe
 * @param lastProbeAt           when that probe finished, or null
 * @param consecutiveSuccesses  probes passed in a row
 * @param consecutiveFailures   probes failed in a row
 * @param passiveFailures       requests failed in a row, as reported by the proxy
 * @param probes                probes run so far
 * @param failedProbes          of those, failed
 * @param ejections             times ejected for failed requests
 * @param stateChanges          state changes so far
 * @param serverNameMismatch    set when the healthy body names a server other than the configured one
 */
public record BackendStatus(
        Backend backend,
        VirtualDirectory vdir,
        BackendState state,
        Instant since,
        String why,
        ProbeResult lastProbe,
        Instant lastProbeAt,
        int consecutiveSuccesses,
        int consecutiveFailures,
        int passiveFailures,
        long probes,
        long failedProbes,
        long ejections,
        long stateChanges,
        String serverNameMismatch) {

    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("backend", backend.name())
                .put("url", backend.url())
                .put("vdir", vdir.path())
                .put("state", state.label())
                .put("available", state.available())
                .put("acceptsNewSessions", state.acceptsNewSessions())
                .put("since", since.toString())
                .put("why", why)
                .put("consecutiveSuccesses", consecutiveSuccesses)
                .put("consecutiveFailures", consecutiveFailures)
                .put("passiveFailures", passiveFailures)
                .put("probes", probes)
                .put("failedProbes", failedProbes)
                .put("ejections", ejections)
                .put("stateChanges", stateChanges);
        if (lastProbe != null) {
            json.put("lastProbe", lastProbe.toJson().put("at", lastProbeAt.toString()));
        }
        if (serverNameMismatch != null) {
            json.put("serverNameMismatch", serverNameMismatch);
        }
        return json;
    }
}
