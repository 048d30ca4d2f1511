package io.exgate.routing;

/**
 * A request path after normalisation: unreserved characters percent-decoded, dot segments resolved,
 * duplicate slashes collapsed. It is what exgate classifies and what it sends to the backend, so that
 * the two can never disagree about which virtual directory a request is for.
 */
public record NormalizedPath(String value) {
    @Override
    public String toString() {
        return value;
    }
}
