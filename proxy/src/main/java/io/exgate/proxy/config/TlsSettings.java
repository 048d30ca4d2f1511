package io.exgate.proxy.config;

import io.exgate.tls.CertificateSource;
import io.exgate.tls.PemCertificate;
import io.exgate.tls.TlsPolicy;
import java.util.List;

/**
 * The {@code tls:} section of the public listener.
 *
 * @param engine       {@code auto}, {@code openssl} or {@code jdk}
 * @param sources      where the certificates come from (read again on reload)
 * @param certificates the certificates as loaded at start; the first serves clients without SNI
 * @param policy       protocols and cipher suites
 * @param http2        offer HTTP/2 through ALPN (HTTP/1.1 is always offered)
 * @param names        the public names exgate serves (checked against the certificates), possibly empty
 */
public record TlsSettings(String engine, List<CertificateSource> sources, List<PemCertificate> certificates, TlsPolicy policy,
                          boolean http2, List<String> names) {
    public TlsSettings {
        sources = List.copyOf(sources);
        certificates = List.copyOf(certificates);
        names = List.copyOf(names);
    }
}
