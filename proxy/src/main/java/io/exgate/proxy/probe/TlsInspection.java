package io.exgate.proxy.probe;

import io.exgate.tls.CertificateNames;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/** Reads what a completed handshake tells about the front door's TLS. */
final class TlsInspection {
    private TlsInspection() {
    }

    static TlsResult of(SSLSocket socket, FrontDoor door, CertificateTrust trust, long millis) {
        SSLSession session = socket.getSession();
        List<X509Certificate> chain = door.trust().chain();
        if (chain.isEmpty()) {
            chain = peerChain(session);
        }
        boolean covered = !chain.isEmpty()
                && CertificateNames.covers(CertificateNames.of(chain.get(0)), door.target().host());
        String verification;
        String detail;
        if (trust.verifier().isEmpty()) {
            verification = TlsResult.SKIPPED;
            detail = trust.description();
        } else if (door.trust().failure() != null) {
            verification = TlsResult.FAILED;
            detail = door.trust().failure();
        } else {
            verification = TlsResult.TRUSTED;
            detail = "trusted by " + trust.description();
        }
        return new TlsResult(session.getProtocol(), session.getCipherSuite(), millis,
                chain.stream().map(CertificateSummary::of).toList(), covered, ocsp(session), verification, detail, null);
    }

    /** The OCSP response the server stapled for its certificate; the client asks for one in every handshake. */
    private static String ocsp(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            for (byte[] response : extended.getStatusResponses()) {
                if (response.length > 0) {
                    return "stapled (" + response.length + " bytes)";
                }
            }
        }
        return "none";
    }

    private static List<X509Certificate> peerChain(SSLSession session) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // Anonymous suites are off in the JDK; an empty chain then reads as "no certificate".
        }
        return chain;
    }
}
