package io.exgate.proxy;

import io.exgate.tls.LookOnlyTrust;
import io.exgate.proxy.config.BackendSettings;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.tls.BackendTls;
import io.exgate.tls.CertificateNames;
import io.exgate.tls.PemCertificate;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Extended Protection binds NTLM and Kerberos to the certificate the client saw. Through exgate that
 * works only when each https backend presents the same certificate as exgate for the public name
 * (bridging); a different one (or plain http: offloading) makes Windows authentication fail when the
 * backends enforce Extended Protection. This asks each https backend for its certificate and compares.
 */
public final class ExtendedProtectionCheck {
    /** One backend's verdict. {@code matches} is empty when the backend could not be asked. */
    public record Result(String backend, String serverName, Optional<Boolean> matches, String detail) {
    }

    private ExtendedProtectionCheck() {
    }

    /** Blocking (network): call off the event loop. */
    public static List<Result> run(ExgateConfig config, int timeoutMillis) {
        return run(config, config.certificates(), timeoutMillis);
    }

    /** With the certificates in service now (after a reload they differ from the configuration's). */
    public static List<Result> run(ExgateConfig config, List<PemCertificate> certificates, int timeoutMillis) {
        List<Result> results = new ArrayList<>();
        PemCertificate front = certificates.get(0);
        String name = config.tls().names().isEmpty() ? CertificateNames.of(front.leaf()).stream().filter(n -> !n.startsWith("*"))
                .findFirst().orElse(null) : config.tls().names().get(0);
        for (BackendSettings b : config.backends()) {
            if (!b.backend().tls()) {
                results.add(new Result(b.backend().name(), name, Optional.empty(),
                        "plain http (TLS offloading): Extended Protection must be off on this backend for NTLM/Kerberos"));
                continue;
            }
            PemCertificate expected = certificates.stream()
                    .filter(c -> name != null && CertificateNames.covers(CertificateNames.of(c.leaf()), name)).findFirst().orElse(front);
            try {
                X509Certificate presented = presented(b, name, timeoutMillis);
                boolean same = presented.equals(expected.leaf());
                results.add(new Result(b.backend().name(), name, Optional.of(same), same
                        ? "presents exgate's certificate for " + name + " (bridging): Extended Protection works"
                        : "presents " + BackendTls.fingerprint(presented) + " for " + name + " but exgate presents "
                        + BackendTls.fingerprint(expected.leaf())
                        + ": NTLM/Kerberos fail if the backend enforces Extended Protection; install the same certificate on both"));
            } catch (Exception e) {
                results.add(new Result(b.backend().name(), name, Optional.empty(), "could not be asked for its certificate: " + e.getMessage()));
            }
        }
        return results;
    }

    private static X509Certificate presented(BackendSettings b, String serverName, int timeoutMillis) throws Exception {
        // Only looking: the certificate is compared, not trusted.
        SSLContext context = LookOnlyTrust.context();
        try (Socket tcp = new Socket()) {
            tcp.connect(new InetSocketAddress(b.backend().host(), b.backend().port()), timeoutMillis);
            tcp.setSoTimeout(timeoutMillis);
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, b.backend().host(), b.backend().port(), false)) {
                if (serverName != null) {
                    SSLParameters p = tls.getSSLParameters();
                    p.setServerNames(List.of(new SNIHostName(serverName)));
                    tls.setSSLParameters(p);
                }
                tls.startHandshake();
                return (X509Certificate) tls.getSession().getPeerCertificates()[0];
            }
        }
    }
}
