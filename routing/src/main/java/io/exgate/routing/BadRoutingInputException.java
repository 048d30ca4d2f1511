package io.exgate.routing;

/** A routing input (MailboxId, RPC endpoint, anchor header, ...) exgate refuses: answered with 400. */
public final class BadRoutingInputException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;

    public BadRoutingInputException(String field, String problem) {
        super(field + " " + problem, null, false, false);
        this.field = field;
    }

    /** The name of the field at fault, as the client sent it (e.g. {@code X-AnchorMailbox}). */
    public String field() {
        return field;
    }
}
