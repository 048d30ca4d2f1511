package io.exgate.health;

import io.exgate.routing.Backend;
import io.exgate.routing.BackendHealth;
import io.exgate.routing.ExchangeProtocol;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.json.JsonArray;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health the router consults: per backend × virtual directory, what probes and failed requests
 * say, plus per-backend drain and exgate's own maintenance switch. Thread-safe: event loops ask and
 * report, the probe scheduler records. Time (ejection cool-down, drain timeout) comes from the
 * injected clock and takes effect when the state is next read or recorded.
 */
public final class BackendStates implements BackendHealth {

    private static final Logger LOG = LoggerFactory.getLogger(BackendStates.class);

    private volatile HealthSettings settings;
    /** After a reload, the backends still configured per virtual directory; null: any. */
    private volatile Map<VirtualDirectory, Set<String>> configured;
    private final Clock clock;
    /**
     * Per virtual directory, by backend name. Looked up several times per request: a map per virtual
     * directory needs no key object made for each lookup, as a map by (backend, directory) pair did.
     */
    private final Map<VirtualDirectory, Map<String, ProtocolHealth>> tracked = new EnumMap<>(VirtualDirectory.class);
    /** Backend name → when its drain started (epoch millis). */
    private final Map<String, Long> drains = new ConcurrentHashMap<>();
    private final List<Consumer<StateChange>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean maintenance;

    public BackendStates(HealthSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public BackendStates(HealthSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
        for (VirtualDirectory vdir : VirtualDirectory.values()) {
            tracked.put(vdir, new ConcurrentHashMap<>()); // never changed after this: safe to read from any thread
        }
    }

    public HealthSettings settings() {
        return settings;
    }

    /** Starts tracking a backend for a virtual directory, up until probes say otherwise. */
    public void track(Backend backend, VirtualDirectory vdir) {
        if (isConfigured(backend, vdir)) {
            entry(backend, vdir);
        }
    }

    /** Called for every state change, after it is logged, on the thread that caused it. */
    public void addListener(Consumer<StateChange> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void recordProbe(Backend backend, VirtualDirectory vdir, ProbeResult result) {
        if (!isConfigured(backend, vdir)) {
            return;
        }
        publish(entry(backend, vdir).probed(result, clock.instant(), drainOf(backend.name())));
    }

    /**
     * What the proxy saw on a real request: a failure is a connect failure or a 5xx answer. A run of
     * {@link HealthSettings#ejectAfter()} failures ejects the backend for this virtual directory.
     */
    public void recordPassive(Backend backend, VirtualDirectory vdir, boolean failure) {
        if (!isConfigured(backend, vdir)) {
            // A request still running on a backend a reload removed: it must not bring it back.
            return;
        }
        entry(backend, vdir).passive(failure, clock, drainOf(backend.name())).forEach(this::publish);
    }

    @Override
    public boolean isAvailable(Backend backend, ExchangeProtocol protocol) {
        return isAvailable(backend, protocol.virtualDirectory());
    }

    @Override
    public boolean acceptsNewSessions(Backend backend, ExchangeProtocol protocol) {
        return acceptsNewSessions(backend, protocol.virtualDirectory());
    }

    @Override
    public Admission admission(Backend backend, ExchangeProtocol protocol) {
        BackendState state = state(backend, protocol.virtualDirectory());
        return !state.available() ? Admission.NONE : state.acceptsNewSessions() ? Admission.ALL : Admission.PLACED_SESSIONS;
    }

    public boolean isAvailable(Backend backend, VirtualDirectory vdir) {
        return state(backend, vdir).available();
    }

    public boolean acceptsNewSessions(Backend backend, VirtualDirectory vdir) {
        return state(backend, vdir).acceptsNewSessions();
    }

    /** The current state; a pair nobody probes or reports on is up unless its backend is drained. */
    public BackendState state(Backend backend, VirtualDirectory vdir) {
        ProtocolHealth.Drain drain = drainOf(backend.name());
        ProtocolHealth health = tracked.get(vdir).get(backend.name());
        if (health == null) {
            return switch (drain) {
                case NONE -> BackendState.UP;
                case DRAINING -> BackendState.DRAINING;
                case DRAINED -> BackendState.DRAINED;
            };
        }
        publish(health.refresh(clock, drain));
        return health.state();
    }

    /** The backends tracked for a virtual directory. */
    public List<Backend> backends(VirtualDirectory vdir) {
        return tracked.get(vdir).values().stream()
                .map(ProtocolHealth::backend)
                .sorted(Comparator.comparing(Backend::name))
                .toList();
    }

    /**
     * Drains a backend on every virtual directory: open sessions continue, new ones go elsewhere,
     * and after {@link HealthSettings#drainTimeout()} it is fully out until {@link #enable}.
     *
     * @return false when no backend of that name is tracked
     */
    public boolean drain(String backendName) {
        if (!isTracked(backendName)) {
            return false;
        }
        drains.putIfAbsent(backendName, clock.millis());
        refreshBackend(backendName, "drain requested, timeout " + ProtocolHealth.human(settings.drainTimeout()));
        return true;
    }

    /** Ends a drain (running or timed out). @return false when no backend of that name is tracked */
    public boolean enable(String backendName) {
        if (!isTracked(backendName)) {
            return false;
        }
        drains.remove(backendName);
        refreshBackend(backendName, "enabled by operator");
        return true;
    }

    public boolean isDraining(String backendName) {
        return drains.containsKey(backendName);
    }

    /** exgate itself in maintenance: its healthcheck.htm answers 503 so balancers in front move away. */
    public void setMaintenance(boolean on) {
        if (maintenance != on) {
            maintenance = on;
            LOG.info("exgate maintenance {}", on ? "on: healthcheck.htm answers 503" : "off");
        }
    }

    public boolean inMaintenance() {
        return maintenance;
    }

    /** Every tracked backend × virtual directory, by backend name and virtual directory. */
    public List<BackendStatus> snapshot() {
        Instant now = clock.instant();
        List<BackendStatus> statuses = new ArrayList<>();
        for (Map<String, ProtocolHealth> byName : tracked.values()) {
            for (ProtocolHealth health : byName.values()) {
                publish(health.refresh(now, drainOf(health.backend().name()), null));
                statuses.add(health.status());
            }
        }
        statuses.sort(Comparator.comparing((BackendStatus s) -> s.backend().name()).thenComparing(BackendStatus::vdir));
        return statuses;
    }

    /** The body of {@code GET /api/backends}. */
    public JsonArray toJson() {
        JsonArray array = new JsonArray();
        snapshot().forEach(status -> array.add(status.toJson()));
        return array;
    }

    private ProtocolHealth entry(Backend backend, VirtualDirectory vdir) {
        Map<String, ProtocolHealth> byName = tracked.get(vdir);
        ProtocolHealth health = byName.get(backend.name()); // first without computeIfAbsent's capturing lambda
        return health != null ? health
                : byName.computeIfAbsent(backend.name(), name -> new ProtocolHealth(backend, vdir, this::settings, clock.instant()));
    }

    /**
     * A configuration reload: new settings for every pair, and only the given backends tracked from now
     * on. A pair kept (same name and URL) keeps its state and history; a backend whose URL changed starts
     * afresh, up until probes say otherwise; drains of removed backends end.
     */
    public void reconfigure(HealthSettings newSettings, Map<VirtualDirectory, List<Backend>> targets) {
        Map<VirtualDirectory, Set<String>> keep = new EnumMap<>(VirtualDirectory.class);
        targets.forEach((vdir, backends) -> keep.put(vdir,
                backends.stream().map(Backend::name).collect(Collectors.toUnmodifiableSet())));
        Map<String, Backend> byName = new HashMap<>();
        targets.values().forEach(list -> list.forEach(b -> byName.put(b.name(), b)));
        settings = Objects.requireNonNull(newSettings);
        configured = Collections.unmodifiableMap(keep);
        tracked.forEach((vdir, tracking) -> tracking.entrySet().removeIf(e -> !keep.getOrDefault(vdir, Set.of()).contains(e.getKey())
                || !e.getValue().backend().equals(byName.get(e.getKey()))));
        drains.keySet().removeIf(name -> !byName.containsKey(name));
        targets.forEach((vdir, backends) -> backends.forEach(b -> track(b, vdir)));
    }

    private boolean isConfigured(Backend backend, VirtualDirectory vdir) {
        Map<VirtualDirectory, Set<String>> names = configured;
        return names == null || names.getOrDefault(vdir, Set.of()).contains(backend.name());
    }

    private boolean isTracked(String backendName) {
        return tracked.values().stream().anyMatch(byName -> byName.containsKey(backendName));
    }

    private void refreshBackend(String backendName, String reason) {
        Instant now = clock.instant();
        ProtocolHealth.Drain drain = drainOf(backendName);
        for (Map<String, ProtocolHealth> byName : tracked.values()) {
            ProtocolHealth health = byName.get(backendName);
            if (health != null) {
                publish(health.refresh(now, drain, reason));
            }
        }
    }

    private ProtocolHealth.Drain drainOf(String backendName) {
        Long started = drains.get(backendName);
        if (started == null) {
            return ProtocolHealth.Drain.NONE;
        }
        return clock.millis() - started >= settings.drainTimeout().toMillis()
                ? ProtocolHealth.Drain.DRAINED : ProtocolHealth.Drain.DRAINING;
    }

    private void publish(StateChange change) {
        if (change == null) {
            return;
        }
        if (change.to().available()) {
            LOG.info("{}", change);
        } else {
            LOG.warn("{}", change);
        }
        for (Consumer<StateChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("state change listener failed on {}", change, e);
            }
        }
    }
}
