package io.exgate.proxy.probe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges a report. Critical: DNS, TCP or TLS failure, an untrusted chain, a name the certificate does
 * not cover, an expired (or not yet valid) certificate, a failing virtual directory, a protocol
 * endpoint that does not answer or answers 5xx. Warning: a certificate that expires within 30 days,
 * a protocol endpoint that answers without asking for authentication. A missing OCSP staple is not a finding.
 */
record Assessment(Severity severity, List<Finding> findings) {

    static Assessment of(ProbeReport report) {
        List<Finding> findings = new ArrayList<>();
        Target target = report.target();
        if (report.dns().failed()) {
            findings.add(critical("DNS: cannot resolve " + target.host() + ": " + report.dns().error()));
        }
        if (report.tcp() != null && report.tcp().failed()) {
            findings.add(critical("TCP: cannot connect: " + report.tcp().error()));
        }
        TlsResult tls = report.tls();
        if (tls != null) {
            tls(tls, target, report.checkedAt(), findings);
        }
        for (HealthcheckResult h : report.healthchecks()) {
            if (!h.healthy()) {
                findings.add(critical(h.path() + ": " + h.problem()));
            }
        }
        for (ChallengeResult c : report.challenges()) {
            challenge(c, findings);
        }
        Severity worst = findings.stream().map(Finding::severity).reduce(Severity.OK, Severity::worse);
        return new Assessment(worst, List.copyOf(findings));
    }

    private static void tls(TlsResult tls, Target target, Instant now, List<Finding> findings) {
        if (tls.failed()) {
            findings.add(critical("TLS: handshake failed: " + tls.error()));
            return;
        }
        if (TlsResult.FAILED.equals(tls.verification())) {
            findings.add(critical("TLS: certificate not trusted: " + tls.verificationDetail()));
        }
        if (!tls.nameCovered()) {
            List<String> names = tls.chain().isEmpty() ? List.of() : tls.chain().get(0).names();
            findings.add(critical("TLS: the certificate does not cover " + target.host() + " (it names "
                    + (names.isEmpty() ? "nothing" : String.join(", ", names)) + ")"));
        }
        for (int i = 0; i < tls.chain().size(); i++) {
            CertificateSummary c = tls.chain().get(i);
            String which = "certificate #" + i + " (" + c.subject() + ")";
            if (c.expired(now)) {
                findings.add(critical("TLS: " + which + " expired on " + c.notAfter()));
            } else if (c.notYetValid(now)) {
                findings.add(critical("TLS: " + which + " is not valid before " + c.notBefore()));
            } else if (c.expiresSoon(now)) {
                findings.add(new Finding(Severity.WARNING, "TLS: " + which + " expires in " + c.daysToExpiry(now)
                        + " days (" + c.notAfter() + ")"));
            }
        }
    }

    private static void challenge(ChallengeResult c, List<Finding> findings) {
        String what = c.name() + " (" + c.method() + " " + c.path() + " without credentials)";
        if (c.error() != null) {
            findings.add(critical(what + ": " + c.error()));
        } else if (c.status() >= 500) {
            findings.add(critical(what + ": answered " + c.status() + " " + c.reason()));
        } else if (c.status() != 401) {
            findings.add(new Finding(Severity.WARNING, what + ": answered " + c.status() + " " + c.reason()
                    + ", expected 401 with an authentication challenge"));
        } else if (c.schemes().isEmpty()) {
            findings.add(new Finding(Severity.WARNING, what + ": 401 without WWW-Authenticate"));
        }
    }

    private static Finding critical(String message) {
        return new Finding(Severity.CRITICAL, message);
    }
}
