package io.exgate.proxy.probe;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/** The report as an administrator reads it in a terminal. */
final class TableReport {
    private TableReport() {
    }

    static void print(ProbeReport report, Assessment assessment, PrintStream out) {
        out.println("exgate probe " + report.target().url() + " at " + report.checkedAt());
        out.println();
        steps(report, out);
        TlsResult tls = report.tls();
        if (tls != null && !tls.failed()) {
            out.println();
            certificates(report.target(), tls, report.checkedAt(), out);
        }
        if (!report.healthchecks().isEmpty()) {
            out.println();
            healthchecks(report.healthchecks(), out);
        }
        if (!report.challenges().isEmpty()) {
            out.println();
            challenges(report.challenges(), out);
        }
        if (report.skipped() != null && tls != null && !tls.failed()) {
            out.println();
            out.println("HTTP checks skipped: " + report.skipped());
        }
        out.println();
        out.println("RESULT  " + assessment.severity() + " (exit " + assessment.severity().exitCode() + ")");
        for (Finding f : assessment.findings()) {
            out.println("  " + f.severity() + "  " + f.message());
        }
    }

    private static void steps(ProbeReport report, PrintStream out) {
        Columns table = new Columns().row("STEP", "RESULT", "TIME");
        DnsResult dns = report.dns();
        if (dns.failed()) {
            table.row("dns", "FAILED: " + dns.error(), ms(dns.millis()));
        } else {
            String addresses = dns.addresses().stream().map(Addresses::text).collect(Collectors.joining(", "));
            table.row("dns", dns.host() + " -> " + addresses + (dns.overridden() ? " (from --resolve, DNS not asked)" : ""),
                    ms(dns.millis()));
        }
        TcpResult tcp = report.tcp();
        if (tcp != null) {
            table.row("tcp", tcp.failed() ? "FAILED: " + tcp.error() : "connected to " + tcp.address(), ms(tcp.millis()));
        }
        TlsResult tls = report.tls();
        if (tls != null) {
            table.row("tls", tls.failed() ? "FAILED: " + tls.error() : tls.protocol() + " " + tls.cipher(), ms(tls.millis()));
        }
        table.lines().forEach(out::println);
    }

    private static void certificates(Target target, TlsResult tls, Instant now, PrintStream out) {
        Columns chain = new Columns().row("#", "SUBJECT", "ISSUER", "NOT AFTER", "DAYS LEFT");
        for (int i = 0; i < tls.chain().size(); i++) {
            CertificateSummary c = tls.chain().get(i);
            chain.row(String.valueOf(i), c.subject(), c.issuer(), c.notAfter().toString(), String.valueOf(c.daysToExpiry(now)));
        }
        chain.lines().forEach(out::println);
        List<String> names = tls.chain().isEmpty() ? List.of() : tls.chain().get(0).names();
        Columns facts = new Columns();
        facts.row("name", target.host() + (tls.nameCovered() ? " covered" : " NOT COVERED") + " (certificate names: "
                + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        facts.row("expiry", expiry(tls, now));
        facts.row("verification", TlsResult.FAILED.equals(tls.verification())
                ? "FAILED: " + tls.verificationDetail() : tls.verificationDetail());
        facts.row("OCSP staple", tls.ocsp());
        facts.lines().forEach(out::println);
    }

    private static String expiry(TlsResult tls, Instant now) {
        if (tls.chain().isEmpty()) {
            return "no certificate";
        }
        CertificateSummary leaf = tls.chain().get(0);
        return leaf.expired(now) ? "EXPIRED on " + leaf.notAfter() : "in " + leaf.daysToExpiry(now) + " days (" + leaf.notAfter() + ")";
    }

    private static void healthchecks(List<HealthcheckResult> results, PrintStream out) {
        Columns table = new Columns().row("HEALTHCHECK", "STATUS", "LATENCY", "HEALTH", "SERVER", "FIRST BYTES / ERROR", "HEADERS");
        for (HealthcheckResult h : results) {
            String headers = h.serverHeaders().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" "));
            table.row("GET " + h.path(), status(h.status()), ms(h.millis()), h.healthy() ? "healthy" : "DOWN",
                    h.serverName().isEmpty() ? "-" : h.serverName(),
                    h.error() != null ? h.error() : h.bodyStart().isEmpty() ? "(empty body)" : h.bodyStart(),
                    headers.isEmpty() ? "-" : headers);
        }
        table.lines().forEach(out::println);
    }

    private static void challenges(List<ChallengeResult> results, PrintStream out) {
        Columns table = new Columns().row("WITHOUT CREDENTIALS", "STATUS", "LATENCY", "AUTHENTICATION OFFERED");
        for (ChallengeResult c : results) {
            String offered = c.error() != null ? c.error() : c.schemes().isEmpty() ? "none" : String.join(", ", c.schemes());
            table.row(c.name() + " " + c.method() + " " + c.path(), status(c.status()), ms(c.millis()), offered);
        }
        table.lines().forEach(out::println);
    }

    private static String status(int status) {
        return status == 0 ? "-" : String.valueOf(status);
    }

    private static String ms(long millis) {
        return millis + " ms";
    }
}
