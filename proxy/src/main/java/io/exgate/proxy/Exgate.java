package io.exgate.proxy;

import io.exgate.proxy.admin.AdminServer;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.metrics.ExgateMeters;
import io.exgate.metrics.HttpProxyLog;
import io.exgate.tls.CertificateNames;
import io.exgate.tls.PemCertificate;
import io.exgate.metrics.HttpProxyLogSettings;
import io.exgate.proxy.http.ClientConnections;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Path;
import io.exgate.proxy.config.ConfigLoader;
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
    private final OpenChannels channels;
    private final List<String> deployments;
    private final List<FrontendVerticle> listeners;
    private final int port;
    private final Optional<AdminServer> admin;
    private final TlsEngine engine;
    private final CertificateReloader certificates;
    private final LiveHttpProxyLog httpProxyLog;
    private final BackendStates states;
    private final Routing routing;
    private final ExgateMeters meters;
    private final PinnedConnections.Shared pins;
    private final ClientConnections connections;
    private final AtomicBoolean reloading = new AtomicBoolean();
    // Replaced by a configuration reload; read and written only by start and reload, one at a time.
    private volatile ExgateConfig config;
    private volatile HealthChecker checker;
    private volatile Optional<MailboxMapReloader> mapReloader;

    private Exgate(Vertx vertx, OpenChannels channels, List<String> deployments, List<FrontendVerticle> listeners,
                   Optional<AdminServer> admin, TlsEngine engine, CertificateReloader certificates, LiveHttpProxyLog httpProxyLog,
                   BackendStates states, Routing routing, ExgateMeters meters, PinnedConnections.Shared pins, ExgateConfig config,
                   HealthChecker checker, Optional<MailboxMapReloader> mapReloader, ClientConnections connections) {
        this.vertx = vertx;
        this.channels = channels;
        this.connections = connections;
        this.deployments = deployments;
        this.listeners = listeners;
        this.port = listeners.get(0).actualPort();
        this.admin = admin;
        this.engine = engine;
        this.certificates = certificates;
        this.httpProxyLog = httpProxyLog;
        this.states = states;
        this.routing = routing;
        this.meters = meters;
        this.pins = pins;
        this.config = config;
        this.checker = checker;
        this.mapReloader = mapReloader;
    }

    /** What routing keeps across reloads: the mailbox map in service, remembered placements, outstanding counts. */
    private record Routing(AtomicReference<MailboxMap> mailboxMap, StickyTable sticky, OutstandingRequests outstanding,
                           AtomicReference<AffinityCookie> cookie) {
        MailboxRouter router(ExgateConfig config, BackendStates states) {
            return new MailboxRouter(config.routing().routes(), cookie.get(), mailboxMap::get, sticky, states, outstanding);
        }
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
        EventLoopTransport transport = EventLoopTransport.resolve(config.transport());
        // No context class loader swap around every callback: exgate is one class loader (the jar's), and
        // Vert.x otherwise sets and restores it on each dispatch, several times per request.
        OpenChannels channels = new OpenChannels();
        Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops).setDisableTCCL(true))
                .withTransport(transport.forVertxInstance(channels)).build();
        Routing routing = new Routing(new AtomicReference<>(config.routing().initialMap()),
                new StickyTable(STICKY_CAPACITY, STICKY_IDLE_MILLIS, System::nanoTime), new OutstandingRequests(),
                new AtomicReference<>(affinityCookie(config)));
        BackendStates states = new BackendStates(config.health());
        MailboxRouter router = routing.router(config, states);
        Map<VirtualDirectory, List<Backend>> probeTargets = probeTargets(config);
        states.reconfigure(config.health(), probeTargets);
        HealthChecker checker = healthChecker(vertx, config, states, probeTargets);
        String hostName = hostName();
        PinnedConnections.Shared pinCounts = new PinnedConnections.Shared();
        Optional<MailboxMapReloader> reloader = mapReloader(vertx, config, routing.mailboxMap());
        LiveHttpProxyLog httpProxyLog = new LiveHttpProxyLog(HttpProxyLog.open(logSettings(config), Clock.systemUTC()));
        ExgateMeters meters = new ExgateMeters(ExgateVersion.get(), engine.name().toLowerCase(java.util.Locale.ROOT), transport.configName());
        states.addListener(change -> meters.backendStateChanged(change.backend().name(), change.vdir().path(),
                change.to().name().toLowerCase(java.util.Locale.ROOT)));
        meters.httpProxyLog(httpProxyLog::written, httpProxyLog::dropped);
        meters.certificates(expiries(config.certificates()));
        backendMeters(meters, states, pinCounts, Map.of(), probeTargets);
        FrontendContext context = new FrontendContext(router, pinCounts, httpProxyLog::log, hostName, ExgateVersion.get(),
                config.logs().anonymous401(), states, new HealthcheckPage(states, hostName), meters,
                new ClientConnections(config.limits().maxConnections()));
        meters.openConnections(context.connections()::open);
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
        AtomicReference<Exgate> self = new AtomicReference<>();
        AdminServer.Actions actions = new AdminServer.Actions(() -> certificates.reload("POST /api/tls/reload"),
                () -> self.get().reload("POST /api/reload"), states, meters::scrape, meters::stats);
        Future<Exgate> started = chain.compose(v -> config.admin().isPresent()
                ? AdminServer.start(vertx, config.admin().get(), actions).map(Optional::of)
                : Future.succeededFuture(Optional.<AdminServer>empty())
        ).map(admin -> {
            reloader.ifPresent(MailboxMapReloader::start);
            certificates.watch();
            checker.start();
            checkExtendedProtection(vertx, config, config.certificates(), meters);
            Exgate exgate = new Exgate(vertx, channels, deployments, listeners, admin, engine, certificates, httpProxyLog, states,
                    routing, meters, pinCounts, config, checker, reloader, context.connections());
            self.set(exgate);
            LOG.info("exgate {} listening on https://{}:{} (TLS engine: {}; {}; {} event loops on {}); backends: {}{}",
                    ExgateVersion.get(), config.listen().host(), exgate.port, engine.describe(),
                    String.join(", ", config.tls().policy().protocols()) + (config.tls().http2() ? ", h2 and http/1.1" : ", http/1.1"), loops,
                    transport.configName(),
                    describeBackends(config),
                    admin.map(a -> "; admin on http://" + config.admin().get().listen().host() + ":" + a.port()
                            + (config.admin().get().token().isPresent() ? " (bearer token required)" : "")).orElse(""));
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
                channels.closeThenVertx(vertx);
            }
        });
        return result.future();
    }

    /**
     * Reads the configuration file again and puts it into service without dropping a connection:
     * backends (added, removed, moved), weights, routes, the mailbox map, the cookie secret, health
     * settings, backend timeouts and log settings. Requests in flight finish where they are; new ones
     * follow the new configuration. An invalid file is refused and the configuration in service stays.
     * Listener settings (listen, proxy-protocol, tls, admin, limits, pinning, logs.anonymous-401,
     * timeouts.request-header) need a restart; a change to them is reported, not applied.
     *
     * @return what changed, one line per item
     */
    public Future<String> reload(String trigger) {
        ExgateConfig before = config;
        Path file = Path.of(before.source());
        if (!Files.isRegularFile(file)) {
            return Future.failedFuture(new ReloadRefusedException("this configuration was not loaded from a file (" + before.source() + ")"));
        }
        if (!reloading.compareAndSet(false, true)) {
            return Future.failedFuture(new ReloadRefusedException("a reload is already in progress"));
        }
        LOG.info("{}: reloading the configuration from {}", trigger, file);
        return vertx.executeBlocking(() -> ConfigLoader.load(file))
                .compose(next -> apply(before, next))
                .onComplete(ar -> {
                    reloading.set(false);
                    if (ar.succeeded()) {
                        LOG.info("{}: configuration reloaded from {}: {}", trigger, file, ar.result().replace("\n", "; "));
                    } else {
                        LOG.warn("{}: configuration refused, the one in service stays: {}", trigger, ar.cause().getMessage());
                    }
                });
    }

    /** A reload that could not even start; the configuration in service stays. */
    public static final class ReloadRefusedException extends RuntimeException {
        ReloadRefusedException(String message) {
            super(message, null, false, false);
        }
    }

    private Future<String> apply(ExgateConfig before, ExgateConfig next) {
        ConfigChanges changes = ConfigChanges.between(before, next);
        if (!next.routing().cookieSecret().equals(before.routing().cookieSecret())) {
            routing.cookie().set(affinityCookie(next));
        }
        Map<VirtualDirectory, List<Backend>> oldTargets = probeTargets(before);
        Map<VirtualDirectory, List<Backend>> targets = probeTargets(next);
        // Order matters: health knows the new backends before the router can choose them.
        states.reconfigure(next.health(), targets);
        backendMeters(meters, states, pins, oldTargets, targets);
        mapReloader.ifPresent(MailboxMapReloader::stop);
        routing.mailboxMap().set(next.routing().initialMap());
        mapReloader = mapReloader(vertx, next, routing.mailboxMap());
        mapReloader.ifPresent(MailboxMapReloader::start);
        MailboxRouter router = routing.router(next, states);
        Duration grace = next.health().drainTimeout();
        Future<Void> swapped = Future.all(listeners.stream().map(l -> l.reconfigure(next, router, grace)).toList()).mapEmpty();
        HealthChecker oldChecker = checker;
        checker = healthChecker(vertx, next, states, targets);
        Future<Void> probing = oldChecker.stop().eventually(() -> {
            checker.start();
            return Future.succeededFuture();
        });
        Future<Void> logs = changes.logsChanged()
                ? vertx.executeBlocking(() -> {
                    Files.createDirectories(next.logDirectory());
                    httpProxyLog.replace(HttpProxyLog.open(logSettings(next), Clock.systemUTC()), Duration.ofSeconds(10));
                    return null;
                })
                : Future.succeededFuture();
        config = next;
        warnAboutUnverifiedBackends(next);
        return Future.all(swapped, probing, logs).map(v -> changes.describe());
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

    private static Map<VirtualDirectory, List<Backend>> probeTargets(ExgateConfig config) {
        Map<VirtualDirectory, List<Backend>> targets = new EnumMap<>(VirtualDirectory.class);
        for (VirtualDirectory v : VirtualDirectory.values()) {
            targets.put(v, config.routing().routes().forDirectory(v).stream().map(WeightedBackend::backend).toList());
        }
        return targets;
    }

    private static HealthChecker healthChecker(Vertx vertx, ExgateConfig config, BackendStates states,
                                               Map<VirtualDirectory, List<Backend>> targets) {
        Map<String, BackendSettings> byName = config.backends().stream().collect(Collectors.toMap(b -> b.backend().name(), b -> b));
        return new HealthChecker(vertx, states, targets, b -> BackendClients.options(byName.get(b.name()), config.timeouts()),
                config.tls().names().isEmpty() ? null : config.tls().names().get(0));
    }

    private static Optional<MailboxMapReloader> mapReloader(Vertx vertx, ExgateConfig config, AtomicReference<MailboxMap> map) {
        return config.routing().mailboxMap().map(file -> new MailboxMapReloader(vertx, file,
                config.backends().stream().map(b -> b.backend().name()).collect(Collectors.toSet()), map));
    }

    private static HttpProxyLogSettings logSettings(ExgateConfig config) {
        return new HttpProxyLogSettings(config.logs().directory(), config.logs().maxFileSize(), config.logs().maxAge(),
                config.logs().maxTotalSize(), HttpProxyLogSettings.DEFAULT_QUEUE_CAPACITY, ExgateVersion.get());
    }

    /** Gauges for backend × protocol pairs that are new, and none left for pairs and backends that went. */
    private static void backendMeters(ExgateMeters meters, BackendStates states, PinnedConnections.Shared pins,
                                      Map<VirtualDirectory, List<Backend>> before, Map<VirtualDirectory, List<Backend>> after) {
        java.util.Set<String> namesBefore = new java.util.HashSet<>();
        java.util.Set<String> namesAfter = new java.util.HashSet<>();
        before.values().forEach(list -> list.forEach(b -> namesBefore.add(b.name())));
        after.values().forEach(list -> list.forEach(b -> namesAfter.add(b.name())));
        before.forEach((vdir, backends) -> backends.forEach(b -> {
            if (!after.getOrDefault(vdir, List.of()).contains(b)) {
                meters.forgetBackendGauges(b.name(), vdir.path());
            }
        }));
        namesBefore.stream().filter(n -> !namesAfter.contains(n)).forEach(meters::forgetBackend);
        after.forEach((vdir, backends) -> backends.forEach(b -> {
            if (!before.getOrDefault(vdir, List.of()).contains(b)) {
                meters.backendGauges(b.name(), vdir.path(), () -> states.isAvailable(b, vdir), () -> probeLatencySeconds(states, b, vdir));
            }
        }));
        namesAfter.stream().filter(n -> !namesBefore.contains(n)).forEach(n -> meters.pinnedConnections(n, () -> pins.pinnedTo(n)));
    }

    private static String describeBackends(ExgateConfig config) {
        return config.backends().stream().map(b -> b.backend().name() + " " + b.backend().url()).collect(Collectors.joining(", "));
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

    /** HttpProxy log lines written so far (all logs this run), for tests. */
    public long httpProxyLogWritten() {
        return httpProxyLog.written();
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
        LOG.info("exgate stopping: requests from now on are answered with Connection: close; then no new connections, "
                + "requests in flight finish");
        certificates.stop();
        checker.stop();
        mapReloader.ifPresent(MailboxMapReloader::stop);
        connections.startDrain();
        Future<Void> adminClosed = admin.map(AdminServer::close).orElse(Future.succeededFuture());
        // A short linger first: a keep-alive client whose next request is already on its way gets an answer
        // (with Connection: close) instead of a connection closed under it.
        long linger = Math.min(DRAIN_LINGER_MILLIS, Math.max(0, config.timeouts().shutdown().toMillis() / 4));
        Promise<Void> lingered = Promise.promise();
        if (linger > 0) {
            vertx.setTimer(linger, t -> lingered.complete());
        } else {
            lingered.complete();
        }
        Promise<Void> stopped = Promise.promise();
        lingered.future()
                .compose(v -> {
                    Promise<Void> closed = Promise.promise();
                    connections.stopAccepting(closed::complete);
                    return closed.future();
                })
                .compose(v -> Future.join(new ArrayList<>(deployments.stream().map(vertx::undeploy).toList())).mapEmpty())
                .eventually(() -> adminClosed)
                .eventually(() -> channels.closeThenVertx(vertx))
                .onComplete(v -> {
                    // After the event loops have stopped: a long poll cut at the end of the grace period has
                    // queued its line by now. Every queued line is written before exgate reports it stopped.
                    if (!httpProxyLog.close(Duration.ofSeconds(10))) {
                        LOG.warn("HttpProxy log: lines still queued after 10 s");
                    }
                    LOG.info("exgate stopped");
                    stopped.complete();
                });
        return stopped.future();
    }

    /** How long a stop keeps serving (with Connection: close) before it stops accepting. */
    private static final long DRAIN_LINGER_MILLIS = 1_000;
}
