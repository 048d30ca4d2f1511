package io.exgate.proxy.cli;

import io.exgate.proxy.ExtendedProtectionCheck;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.tls.BackendTls;
import io.exgate.tls.CertificateNames;
import io.exgate.tls.PemCertificate;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What check-config says about the listener's certificates: names, issuer, expiry, and what to worry about. */
final class CertificateReport {
    static final Duration SOON = Duration.ofDays(30);

    private CertificateReport() {
    }

    /** Prints one line per certificate and a WARNING line per problem; returns the number of warnings. */
    static int print(ExgateConfig config, Clock clock, PrintStream out) {
        int warnings = 0;
        Instant now = clock.instant();
        for (PemCertificate c : config.certificates()) {
            Instant notAfter = c.leaf().getNotAfter().toInstant();
            long days = Duration.between(now, notAfter).toDays();
            out.println("  certificate " + c.certFile().getFileName() + ": names " + CertificateNames.of(c.leaf()) + ", issuer "
                    + c.leaf().getIssuerX500Principal().getName() + ", expires " + notAfter + " (in " + days + " days), sha256 "
                    + BackendTls.fingerprint(c.leaf()));
            if (notAfter.isBefore(now)) {
                out.println("  WARNING: certificate " + c.certFile() + " has expired");
                warnings++;
            } else if (Duration.between(now, notAfter).compareTo(SOON) < 0) {
                out.println("  WARNING: certificate " + c.certFile() + " expires in " + days + " days");
                warnings++;
            }
        }
        for (String name : config.tls().names()) {
            boolean covered = config.certificates().stream().anyMatch(c -> CertificateNames.covers(CertificateNames.of(c.leaf()), name));
            if (!covered) {
                out.println("  WARNING: tls.names lists " + name + " but no certificate covers it");
                warnings++;
            }
        }
        for (ExtendedProtectionCheck.Result r : ExtendedProtectionCheck.run(config, 3_000)) {
            boolean mismatch = r.matches().isPresent() && !r.matches().get();
            out.println("  " + (mismatch ? "WARNING: " : "") + "backend " + r.backend() + ": " + r.detail());
            if (mismatch) {
                warnings++;
            }
        }
        List<String> unverified = config.backends().stream().filter(b -> b.backend().tls() && !b.verify())
                .map(b -> b.backend().name()).toList();
        if (!unverified.isEmpty()) {
            out.println("  WARNING: TLS verification is off for backend(s) " + String.join(", ", unverified));
            warnings++;
        }
        return warnings;
    }
}
