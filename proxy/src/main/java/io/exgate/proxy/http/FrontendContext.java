package io.exgate.proxy.http;

import io.exgate.health.BackendStates;
import io.exgate.health.HealthcheckPage;
import io.exgate.metrics.ExgateMeters;
import io.exgate.metrics.HttpProxyLogRecord;
import io.exgate.routing.MailboxRouter;
import java.util.function.Consumer;

/**
 * What every event loop's listener shares: the router, the pinned-connection counts, and where
 * HttpProxy log lines go.
 *
 * @param serverHostName  this exgate's host name, as the log's ServerHostName field shows it
 * @param logAnonymous401 log the anonymous 401 that opens each NTLM/Negotiate handshake
 * @param health          backend states, fed by passive observations of every answer
 * @param healthcheckPage exgate's own answer to {@code /<vdir>/healthcheck.htm}
 * @param connections     open client connections against {@code limits.max-connections}
 */
public record FrontendContext(MailboxRouter router, PinnedConnections.Shared pins, Consumer<HttpProxyLogRecord> logWriter,
                              String serverHostName, String version, boolean logAnonymous401, BackendStates health,
                              HealthcheckPage healthcheckPage, ExgateMeters meters,
                              ClientConnections connections) {

    RequestLog.Sink logSink() {
        String[] parts = version.split("[.\\-]");
        String[] v = new String[4];
        for (int i = 0; i < 4; i++) {
            v[i] = i < parts.length && parts[i].matches("\\d+") ? parts[i] : "0";
        }
        return new RequestLog.Sink(logWriter, serverHostName, v, logAnonymous401, meters);
    }
}
