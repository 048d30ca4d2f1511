package io.exgate.proxy.config;

import io.exgate.tls.PemCertificate;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * exgate's validated configuration. Built only by {@link ConfigLoader}; every value here has already
 * been checked, and certificate files have been read and parsed.
 *
 * @param source       the file it came from (for messages), or a description for built-in ones
 * @param listen       the public HTTPS listener
 * @param tlsEngine    {@code auto}, {@code openssl} or {@code jdk}
 * @param certificates the listener's certificates; the first serves clients that send no SNI
 * @param admin        the plain-HTTP admin listener, when configured
 * @param backends     the backend servers, in configuration order
 * @param routing      mailbox affinity: cookie secret, mailbox map, routes
 * @param pinning      caps on NTLM/Negotiate-pinned connections
 * @param timeouts     the timeouts
 * @param logDirectory where logs go
 */
public record ExgateConfig(String source, ListenAddress listen, String tlsEngine, List<PemCertificate> certificates,
                           Optional<ListenAddress> admin, List<BackendSettings> backends, RoutingSettings routing,
                           PinningSettings pinning, Timeouts timeouts, Path logDirectory) {
    public ExgateConfig {
        certificates = List.copyOf(certificates);
        backends = List.copyOf(backends);
    }

    /** A copy listening elsewhere: the demo and tests pick ports after loading. */
    public ExgateConfig withListen(ListenAddress newListen) {
        return new ExgateConfig(source, newListen, tlsEngine, certificates, admin, backends, routing, pinning, timeouts, logDirectory);
    }
}
