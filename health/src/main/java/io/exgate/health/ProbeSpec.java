package io.exgate.health;

import io.exgate.routing.VirtualDirectory;
import java.util.Objects;

/**
 * What one probe asks and what counts as healthy: a path, the status it must answer and the start
 * of the body. A null body prefix accepts any body (e.g. {@code /rpc/rpcproxy.dll} answering 401).
 */
public record ProbeSpec(String path, int expectedStatus, String expectedBodyPrefix) {

    /** The body Exchange writes while a protocol's component state is Active. */
    public static final String HEALTHY_BODY_PREFIX = "200 OK";

    public ProbeSpec {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("probe path must start with '/': " + path);
        }
        if (expectedStatus < 100 || expectedStatus > 599) {
            throw new IllegalArgumentException("expected status out of range: " + expectedStatus);
        }
    }

    /** Exchange's own check: {@code GET <vdir>/healthcheck.htm} answering 200 {@code 200 OK<br/>FQDN}. */
    public static ProbeSpec healthcheck(VirtualDirectory vdir) {
        return new ProbeSpec(vdir.path() + "/healthcheck.htm", 200, HEALTHY_BODY_PREFIX);
    }
}
