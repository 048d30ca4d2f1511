package io.exgate.proxy.probe;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The report as one JSON object for monitoring; steps not reached are null, as are errors of steps that worked. */
final class JsonReport {
    private JsonReport() {
    }

    static JsonObject of(ProbeReport report, Assessment assessment) {
        JsonArray findings = new JsonArray();
        assessment.findings().forEach(f -> findings.add(new JsonObject().put("severity", f.severity().name()).put("message", f.message())));
        JsonArray healthchecks = new JsonArray();
        report.healthchecks().forEach(h -> healthchecks.add(healthcheck(h)));
        JsonArray challenges = new JsonArray();
        report.challenges().forEach(c -> challenges.add(challenge(c)));
        return new JsonObject()
                .put("target", report.target().url())
                .put("host", report.target().host())
                .put("port", report.target().port())
                .put("checkedAt", report.checkedAt().toString())
                .put("result", assessment.severity().name())
                .put("exitCode", assessment.severity().exitCode())
                .put("findings", findings)
                .put("dns", dns(report.dns()))
                .put("tcp", report.tcp() == null ? null : new JsonObject().put("address", report.tcp().address())
                        .put("millis", report.tcp().millis()).put("error", report.tcp().error()))
                .put("tls", report.tls() == null ? null : tls(report.tls(), report.checkedAt()))
                .put("vdirs", healthchecks)
                .put("auth", challenges)
                .put("skipped", report.skipped());
    }

    private static JsonObject dns(DnsResult dns) {
        JsonArray addresses = new JsonArray();
        dns.addresses().forEach(a -> addresses.add(Addresses.text(a)));
        return new JsonObject().put("host", dns.host()).put("addresses", addresses)
                .put("source", dns.overridden() ? "resolve" : "dns").put("millis", dns.millis()).put("error", dns.error());
    }

    private static JsonObject tls(TlsResult tls, Instant now) {
        JsonArray chain = new JsonArray();
        for (CertificateSummary c : tls.chain()) {
            chain.add(new JsonObject().put("subject", c.subject()).put("issuer", c.issuer())
                    .put("notBefore", c.notBefore().toString()).put("notAfter", c.notAfter().toString())
                    .put("daysToExpiry", c.daysToExpiry(now)).put("names", new JsonArray(c.names())).put("sha256", c.sha256()));
        }
        return new JsonObject()
                .put("protocol", tls.protocol())
                .put("cipher", tls.cipher())
                .put("millis", tls.millis())
                .put("chain", chain)
                .put("nameCovered", tls.nameCovered())
                .put("daysToExpiry", tls.chain().isEmpty() ? null : tls.chain().get(0).daysToExpiry(now))
                .put("ocspStapling", tls.ocsp())
                .put("verification", tls.verification())
                .put("verificationDetail", tls.verificationDetail())
                .put("error", tls.error());
    }

    private static JsonObject healthcheck(HealthcheckResult h) {
        JsonObject headers = new JsonObject();
        h.serverHeaders().forEach(headers::put);
        return new JsonObject()
                .put("vdir", VirtualDirectoryConverter.name(h.vdir()))
                .put("path", h.path())
                .put("status", h.status() == 0 ? null : h.status())
                .put("reason", h.reason())
                .put("millis", h.millis())
                .put("healthy", h.healthy())
                .put("bodyStart", h.bodyStart())
                .put("serverName", h.serverName().isEmpty() ? null : h.serverName())
                .put("headers", headers)
                .put("error", h.error());
    }

    private static JsonObject challenge(ChallengeResult c) {
        return new JsonObject()
                .put("protocol", c.name())
                .put("method", c.method())
                .put("path", c.path())
                .put("status", c.status() == 0 ? null : c.status())
                .put("reason", c.reason())
                .put("millis", c.millis())
                .put("schemes", new JsonArray(c.schemes()))
                .put("error", c.error());
    }
}
