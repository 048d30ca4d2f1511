package io.exgate.proxy.http;

import io.exgate.health.BackendStates;
import io.exgate.health.HealthcheckPage;
import io.exgate.metrics.ExgateMeters;
import io.exgate.routing.MailboxRouter;
import java.util.Map;

/**
 * What the HTTP/1.x engine of one event loop needs for a request, as the current configuration says:
 * replaced whole by a reload, read once per request, so that a request runs start to end on one.
 *
 * @param pools each backend's connections on this event loop, by backend name
 */
record RelayRoutes(MailboxRouter router, Map<String, BackendPool> pools, PinnedConnections pins, long idleMillis,
                   RequestLog.Sink logSink, BackendStates health, HealthcheckPage healthcheckPage, ExgateMeters meters) {
}
