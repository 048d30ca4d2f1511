package io.exgate.proxy.http;

/** Why exgate's decoder refused a request head; carried as the failed decoder result's cause. */
final class RefusedRequestException extends RuntimeException {
    enum Reason {
        AMBIGUOUS_FRAMING(400, "Bad Request"),
        OBSOLETE_LINE_FOLDING(400, "Bad Request"),
        TOO_MANY_HEADERS(431, "Request Header Fields Too Large"),
        HEADER_TIMEOUT(408, "Request Timeout"),
        MALFORMED_VERSION(400, "Bad Request"),
        VERSION_NOT_SUPPORTED(505, "HTTP Version Not Supported");

        final int status;
        final String phrase;

        Reason(int status, String phrase) {
            this.status = status;
            this.phrase = phrase;
        }
    }

    final Reason reason;

    RefusedRequestException(Reason reason, String message) {
        // No stack trace: this is a verdict on input, not a fault in exgate.
        super(message, null, false, false);
        this.reason = reason;
    }
}
