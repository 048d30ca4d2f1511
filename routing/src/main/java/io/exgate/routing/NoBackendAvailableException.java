package io.exgate.routing;

/** No backend may take the request (none configured for the protocol is available): answered with 503. */
public final class NoBackendAvailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public NoBackendAvailableException(String message) {
        super(message, null, false, false);
    }
}
