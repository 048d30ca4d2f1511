package io.exgate.proxy.probe;

import io.exgate.tls.BackendTls;
import io.exgate.tls.CertificateNames;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What an administrator reads of one certificate of the chain. */
record CertificateSummary(String subject, String issuer, Instant notBefore, Instant notAfter, List<String> names,
                          String sha256) {
    static final Duration SOON = Duration.ofDays(30);

    static CertificateSummary of(X509Certificate cert) {
        return new CertificateSummary(cert.getSubjectX500Principal().getName(), cert.getIssuerX500Principal().getName(),
                cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), CertificateNames.of(cert),
                BackendTls.fingerprint(cert));
    }

    /** Whole days left, rounded down; negative once expired. */
    long daysToExpiry(Instant now) {
        return Math.floorDiv(Duration.between(now, notAfter).getSeconds(), 86_400L);
    }

    boolean expired(Instant now) {
        return notAfter.isBefore(now);
    }

    boolean notYetValid(Instant now) {
        return notBefore.isAfter(now);
    }

    boolean expiresSoon(Instant now) {
        return !expired(now) && Duration.between(now, notAfter).compareTo(SOON) < 0;
    }
}
