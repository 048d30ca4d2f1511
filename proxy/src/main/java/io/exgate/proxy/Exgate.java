package io.exgate.proxy;

import io.exgate.proxy.admin.AdminServer;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.metrics.ExgateMeters;
import io.exgate.metrics.HttpProxyLog;
import io.exgate.tls.CertificateNames;
import io.exgate.tls.PemCertificate;
import io.exgate.metrics.HttpProxyLogSettings;
import io.exgate.proxy.http.FrontendContext;
import io.exgate.proxy.http.FrontendVerticle;
import io.exgate.proxy.http.PinnedConnections;
import io.exgate.routing.AffinityCookie;
import io.exgate.health.BackendStates;
import io.exgate.health.HealthChecker;
import io.exgate.health.HealthcheckPage;
import io.exgate.proxy.config.BackendSettings;
import io.exgate.proxy.http.BackendClients;
import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import io.exgate.routing.WeightedBackend;
import io.exgate.routing.MailboxMap;
import io.exgate.routing.MailboxRouter;
import io.exgate.routing.OutstandingRequests;
import io.exgate.routing.StickyTable;
import io.exgate.tls.TlsEngine;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running exgate: the public listener on every event loop, and the admin listener. */
public final class Exgate {
    private static final Logger LOG = LoggerFactory.getLogger(Exgate.class);

    private final Vertx vertx;
    private final List<String> deployments;
    private final int port;
    private final Optional<AdminServer> admin;
    private final TlsEngine engine;
    private final CertificateReloader certificates;
    private final HttpProxyLog httpProxyLog;
    private final HealthChecker checker;
    private final BackendStates states;

    private Exgate(Vertx vertx, List<String> deployments, int port, Optional<AdminServer> admin, TlsEngine engine,
                   CertificateReloader certificates, HttpProxyLog httpProxyLog, HealthChecker checker, BackendStates states) {
        this.httpProxyLog = httpProxyLog;
        this.checker = checker;
        this.states = states;
        this.vertx = vertx;
        this.deployments = deployments;
        this.port = port;
        this.admin = admin;
        this.engine = engine;
        this.certificates = certificates;
    }

    /** Starts exgate; the future fails (and nothing stays open) when a listener cannot be bound. */
    public static Future<Exgate> start(ExgateConfig config) {
        TlsEngine engine = TlsEngine.resolve(config.tls().engine());
        try {
            Files.createDirectories(config.logDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create logs.directory " + config.logDirectory(), e);
        }
        int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        AtomicReference<MailboxMap> mailboxMap = new AtomicReference<>(config.routing().initialMap());
        BackendStates states = new BackendStates(config.health());
        MailboxRouter router = new MailboxRouter(config.routing().routes(), affinityCookie(config), mailboxMap::get,
                new StickyTable(STICKY_CAPACITY, STICKY_IDLE_MILLIS, System::nanoTime), states, new OutstandingRequests());
        Map<VirtualDirectory, List<Backend>> probeTargets = new EnumMap<>(VirtualDirectory.class);
        for (VirtualDirectory v : VirtualDirectory.values()) {
            probeTargets.put(v, config.routing().routes().forDirectory(v).stream().map(WeightedBackend::backend).toList());
        }
        Map<String, BackendSettings> byName = config.backends().stream()
                .collect(Collectors.toMap(b -> b.backend().name(), b -> b));
        HealthChecker checker = new HealthChecker(vertx, states, probeTargets,
                b -> BackendClients.options(byName.get(b.name()), config.timeouts()),
                config.tls().names().isEmpty() ? null : config.tls().names().get(0));
        String hostName = hostName();
        PinnedConnections.Shared pinCounts = new PinnedConnections.Shared();
        Optional<MailboxMapReloader> reloader = config.routing().mailboxMap().map(file -> new MailboxMapReloader(vertx, file,
                config.backends().stream().map(b -> b.backend().name()).collect(Collectors.toSet()), mailboxMap));
        HttpProxyLog httpProxyLog = HttpProxyLog.open(new HttpProxyLogSettings(config.logs().directory(), config.logs().maxFileSize(),
                config.logs().maxAge(), config.logs().maxTotalSize(), HttpProxyLogSettings.DEFAULT_QUEUE_CAPACITY, ExgateVersion.get()),
                Clock.systemUTC());
        ExgateMeters meters = meters(config, engine, states, probeTargets, pinCounts, httpProxyLog);
        FrontendContext context = new FrontendContext(router, pinCounts, httpProxyLog::log, hostName, ExgateVersion.get(),
                config.logs().anonymous401(), states, new HealthcheckPage(states, hostName), meters);
        List<String> deployments = new ArrayList<>();
        List<FrontendVerticle> listeners = new ArrayList<>();
        CertificateReloader certificates = new CertificateReloader(vertx, config.tls().sources(), listeners,
                certs -> {
                    meters.certificates(expiries(certs));
                    checkExtendedProtection(vertx, config, certs, meters);
                });
        warnAboutUnverifiedBackends(config);
        // Port 0 asks for a random port; Vert.x shares one random port among instances given the same
        // negative number.
        int port = config.listen().port() == 0 ? -1 : config.listen().port();
        for (int i = 0; i < loops; i++) {
            listeners.add(new FrontendVerticle(config, port, engine, context));
        }
        Future<Void> chain = Future.succeededFuture();
        for (FrontendVerticle listener : listeners) {
            chain = chain.compose(v -> vertx.deployVerticle(listener).map(deployments::add).mapEmpty());
        }
        FrontendVerticle first = listeners.get(0);
        AdminServer.Actions actions = new AdminServer.Actions(() -> certificates.reload("POST /api/tls/reload"), states, meters::scrape,
                meters::stats);
        Future<Exgate> started = chain.compose(v -> config.admin().isPresent()
                ? AdminServer.start(vertx, config.admin().get(), actions).map(Optional::of)
                : Future.succeededFuture(Optional.<AdminServer>empty())
        ).map(admin -> {
            reloader.ifPresent(MailboxMapReloader::start);
            certificates.watch();
            checker.start();
            checkExtendedProtection(vertx, config, config.certificates(), meters);
            Exgate exgate = new Exgate(vertx, deployments, first.actualPort(), admin, engine, certificates, httpProxyLog, checker,
                    states);
            LOG.info("exgate {} listening on https://{}:{} (TLS engine: {}; {}; {} event loops); backends: {}{}",
                    ExgateVersion.get(), config.listen().host(), exgate.port, engine.describe(),
                    String.join(", ", config.tls().policy().protocols()) + (config.tls().http2() ? ", h2 and http/1.1" : ", http/1.1"), loops,
                    config.backends().stream().map(b -> b.backend().name() + " " + b.backend().url())
                            .collect(Collectors.joining(", ")),
                    admin.map(a -> "; admin on http://" + config.admin().get().host() + ":" + a.port()).orElse(""));
            return exgate;
        });
        // The caller hears of a failure before this Vert.x instance closes: a future completed on a
        // closing instance would never notify anyone.
        Promise<Exgate> result = Promise.promise();
        started.onComplete(ar -> {
            if (ar.succeeded()) {
                result.complete(ar.result());
            } else {
                result.fail(ar.cause());
                httpProxyLog.close(Duration.ofSeconds(5));
                vertx.close();
            }
        });
        return result.future();
    }

    /** How many placements one instance remembers for clients that return no cookie (RPC channels). */
    private static final int STICKY_CAPACITY = 200_000;
    /** RPC channels live for hours; a placement unused this long is forgotten. */
    private static final long STICKY_IDLE_MILLIS = 12 * 3_600_000L;

    private static AffinityCookie affinityCookie(ExgateConfig config) {
        if (config.routing().cookieSecret().isPresent()) {
            return new AffinityCookie(config.routing().cookieSecret().get().getBytes(StandardCharsets.UTF_8));
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        LOG.warn("routing.cookie-secret is not set: using a random one. Replicas of exgate will not honour each other's "
                + "affinity cookies (mailbox routing still agrees, it hashes the same everywhere); set the same secret on all.");
        return new AffinityCookie(secret);
    }

    private static ExgateMeters meters(ExgateConfig config, TlsEngine engine, BackendStates states,
                                       Map<VirtualDirectory, List<Backend>> probed, PinnedConnections.Shared pins, HttpProxyLog log) {
        ExgateMeters meters = new ExgateMeters(ExgateVersion.get(), engine.name().toLowerCase(java.util.Locale.ROOT));
        probed.forEach((vdir, backends) -> backends.forEach(b -> meters.backendGauges(b.name(), vdir.path(),
                () -> states.isAvailable(b, vdir), () -> probeLatencySeconds(states, b, vdir))));
        states.addListener(change -> meters.backendStateChanged(change.backend().name(), change.vdir().path(),
                change.to().name().toLowerCase(java.util.Locale.ROOT)));
        config.backends().forEach(b -> meters.pinnedConnections(b.backend().name(), () -> pins.pinnedTo(b.backend().name())));
        meters.httpProxyLog(log::written, log::dropped);
        meters.certificates(expiries(config.certificates()));
        return meters;
    }

    /** Off the event loop: asks each https backend for its certificate; logs and exports the verdicts. */
    private static void checkExtendedProtection(Vertx vertx, ExgateConfig config, List<PemCertificate> certs, ExgateMeters meters) {
        vertx.executeBlocking(() -> ExtendedProtectionCheck.run(config, certs, 3_000)).onSuccess(results -> results.forEach(r -> {
            if (r.matches().isPresent()) {
                boolean same = r.matches().get();
                meters.backendCertificateMatch(r.backend(), same);
                if (same) {
                    LOG.info("backend {} {}", r.backend(), r.detail());
                } else {
                    LOG.warn("backend {} {}", r.backend(), r.detail());
                }
            } else {
                LOG.info("backend {}: {}", r.backend(), r.detail());
            }
        }));
    }

    private static double probeLatencySeconds(BackendStates states, Backend backend, VirtualDirectory vdir) {
        return states.snapshot().stream()
                .filter(s -> s.backend().equals(backend.name()) && s.vdir().equals(vdir.path()) && s.lastProbe() != null)
                .mapToDouble(s -> s.lastProbe().latency().toNanos() / 1e9).findFirst().orElse(Double.NaN);
    }

    private static List<ExgateMeters.CertificateExpiry> expiries(List<PemCertificate> certs) {
        return certs.stream().map(c -> new ExgateMeters.CertificateExpiry(c.leaf().getSubjectX500Principal().getName(),
                String.join(" ", CertificateNames.of(c.leaf())), c.leaf().getNotAfter().toInstant())).toList();
    }

    /** The host name the HttpProxy log's ServerHostName shows; read once at start. */
    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return env == null ? "localhost" : env;
        }
    }

    /** Backend states per protocol: probes, ejection, drain, maintenance. */
    public BackendStates backendStates() {
        return states;
    }

    /** Lines written and dropped by the HttpProxy log, for metrics and tests. */
    public HttpProxyLog httpProxyLog() {
        return httpProxyLog;
    }

    private static void warnAboutUnverifiedBackends(ExgateConfig config) {
        config.backends().stream().filter(b -> b.backend().tls() && !b.verify()).forEach(b ->
                LOG.warn("backend {} ({}): TLS verification is off (tls.verify: false); use tls.ca or tls.fingerprint outside a lab",
                        b.backend().name(), b.backend().url()));
    }

    /** Loads the certificates again and puts them into service for new handshakes; fails, changing nothing, if one does not load. */
    public Future<String> reloadTls(String trigger) {
        return certificates.reload(trigger);
    }

    public int port() {
        return port;
    }

    public Optional<Integer> adminPort() {
        return admin.map(AdminServer::port);
    }

    public TlsEngine engine() {
        return engine;
    }

    /** Stops accepting, lets requests in flight finish within {@code timeouts.shutdown}, then closes. */
    public Future<Void> stop() {
        LOG.info("exgate stopping: no new connections; waiting for requests in flight");
        certificates.stop();
        checker.stop();
        Future<Void> adminClosed = admin.map(AdminServer::close).orElse(Future.succeededFuture());
        List<Future<Void>> undeploys = deployments.stream().map(vertx::undeploy).toList();
        return Future.join(new ArrayList<>(undeploys)).mapEmpty()
                .eventually(() -> adminClosed)
                // Every line queued before the stop is written: requests that ended during the drain included.
                .eventually(() -> vertx.executeBlocking(() -> httpProxyLog.close(Duration.ofSeconds(10))))
                .eventually(vertx::close)
                .onComplete(v -> LOG.info("exgate stopped"))
                .mapEmpty();
    }
}
