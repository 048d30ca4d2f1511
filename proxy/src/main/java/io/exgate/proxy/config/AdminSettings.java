package io.exgate.proxy.config;

import java.util.Optional;

/**
 * The {@code admin:} section.
 *
 * @param listen the plain-HTTP admin listener; a port alone means loopback
 * @param token  the bearer token every admin request but {@code /live} and {@code /ready} must carry
 */
public record AdminSettings(ListenAddress listen, Optional<String> token) {
    @Override
    public String toString() {
        // Never print the token, even in a debug dump of the configuration.
        return "AdminSettings[listen=" + listen + ", token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
    }
}
