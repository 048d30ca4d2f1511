package io.exgate.proxy.config;

import io.exgate.health.HealthSettings;
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
 * @param proxyProtocol the listener expects a PROXY protocol v1 or v2 header on every connection
 * @param transport     how the event loops reach the kernel: auto, io_uring, epoll or nio
 * @param tls          the listener's TLS: engine, certificates, policy, HTTP/2
 * @param admin        the plain-HTTP admin listener and its token, when configured
 * @param backends     the backend servers, in configuration order
 * @param routing      mailbox affinity: cookie secret, mailbox map, routes
 * @param health       probing, ejection and drain of backends
 * @param pinning      caps on NTLM/Negotiate-pinned connections
 * @param timeouts     the timeouts
 * @param limits       caps on what clients may make the public listener hold
 * @param logs         where the HttpProxy logs go, rollover and retention
 */
public record ExgateConfig(String source, ListenAddress listen, boolean proxyProtocol, String transport, TlsSettings tls,
                           Optional<AdminSettings> admin, List<BackendSettings> backends, RoutingSettings routing,
                           HealthSettings health, PinningSettings pinning, Timeouts timeouts, Limits limits,
                           LogSettings logs) {
    public ExgateConfig {
        backends = List.copyOf(backends);
    }

    public Path logDirectory() {
        return logs.directory();
    }

    /** The certificates loaded at start. */
    public List<PemCertificate> certificates() {
        return tls.certificates();
    }

    /** A copy listening elsewhere: the demo and tests pick ports after loading. */
    public ExgateConfig withListen(ListenAddress newListen) {
        return new ExgateConfig(source, newListen, proxyProtocol, transport, tls, admin, backends, routing, health, pinning, timeouts, limits, logs);
    }
}
