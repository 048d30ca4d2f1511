package io.exgate.routing;

import java.util.List;

/**
 * Where one request goes and why: the immutable value that the proxy acts on and that logs and
 * metrics read afterwards.
 *
 * @param classification protocol and action
 * @param key            the routing key found (or {@link RoutingKey#NONE})
 * @param backend        the chosen backend
 * @param reason         how it was chosen
 * @param fallbacks      where the request may go instead if connecting to {@code backend} fails
 *                       before any byte was sent (at most once)
 * @param setCookie      the affinity cookie to set on the answer ({@code name=value}), or null
 * @param rejectedCookie an affinity cookie came in but failed verification (it was ignored)
 */
public record RoutingDecision(Classification classification, RoutingKey key, Backend backend, Reason reason,
                              List<Backend> fallbacks, String setCookie, boolean rejectedCookie) {

    public RoutingDecision {
        fallbacks = List.copyOf(fallbacks);
    }

    /** How a backend was chosen; the names appear in logs. */
    public enum Reason {
        /** The RPC endpoint names a configured backend. */
        RPC_SERVER("RpcEndpoint"),
        /** exgate's signed affinity cookie. */
        COOKIE("AffinityCookie"),
        /** This instance placed the key earlier and the session is still in use. */
        STICKY("Sticky"),
        /** The configured mailbox map. */
        MAILBOX_MAP("MailboxMap"),
        /** Rendezvous hashing of the key. */
        HASH("Hash"),
        /** No key: the backend with the fewest requests in flight. */
        LEAST_OUTSTANDING("LeastOutstanding"),
        /** The client connection is pinned to a backend connection by NTLM or Negotiate. */
        PINNED("Pinned"),
        /** The backend that issued this client connection's NTLM or Negotiate challenge. */
        CHALLENGE("Challenge"),
        /** The first choice could not be connected to; this is the next one. */
        RETRY("Retry");

        private final String logName;

        Reason(String logName) {
            this.logName = logName;
        }

        public String logName() {
            return logName;
        }
    }

    /** The same request, sent to a backend this client connection is bound to: no fallback, no new cookie. */
    public RoutingDecision boundTo(Backend bound, Reason why) {
        return new RoutingDecision(classification, key, bound, why, List.of(), null, rejectedCookie);
    }

    /** A short human-readable account for log lines, e.g. {@code Mapi Execute MailboxId~...@x.com -> ex2 (Hash)}. */
    public String describe() {
        return classification.protocol() + (classification.action() == null ? "" : " " + classification.action())
                + " " + key + " -> " + backend.name() + " (" + reason.logName() + ")";
    }
}
