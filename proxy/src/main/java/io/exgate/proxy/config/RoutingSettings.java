package io.exgate.proxy.config;

import io.exgate.routing.MailboxMap;
import io.exgate.routing.Routes;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code routing:} and {@code routes:} sections.
 *
 * @param cookieSecret the affinity cookie's HMAC key; when absent exgate makes one at start
 * @param mailboxMap   the static mailbox map file, when configured
 * @param initialMap   that file as read at load time (reloaded later when it changes)
 * @param routes       backends and weights per virtual directory
 */
public record RoutingSettings(Optional<String> cookieSecret, Optional<Path> mailboxMap, MailboxMap initialMap, Routes routes) {
}
