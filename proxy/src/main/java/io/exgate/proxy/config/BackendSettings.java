package io.exgate.proxy.config;

import io.exgate.routing.Backend;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * One {@code backends:} entry.
 *
 * @param backend where it is
 * @param weight  its share of keys where a route gives no weight of its own (1 to 100)
 * @param verify  whether its TLS certificate is verified (https only)
 * @param ca      PEM CA certificates to trust instead of the system's, when given
 * @param fingerprint the backend certificate's pinned SHA-256 fingerprint, when given
 */
public record BackendSettings(Backend backend, int weight, boolean verify, Optional<Buffer> ca, Optional<String> fingerprint) {
}
