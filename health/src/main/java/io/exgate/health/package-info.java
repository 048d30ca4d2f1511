/**
 * Backend health (issue 5): active per-protocol probes of {@code healthcheck.htm}
 * ({@link io.exgate.health.HealthChecker}, {@link io.exgate.health.HealthProbe}), passive ejection,
 * drain and maintenance state ({@link io.exgate.health.BackendStates}, the router's
 * {@link io.exgate.routing.BackendHealth}), and exgate's own {@code healthcheck.htm} answers
 * ({@link io.exgate.health.HealthcheckPage}). Backends start up, as in HAProxy, so a restart of
 * exgate does not answer 503 before the first probes ran.
 */
package io.exgate.health;
