package io.exgate.proxy.probe;

import java.time.Instant;
import java.util.List;

/**
 * Everything one probe saw, step by step; a step that could not run because an earlier one failed is null.
 *
 * @param skipped why the HTTP checks did not run, or null when they did
 */
record ProbeReport(Target target, Instant checkedAt, DnsResult dns, TcpResult tcp, TlsResult tls,
                   List<HealthcheckResult> healthchecks, List<ChallengeResult> challenges, String skipped) {
}
