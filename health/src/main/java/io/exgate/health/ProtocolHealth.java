package io.exgate.health;

import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The state machine of one backend × virtual directory. Probes move it between up and down (rise,
 * fall); failed requests eject it for a cool-down; the backend's drain phase is passed in, as it is
 * kept per backend. Each method returns the change it caused, or null; the caller logs and notifies
 * outside the lock.
 */
final class ProtocolHealth {

    /** The drain phase of the whole backend. */
    enum Drain { NONE, DRAINING, DRAINED }

    private final Backend backend;
    private final VirtualDirectory vdir;
    /** Read on each use: a configuration reload changes rise, fall, ejection and drain for tracked pairs too. */
    private final java.util.function.Supplier<HealthSettings> settings;

    // These four are volatile so that the request path reads them without taking the lock; they change
    // under it.
    private volatile boolean probedUp = true; // as HAProxy: up until probes say otherwise
    private int successes;
    private int failures;
    private volatile int passiveFailures;
    private volatile long ejectedUntil = Long.MIN_VALUE;
    private volatile BackendState state = BackendState.UP;
    private Instant since;
    private String why = "initial state: up until probes say otherwise";
    private ProbeResult lastProbe;
    private Instant lastProbeAt;
    private long probes;
    private long failedProbes;
    private long ejections;
    private long stateChanges;

    ProtocolHealth(Backend backend, VirtualDirectory vdir, java.util.function.Supplier<HealthSettings> settings, Instant now) {
        this.backend = backend;
        this.vdir = vdir;
        this.settings = settings;
        this.since = now;
    }

    Backend backend() {
        return backend;
    }

    VirtualDirectory vdir() {
        return vdir;
    }

    BackendState state() {
        return state;
    }

    synchronized StateChange probed(ProbeResult result, Instant now, Drain drain) {
        probes++;
        lastProbe = result;
        lastProbeAt = now;
        String reason = null;
        if (result.healthy()) {
            successes++;
            failures = 0;
            if (!probedUp && successes >= settings.get().rise()) {
                probedUp = true;
                reason = successes + " successful probes";
            }
        } else {
            failedProbes++;
            failures++;
            successes = 0;
            if (probedUp && failures >= settings.get().fall()) {
                probedUp = false;
                reason = failures + " failed probes: " + result.failure();
            }
        }
        return refresh(now, drain, reason);
    }

    /**
     * Usually no change; one; two when a run of failures ends an ejection and starts the next. Every
     * proxied answer comes here, so the usual case allocates nothing.
     */
    List<StateChange> passive(boolean failure, Clock clock, Drain drain) {
        if (!failure && passiveFailures == 0) {
            return changes(refresh(clock, drain)); // the usual answer: no run of failures to end, no lock
        }
        synchronized (this) {
            return passiveLocked(failure, clock, drain);
        }
    }

    private List<StateChange> passiveLocked(boolean failure, Clock clock, Drain drain) {
        StateChange timed = refresh(clock, drain);
        if (!failure) {
            passiveFailures = 0;
            return changes(timed);
        }
        // Late answers of requests sent before it went out say nothing new; a short run ejects nothing yet.
        if (!state.available() || ++passiveFailures < settings.get().ejectAfter()) {
            return changes(timed);
        }
        passiveFailures = 0; // after the cool-down it takes another full run of failures
        ejections++;
        Instant now = clock.instant();
        ejectedUntil = now.toEpochMilli() + settings.get().ejectCooldown().toMillis();
        List<StateChange> changes = new ArrayList<>(2);
        addIfChanged(changes, timed);
        addIfChanged(changes, refresh(now, drain, settings.get().ejectAfter() + " failed requests in a row"
                + " (connect failures or 5xx), ejected for " + human(settings.get().ejectCooldown())));
        return changes;
    }

    /** The change as a list: none, or the one. */
    private static List<StateChange> changes(StateChange change) {
        return change == null ? List.of() : List.of(change);
    }

    private static void addIfChanged(List<StateChange> changes, StateChange change) {
        if (change != null) {
            changes.add(change);
        }
    }

    /**
     * {@link #refresh(Instant, Drain, String)} for the request path, which reads the state several times
     * per request: without the lock, and reading the clock as an {@code Instant} (an allocation) only
     * when the state changes (the locked refresh then looks again).
     */
    StateChange refresh(Clock clock, Drain drain) {
        return effective(clock.millis(), drain) == state ? null : refresh(clock.instant(), drain, null);
    }

    /**
     * Recomputes the state from probes, ejection and drain; time alone ends an ejection or a drain.
     *
     * @param reason why, if this call changes the state; null lets the transition speak for itself
     */
    synchronized StateChange refresh(Instant now, Drain drain, String reason) {
        BackendState next = effective(now.toEpochMilli(), drain);
        if (next == state) {
            return null;
        }
        StateChange change = new StateChange(backend, vdir, state, next, reason != null ? reason : describe(state, next),
                now);
        state = next;
        since = now;
        why = change.reason();
        stateChanges++;
        return change;
    }

    synchronized BackendStatus status() {
        String mismatch = lastProbe != null && lastProbe.healthy()
                ? ServerIdentity.mismatch(backend, lastProbe.serverName()) : null;
        return new BackendStatus(backend, vdir, state, since, why, lastProbe, lastProbeAt, successes, failures,
                passiveFailures, probes, failedProbes, ejections, stateChanges, mismatch);
    }

    /** Which cause wins when several hold: a timed-out drain, then ejection, then probes, then drain. */
    private BackendState effective(long nowMillis, Drain drain) {
        if (drain == Drain.DRAINED) {
            return BackendState.DRAINED;
        }
        if (nowMillis < ejectedUntil) {
            return BackendState.EJECTED;
        }
        if (!probedUp) {
            return BackendState.DOWN;
        }
        return drain == Drain.DRAINING ? BackendState.DRAINING : BackendState.UP;
    }

    private String describe(BackendState from, BackendState to) {
        if (to == BackendState.DRAINED) {
            return "drain timeout of " + human(settings.get().drainTimeout()) + " reached";
        }
        if (to == BackendState.DRAINING) {
            return "draining: open sessions continue, no new ones";
        }
        if (from == BackendState.EJECTED) {
            if (to != BackendState.DOWN) {
                return "ejection over, probes pass";
            }
            String failure = lastProbe != null ? lastProbe.failure() : null;
            return "ejection over, probes say down" + (failure != null ? ": " + failure : "");
        }
        if (from == BackendState.DRAINING || from == BackendState.DRAINED) {
            return "enabled";
        }
        return "state recomputed";
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return ms + " ms";
    }
}
