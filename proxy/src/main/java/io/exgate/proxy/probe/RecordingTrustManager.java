package io.exgate.proxy.probe;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Keeps the server's chain and the verifier's verdict instead of failing the handshake, so that a
 * chain that does not verify is still reported (subject, issuer, expiry, names) with the reason.
 * Whether to go on talking to such a server is the probe's decision, not the handshake's. Extends
 * the "extended" type so that the JDK does not wrap it with its own checks.
 */
final class RecordingTrustManager extends X509ExtendedTrustManager {
    private final CertificateTrust trust;
    private volatile List<X509Certificate> chain = List.of();
    private volatile String failure;

    RecordingTrustManager(CertificateTrust trust) {
        this.trust = trust;
    }

    /** The chain the last full handshake presented, leaf first. */
    List<X509Certificate> chain() {
        return chain;
    }

    /** Why the chain was not trusted, or null when it was (or was not checked). */
    String failure() {
        return failure;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] presented, String authType, Socket socket) {
        record(presented, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] presented, String authType, SSLEngine engine) {
        record(presented, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] presented, String authType) {
        record(presented, authType);
    }

    private void record(X509Certificate[] presented, String authType) {
        chain = List.of(presented);
        failure = null;
        trust.verifier().ifPresent(v -> {
            try {
                // Chain only: the host name is checked by the probe itself, to name what it did not cover.
                v.checkServerTrusted(presented, authType);
            } catch (CertificateException e) {
                failure = FailureText.of(e);
            }
        });
    }

    @Override
    public void checkClientTrusted(X509Certificate[] presented, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the probe is a client only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] presented, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the probe is a client only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] presented, String authType) throws CertificateException {
        throw new CertificateException("the probe is a client only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
