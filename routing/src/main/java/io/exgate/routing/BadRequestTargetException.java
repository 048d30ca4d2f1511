package io.exgate.routing;

/** A request target exgate refuses to interpret (answered with 400). */
public final class BadRequestTargetException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadRequestTargetException(String message) {
        super(message, null, false, false);
    }
}
