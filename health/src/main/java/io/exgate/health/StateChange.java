package io.exgate.health;

import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import java.time.Instant;

/** One change of a backend's state for one virtual directory, as passed to listeners (metrics). */
public record StateChange(Backend backend, VirtualDirectory vdir, BackendState from, BackendState to, String reason,
        Instant time) {

    /** The log line, e.g. {@code backend ex1 /mapi: up -> down (2 failed probes: timeout after 2000 ms)}. */
    @Override
    public String toString() {
        return "backend " + backend.name() + " " + vdir.path() + ": " + from.label() + " -> " + to.label()
                + " (" + reason + ")";
    }
}
