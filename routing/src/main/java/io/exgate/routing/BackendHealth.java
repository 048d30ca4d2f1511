package io.exgate.routing;

/**
 * Whether a backend may take requests for a protocol. The health module supplies the real one;
 * {@link #ALL_UP} takes every backend as up, as HAProxy does before its first check.
 */
public interface BackendHealth {
    BackendHealth ALL_UP = (backend, protocol) -> true;

    /** May requests of sessions already placed on this backend (cookie, sticky) still go there? */
    boolean isAvailable(Backend backend, ExchangeProtocol protocol);

    /** May new sessions be placed there? False while the backend drains, even though it is available. */
    default boolean acceptsNewSessions(Backend backend, ExchangeProtocol protocol) {
        return isAvailable(backend, protocol);
    }

    /** Both answers at once, for the router, which needs both for every request. */
    default Admission admission(Backend backend, ExchangeProtocol protocol) {
        if (!isAvailable(backend, protocol)) {
            return Admission.NONE;
        }
        return acceptsNewSessions(backend, protocol) ? Admission.ALL : Admission.PLACED_SESSIONS;
    }

    /** What a backend may take now. */
    enum Admission {
        /** Nothing: down, ejected or drained. */
        NONE,
        /** Only requests of sessions already placed on it: draining. */
        PLACED_SESSIONS,
        /** Placed sessions and new ones. */
        ALL
    }
}
