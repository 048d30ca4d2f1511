package io.exgate.routing;

import java.util.Objects;

/** A backend mailbox server: a name operators use, and where to reach it. */
public record Backend(String name, String scheme, String host, int port) {

    public Backend {
        Objects.requireNonNull(name);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme must be http or https: " + scheme);
        }
    }

    public boolean tls() {
        return scheme.equals("https");
    }

    public String url() {
        String h = host.indexOf(':') >= 0 ? '[' + host + ']' : host;
        return scheme + "://" + h + ':' + port;
    }
}
