package io.exgate.proxy.probe;

import java.util.List;

/**
 * The TLS step.
 *
 * @param chain              leaf first, as the server sent it (also when verification failed)
 * @param nameCovered        the leaf's SAN (or CN without SAN) covers the host name, a wildcard covering one label
 * @param ocsp               {@code none}, or {@code stapled (N bytes)}
 * @param verification       {@code trusted}, {@code failed}, {@code skipped} (--insecure), or {@code unknown} without a handshake
 * @param verificationDetail what the chain was verified against, or why it failed
 * @param error              why the handshake failed, or null (the other fields are then empty)
 */
record TlsResult(String protocol, String cipher, long millis, List<CertificateSummary> chain, boolean nameCovered,
                 String ocsp, String verification, String verificationDetail, String error) {
    static final String TRUSTED = "trusted";
    static final String FAILED = "failed";
    static final String SKIPPED = "skipped";
    static final String UNKNOWN = "unknown";

    static TlsResult failure(long millis, String error) {
        return new TlsResult("", "", millis, List.of(), false, "none", UNKNOWN, "", error);
    }

    boolean failed() {
        return error != null;
    }

    /** A client that verifies would go on: the handshake worked, the chain verified and the name is covered. */
    boolean trusted() {
        return !failed() && TRUSTED.equals(verification) && nameCovered;
    }
}
