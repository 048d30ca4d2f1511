package io.exgate.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.util.Optional;

/**
 * TLS toward a backend, with SNI set to the backend's name: verified against the system trust store,
 * a given CA, a pinned SHA-256 certificate fingerprint, or (labs only, with a warning) not at all.
 */
public final class BackendTls {
    private BackendTls() {
    }

    public static HttpClientOptions apply(HttpClientOptions options, boolean verify, Optional<Buffer> caPem,
                                          Optional<String> fingerprint) {
        options.setSsl(true).setForceSni(true);
        if (!verify) {
            return options.setTrustAll(true).setVerifyHost(false);
        }
        if (fingerprint.isPresent()) {
            // The pinned certificate is the whole trust decision: its name need not match.
            return options.setTrustOptions(TrustOptions.wrap(new FingerprintTrust(fingerprint.get()))).setTrustAll(false)
                    .setVerifyHost(false);
        }
        caPem.ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertValue(ca)));
        return options.setTrustAll(false).setVerifyHost(true);
    }

    public static HttpClientOptions apply(HttpClientOptions options, boolean verify, Optional<Buffer> caPem) {
        return apply(options, verify, caPem, Optional.empty());
    }

    /** Checks a fingerprint's syntax, for configuration validation. */
    public static void checkFingerprint(String fingerprint) {
        FingerprintTrust.parse(fingerprint);
    }

    /** The SHA-256 fingerprint of a certificate as {@code AB:CD:...}, as administrators compare them. */
    public static String fingerprint(java.security.cert.X509Certificate cert) {
        return FingerprintTrust.of(cert);
    }
}
