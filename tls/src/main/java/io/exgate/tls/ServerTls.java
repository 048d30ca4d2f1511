package io.exgate.tls;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.LinkedHashSet;
import java.util.List;

/** Puts the listener's certificates, policy and engine onto its server options. */
public final class ServerTls {
    private ServerTls() {
    }

    public static HttpServerOptions apply(HttpServerOptions options, List<PemCertificate> certificates, TlsPolicy policy,
                                          TlsEngine engine) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate is required");
        }
        PemKeyCertOptions keyCerts = new PemKeyCertOptions();
        for (PemCertificate c : certificates) {
            keyCerts.addCertValue(c.certPem()).addKeyValue(c.keyPem());
        }
        options.setSsl(true)
                .setSslEngineOptions(engine.options())
                .setKeyCertOptions(keyCerts)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(policy.protocols()));
        // With several certificates the SAN names pick one; the first serves clients without SNI.
        options.setSni(certificates.size() > 1);
        policy.cipherSuites().forEach(options::addEnabledCipherSuite);
        return options;
    }
}
