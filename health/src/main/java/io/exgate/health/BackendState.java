package io.exgate.health;

import java.util.Locale;

/** Where one backend stands for one virtual directory, as operators see it. */
public enum BackendState {
    /** Probes pass: takes new and existing sessions. */
    UP,
    /** Probes failed {@code fall} times in a row. */
    DOWN,
    /** An operator drains it: existing sessions continue, no new ones are placed. */
    DRAINING,
    /** Too many requests failed in a row; out until the cool-down is over. */
    EJECTED,
    /** The drain timed out: fully out until an operator enables it. */
    DRAINED;

    /** May requests of sessions already placed there still go there? */
    public boolean available() {
        return this == UP || this == DRAINING;
    }

    public boolean acceptsNewSessions() {
        return this == UP;
    }

    /** The lower-case name used in logs and JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
