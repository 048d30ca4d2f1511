package io.exgate.tls;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.LinkedHashSet;
import java.util.List;

/** The listener's TLS: certificates (SNI picks by name, the first is the default), policy, engine, ALPN. */
public final class ServerTls {
    private ServerTls() {
    }

    /** The options a running listener takes on reload; new handshakes use them, open connections keep theirs. */
    public static ServerSSLOptions sslOptions(List<PemCertificate> certificates, TlsPolicy policy, boolean http2) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate is required");
        }
        PemKeyCertOptions keyCerts = new OpenSslCachedKeyCerts();
        for (PemCertificate c : certificates) {
            keyCerts.addCertValue(c.certPem()).addKeyValue(c.keyPem());
        }
        ServerSSLOptions options = new ServerSSLOptions()
                .setKeyCertOptions(keyCerts)
                // The SAN names pick a certificate; the first serves clients that send no SNI. With one
                // certificate there is nothing to pick, and Vert.x would still look each name up on a worker
                // thread, two thread switches per handshake.
                .setSni(certificates.size() > 1)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(policy.protocols()))
                .setUseAlpn(http2);
        if (http2) {
            options.setApplicationLayerProtocols(List.of("h2", "http/1.1"));
        }
        policy.cipherSuites().forEach(options::addEnabledCipherSuite);
        return options;
    }

    public static HttpServerOptions apply(HttpServerOptions options, List<PemCertificate> certificates, TlsPolicy policy,
                                          TlsEngine engine, boolean http2) {
        ServerSSLOptions ssl = sslOptions(certificates, policy, http2);
        options.setSsl(true)
                .setSslEngineOptions(engine.options())
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
                .setSni(ssl.isSni())
                .setUseAlpn(http2);
        if (http2) {
            options.setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
        }
        ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        return options;
    }
}
