package io.exgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * exgate's Prometheus meters. Names follow Prometheus conventions ({@code exgate_…}, {@code _total},
 * {@code _seconds}, {@code _bytes}); label values come from closed sets (protocols, configured
 * backends, known actions), so a client cannot grow the number of series.
 */
public final class ExgateMeters {
    /** Resolves 1 ms to 10 min: long polls and RPC channels are long. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120),
        Duration.ofSeconds(300), Duration.ofSeconds(600)};
    private static final Set<String> ACTIONS = Set.of("Connect", "Execute", "Disconnect", "NotificationWait", "PING", "Bind",
            "Unbind", "CompareMIds", "DNToMId", "GetMatches", "GetPropList", "GetProps", "GetSpecialTable", "GetTemplateInfo",
            "ModLinkAtt", "ModProps", "QueryColumns", "QueryRows", "ResolveNames", "ResortRestriction", "SeekEntries",
            "UpdateStat", "GetMailboxUrl", "GetAddressBookUrl", "RPC_IN_DATA", "RPC_OUT_DATA", "Echo");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    private final AtomicInteger notificationWaits = new AtomicInteger();
    private final Map<String, AtomicInteger> certificateMatch = new ConcurrentHashMap<>();
    /** By protocol, then action: nested maps, so that a request's lookup builds no key string. */
    private final Map<String, Map<String, ActionMeters>> actionMeters = new ConcurrentHashMap<>();
    private final AtomicInteger rpcIn = new AtomicInteger();
    private final AtomicInteger rpcOut = new AtomicInteger();
    private final Counter connections;
    private final Counter handshakeFailures;
    private final Counter connectionsRefused;
    private volatile List<LongSupplier> logCounters = List.of();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final MultiGauge certificates;

    public ExgateMeters(String version, String tlsEngine, String transport) {
        // Two of Micrometer's binder names draw promtool lint warnings; renamed so that the whole page is clean.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getName().equals("system.cpu.count")) {
                    return id.withName("system.cpus");
                }
                return id;
            }
        });
        // A CPU-time counter in nanoseconds that promtool objects to; process_cpu_usage says the same.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("exgate.build.info", () -> 1).description("exgate's version, TLS engine and event-loop transport")
                .tags("version", version, "tls_engine", tlsEngine, "transport", transport).register(registry);
        Gauge.builder("exgate.active.notification.waits", notificationWaits, AtomicInteger::get)
                .description("MAPI NotificationWait long polls in progress").register(registry);
        Gauge.builder("exgate.active.rpc.channels", rpcIn, AtomicInteger::get).tag("direction", "in")
                .description("RPC over HTTP channels in progress").register(registry);
        Gauge.builder("exgate.active.rpc.channels", rpcOut, AtomicInteger::get).tag("direction", "out")
                .description("RPC over HTTP channels in progress").register(registry);
        connections = Counter.builder("exgate.client.connections").description("client connections accepted").register(registry);
        connectionsRefused = Counter.builder("exgate.client.connections.refused")
                .description("client connections closed at once because limits.max-connections was reached").register(registry);
        handshakeFailures = Counter.builder("exgate.tls.handshake.failures").description("TLS handshakes that failed")
                .register(registry);
        certificates = MultiGauge.builder("exgate.certificate.expiry.timestamp").baseUnit("seconds")
                .description("when each listener certificate expires (Unix time)").register(registry);
    }

    /** The text exposition for {@code GET /metrics}. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** An action as a label: known names as they are, anything else {@code Other}. */
    static String action(String action) {
        return action == null ? "None" : ACTIONS.contains(action) ? action : "Other";
    }

    public void requestStarted(String protocol, String action) {
        active(protocol).incrementAndGet();
        channel(action, 1);
    }

    public void requestEnded(String protocol, String action, String backend, int status, long nanos, long bytesIn, long bytesOut,
                             boolean wasStarted) {
        if (wasStarted) {
            active(protocol).decrementAndGet();
            channel(action, -1);
        }
        String a = action(action);
        String b = backend == null ? "none" : backend;
        // Meters are looked up once per label set and cached: a tag lookup per request showed in profiles.
        ActionMeters m = actionMeters.computeIfAbsent(protocol, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(a, k -> new ActionMeters(protocol, a));
        m.requests(b, status).increment();
        m.duration.record(nanos, TimeUnit.NANOSECONDS);
        m.requestBytes.increment(bytesIn);
        m.responseBytes.increment(bytesOut);
    }

    /** The meters of one protocol and action; request counters by backend and status class. */
    private final class ActionMeters {
        private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"};
        private final String protocol;
        private final String action;
        private final Timer duration;
        private final Counter requestBytes;
        private final Counter responseBytes;
        private final Map<String, AtomicReferenceArray<Counter>> requests = new ConcurrentHashMap<>();

        ActionMeters(String protocol, String action) {
            this.protocol = protocol;
            this.action = action;
            this.duration = Timer.builder("exgate.request.duration").description("request duration, from the request head to the end of the answer")
                    .tags("protocol", protocol, "action", action).serviceLevelObjectives(BUCKETS).register(registry);
            this.requestBytes = Counter.builder("exgate.request.body").baseUnit("bytes").description("request body bytes relayed to backends")
                    .tag("protocol", protocol).register(registry);
            this.responseBytes = Counter.builder("exgate.response.body").baseUnit("bytes").description("response body bytes relayed to clients")
                    .tag("protocol", protocol).register(registry);
        }

        Counter requests(String backend, int status) {
            int statusClass = status <= 0 || status >= 1000 ? 0 : status / 100;
            AtomicReferenceArray<Counter> byClass = requests.computeIfAbsent(backend, k -> new AtomicReferenceArray<>(STATUS_CLASSES.length));
            Counter c = byClass.get(statusClass);
            if (c == null) {
                // Racing threads register the same meter and get the same instance back.
                c = Counter.builder("exgate.requests").description("requests by protocol, action, backend and status class")
                        .tags("protocol", protocol, "action", action, "backend", backend, "status_class", STATUS_CLASSES[statusClass])
                        .register(registry);
                byClass.set(statusClass, c);
            }
            return c;
        }
    }

    private void channel(String action, int delta) {
        if ("NotificationWait".equals(action)) {
            notificationWaits.addAndGet(delta);
        } else if ("RPC_IN_DATA".equals(action)) {
            rpcIn.addAndGet(delta);
        } else if ("RPC_OUT_DATA".equals(action)) {
            rpcOut.addAndGet(delta);
        }
    }

    private AtomicInteger active(String protocol) {
        return active.computeIfAbsent(protocol, p -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("exgate.active.requests", n, AtomicInteger::get).description("requests in progress")
                    .tag("protocol", p).register(registry);
            return n;
        });
    }

    public void connectionAccepted() {
        connections.increment();
    }

    public void tlsHandshakeFailed() {
        handshakeFailures.increment();
    }

    /** A request head refused before routing: smuggling vectors, limits, the header timeout. */
    public void requestRefused(String reason) {
        refused.computeIfAbsent(reason, r -> Counter.builder("exgate.requests.refused")
                .description("requests refused by the front end before routing, by reason").tag("reason", r).register(registry))
                .increment();
    }

    /** A client connection closed at once because the listener is at limits.max-connections. */
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    /** Client connections open now, on the public listener. */
    public void openConnections(java.util.function.IntSupplier open) {
        Gauge.builder("exgate.client.connections.open", open::getAsInt).description("client connections open on the public listener")
                .register(registry);
    }

    /** Backend state per protocol: 1 while it takes requests, 0 otherwise. */
    public void backendGauges(String backend, String vdir, BooleanSupplier up, DoubleSupplier probeLatencySeconds) {
        Gauge.builder("exgate.backend.up", () -> up.getAsBoolean() ? 1 : 0).description("1 while the backend takes requests for the protocol")
                .tags("backend", backend, "vdir", vdir).register(registry);
        Gauge.builder("exgate.backend.probe.latency", probeLatencySeconds::getAsDouble).baseUnit("seconds")
                .description("latency of the last healthcheck.htm probe").tags("backend", backend, "vdir", vdir).register(registry);
    }

    /**
     * A reload took a backend (or one of its protocols) out of the configuration: its gauges go, so that
     * dashboards do not show a server exgate no longer knows. Counters stay: they only ever grow.
     */
    public void forgetBackendGauges(String backend, String vdir) {
        for (String name : List.of("exgate.backend.up", "exgate.backend.probe.latency")) {
            registry.find(name).tags("backend", backend, "vdir", vdir).meters().forEach(registry::remove);
        }
    }

    /** A reload removed the backend altogether. */
    public void forgetBackend(String backend) {
        for (String name : List.of("exgate.pinned.connections", "exgate.backend.certificate.match")) {
            registry.find(name).tag("backend", backend).meters().forEach(registry::remove);
        }
        certificateMatch.remove(backend);
    }

    public void backendStateChanged(String backend, String vdir, String to) {
        Counter.builder("exgate.backend.state.changes").description("backend state changes by new state")
                .tags("backend", backend, "vdir", vdir, "to", to).register(registry).increment();
    }

    /** 1 when an https backend presents exgate's own certificate (Extended Protection works through exgate), 0 when not. */
    public void backendCertificateMatch(String backend, boolean matches) {
        certificateMatch.computeIfAbsent(backend, b -> {
            AtomicInteger v = new AtomicInteger();
            Gauge.builder("exgate.backend.certificate.match", v, AtomicInteger::get)
                    .description("1 when the backend presents exgate's certificate for the public name (Extended Protection works)")
                    .tag("backend", b).register(registry);
            return v;
        }).set(matches ? 1 : 0);
    }

    public void pinnedConnections(String backend, LongSupplier count) {
        Gauge.builder("exgate.pinned.connections", count::getAsLong).description("client connections pinned by NTLM or Negotiate")
                .tag("backend", backend).register(registry);
    }

    public void httpProxyLog(LongSupplier written, LongSupplier dropped) {
        // Micrometer holds a function counter's object weakly: kept here, or the first GC turns both into 0.
        logCounters = List.of(written, dropped);
        FunctionCounter.builder("exgate.httpproxy.log.written", written, LongSupplier::getAsLong)
                .description("HttpProxy log lines written").register(registry);
        FunctionCounter.builder("exgate.httpproxy.log.dropped", dropped, LongSupplier::getAsLong)
                .description("HttpProxy log lines dropped (queue full or disk failing)").register(registry);
    }

    /**
     * A summary for the status page: per protocol the requests so far, 5xx answers, requests in progress
     * and mean duration; long polls, RPC channels and connections. Rates come from the page's deltas.
     */
    public io.vertx.core.json.JsonObject stats() {
        io.vertx.core.json.JsonObject protocols = new io.vertx.core.json.JsonObject();
        for (Counter c : registry.find("exgate.requests").counters()) {
            io.vertx.core.json.JsonObject p = protocol(protocols, c.getId().getTag("protocol"));
            p.put("requests", p.getLong("requests") + (long) c.count());
            if ("5xx".equals(c.getId().getTag("status_class"))) {
                p.put("errors", p.getLong("errors") + (long) c.count());
            }
        }
        for (Timer t : registry.find("exgate.request.duration").timers()) {
            io.vertx.core.json.JsonObject p = protocol(protocols, t.getId().getTag("protocol"));
            p.put("timeMs", p.getDouble("timeMs") + t.totalTime(TimeUnit.MILLISECONDS)).put("timed", p.getLong("timed") + t.count());
        }
        active.forEach((name, n) -> protocol(protocols, name).put("active", n.get()));
        return new io.vertx.core.json.JsonObject().put("protocols", protocols).put("notificationWaits", notificationWaits.get())
                .put("rpcChannelsIn", rpcIn.get()).put("rpcChannelsOut", rpcOut.get()).put("connections", (long) connections.count());
    }

    private static io.vertx.core.json.JsonObject protocol(io.vertx.core.json.JsonObject all, String name) {
        io.vertx.core.json.JsonObject p = all.getJsonObject(name);
        if (p == null) {
            p = new io.vertx.core.json.JsonObject().put("requests", 0L).put("errors", 0L).put("active", 0).put("timeMs", 0.0)
                    .put("timed", 0L);
            all.put(name, p);
        }
        return p;
    }

    /** The listener certificates in service; replaces the previous set on every reload. */
    public void certificates(List<CertificateExpiry> current) {
        certificates.register(current.stream().map(c -> MultiGauge.Row.of(Tags.of("subject", c.subject(), "names", c.names()),
                c.notAfter().getEpochSecond())).toList(), true);
    }

    /** One certificate's expiry, for {@link #certificates}. */
    public record CertificateExpiry(String subject, String names, Instant notAfter) {
    }
}
