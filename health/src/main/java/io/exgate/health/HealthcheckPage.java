package io.exgate.health;

import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * exgate's own answer to {@code GET /<vdir>/healthcheck.htm}, as Exchange writes it: 200
 * {@code 200 OK<br/>HOST} while some backend can serve the virtual directory, else a 503 with the
 * reason (clearer for monitors than Exchange's reset).
 */
public final class HealthcheckPage {

    /** What the proxy writes back. */
    public record Answer(int status, String contentType, String body) {
    }

    private final BackendStates states;
    private final String hostName;

    /** @param hostName exgate's own host name, as Exchange writes its FQDN */
    public HealthcheckPage(BackendStates states, String hostName) {
        this.states = Objects.requireNonNull(states);
        this.hostName = Objects.requireNonNull(hostName);
    }

    public Answer answer(VirtualDirectory vdir) {
        if (states.inMaintenance()) {
            return unavailable("exgate is in maintenance");
        }
        List<Backend> backends = states.backends(vdir);
        if (backends.stream().anyMatch(b -> states.isAvailable(b, vdir))) {
            return new Answer(200, "text/html", "200 OK<br/>" + hostName);
        }
        if (backends.isEmpty()) {
            return unavailable("no backend serves " + vdir.path());
        }
        return unavailable("no backend available for " + vdir.path() + ": " + backends.stream()
                .map(b -> b.name() + " " + states.state(b, vdir).label())
                .collect(Collectors.joining(", ")));
    }

    private static Answer unavailable(String reason) {
        return new Answer(503, "text/plain; charset=utf-8", "503 " + reason + "\n");
    }
}
