package io.exgate.routing;

/** Whether a backend may take new requests for a protocol. The health module supplies the real one. */
@FunctionalInterface
public interface BackendHealth {
    BackendHealth ALL_UP = (backend, protocol) -> true;

    boolean isAvailable(Backend backend, ExchangeProtocol protocol);
}
