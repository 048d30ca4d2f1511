/**
 * Backend health: active per-protocol probes of {@code healthcheck.htm}, passive ejection, drain and
 * maintenance state, and exgate's own {@code healthcheck.htm} answers (issue 5). Empty until then:
 * today every configured backend is taken as up, as HAProxy does before its first check.
 */
package io.exgate.health;
