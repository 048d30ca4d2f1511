package io.exgate.health;

import io.exgate.routing.VirtualDirectory;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How backends are probed and judged. Defaults follow vendor guides for Exchange: probe every 5 s
 * with a 2 s timeout, two failures take a protocol out, two successes bring it back.
 *
 * @param interval      time between probes of one backend × virtual directory
 * @param timeout       a probe that has not finished by then failed
 * @param rise          consecutive successful probes that bring a down protocol up
 * @param fall          consecutive failed probes that take an up protocol down
 * @param jitter        fraction of the interval each delay varies by (0.1 = ±10 %), so probes of
 *                      many backends do not arrive in step
 * @param ejectAfter    consecutive failed requests (reported by the proxy) that eject a protocol
 * @param ejectCooldown how long an ejection lasts before probes decide again
 * @param drainTimeout  how long a draining backend keeps its open sessions before it is fully out
 * @param probes        per virtual directory overrides of {@link ProbeSpec#healthcheck}
 */
public record HealthSettings(
        Duration interval,
        Duration timeout,
        int rise,
        int fall,
        double jitter,
        int ejectAfter,
        Duration ejectCooldown,
        Duration drainTimeout,
        Map<VirtualDirectory, ProbeSpec> probes) {

    public HealthSettings {
        requirePositive(interval, "interval");
        requirePositive(timeout, "timeout");
        requirePositive(ejectCooldown, "ejectCooldown");
        requirePositive(drainTimeout, "drainTimeout");
        if (rise < 1 || fall < 1 || ejectAfter < 1) {
            throw new IllegalArgumentException("rise, fall and ejectAfter must be at least 1");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
        }
        probes = probes == null ? Map.of() : Map.copyOf(probes);
    }

    public static HealthSettings defaults() {
        return new HealthSettings(Duration.ofSeconds(5), Duration.ofSeconds(2), 2, 2, 0.10, 5,
                Duration.ofSeconds(30), Duration.ofMinutes(30), Map.of());
    }

    /** The probe for a virtual directory: its override, else Exchange's {@code healthcheck.htm}. */
    public ProbeSpec probeFor(VirtualDirectory vdir) {
        ProbeSpec override = probes.get(vdir);
        return override != null ? override : ProbeSpec.healthcheck(vdir);
    }

    public HealthSettings withInterval(Duration value) {
        return new HealthSettings(value, timeout, rise, fall, jitter, ejectAfter, ejectCooldown, drainTimeout, probes);
    }

    public HealthSettings withTimeout(Duration value) {
        return new HealthSettings(interval, value, rise, fall, jitter, ejectAfter, ejectCooldown, drainTimeout, probes);
    }

    public HealthSettings withRiseFall(int newRise, int newFall) {
        return new HealthSettings(interval, timeout, newRise, newFall, jitter, ejectAfter, ejectCooldown, drainTimeout, probes);
    }

    public HealthSettings withJitter(double value) {
        return new HealthSettings(interval, timeout, rise, fall, value, ejectAfter, ejectCooldown, drainTimeout, probes);
    }

    public HealthSettings withEjection(int after, Duration cooldown) {
        return new HealthSettings(interval, timeout, rise, fall, jitter, after, cooldown, drainTimeout, probes);
    }

    public HealthSettings withDrainTimeout(Duration value) {
        return new HealthSettings(interval, timeout, rise, fall, jitter, ejectAfter, ejectCooldown, value, probes);
    }

    public HealthSettings withProbe(VirtualDirectory vdir, ProbeSpec spec) {
        Map<VirtualDirectory, ProbeSpec> all = new EnumMap<>(VirtualDirectory.class);
        all.putAll(probes);
        all.put(vdir, Objects.requireNonNull(spec));
        return new HealthSettings(interval, timeout, rise, fall, jitter, ejectAfter, ejectCooldown, drainTimeout, all);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
