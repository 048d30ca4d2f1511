package io.exgate.proxy.config;

import java.time.Duration;

/**
 * The {@code pinning:} section: caps on client connections bound to their own backend connection by
 * NTLM or Negotiate. Zero means no cap, the default: IIS keeps such connections as long as the client
 * does, and hundreds of Outlook clients often share one NAT address.
 *
 * @param maxAge       close a pinned pair after this long (the client authenticates again); zero: never
 * @param maxRequests  close a pinned pair after this many requests; zero: never
 * @param maxPerClient refuse (503) a new pinned connection from an address that has this many; zero: no cap
 */
public record PinningSettings(Duration maxAge, int maxRequests, int maxPerClient) {
    public static final PinningSettings UNLIMITED = new PinningSettings(Duration.ZERO, 0, 0);
}
