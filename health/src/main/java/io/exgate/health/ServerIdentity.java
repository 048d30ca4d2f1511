package io.exgate.health;

import io.exgate.routing.Backend;
import java.util.Locale;

/**
 * Does the server a healthy body names match the backend it was probed as? A mismatch means DNS,
 * a NAT rule or another balancer sends exgate's probes (and traffic) somewhere else.
 */
final class ServerIdentity {

    private ServerIdentity() {
    }

    /** A note for operators when they differ, or null when they match or the body named nobody. */
    static String mismatch(Backend backend, String reported) {
        if (reported == null || reported.isBlank()) {
            return null;
        }
        String name = reported.toLowerCase(Locale.ROOT);
        String label = firstLabel(name);
        String host = backend.host().toLowerCase(Locale.ROOT);
        String configuredName = backend.name().toLowerCase(Locale.ROOT);
        boolean matches = name.equals(host) || name.equals(configuredName) || label.equals(configuredName)
                || (!isAddress(host) && label.equals(firstLabel(host)));
        if (matches) {
            return null;
        }
        return "backend reports server " + reported + ", configured as " + backend.host() + " (" + backend.name() + ")";
    }

    private static String firstLabel(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static boolean isAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }
}
