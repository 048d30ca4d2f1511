package io.exgate.routing;

/**
 * What a request's placement is derived from, and where it was found. The kind's name is what the
 * HttpProxy log's RoutingHint field shows.
 *
 * @param value the normalised key (lower case), or empty for {@link Kind#NONE}
 */
public record RoutingKey(Kind kind, String value) {
    public static final RoutingKey NONE = new RoutingKey(Kind.NONE, "");

    public enum Kind {
        /** MAPI over HTTP: the {@code MailboxId} query parameter, {@code <mailbox-guid>@<domain>}. */
        MAILBOX_ID("MailboxId"),
        /** RPC over HTTP: the endpoint in the query names a mailbox, {@code <mailbox-guid>@<domain>:6001}. */
        RPC_MAILBOX("RpcMailbox"),
        /** RPC over HTTP: the endpoint in the query names a server. */
        RPC_SERVER("RpcServer"),
        /** The {@code X-AnchorMailbox} header. */
        ANCHOR_MAILBOX("AnchorMailbox"),
        /** Exchange ActiveSync's {@code User} query parameter. */
        ACTIVESYNC_USER("ActiveSyncUser"),
        /**
         * A connection-bound handshake (NTLM, Negotiate) that starts without a key: the client's address,
         * so that both channels of one client's RPC virtual connection meet, on every replica alike.
         */
        CLIENT_ADDRESS("ClientAddress"),
        /** No key: the request may go to any backend. */
        NONE("None");

        private final String logName;

        Kind(String logName) {
            this.logName = logName;
        }

        public String logName() {
            return logName;
        }
    }

    public boolean isPresent() {
        return kind != Kind.NONE;
    }

    /** The mailbox-ish key's domain part, or null. */
    public String domain() {
        int at = value.lastIndexOf('@');
        return at >= 0 && at + 1 < value.length() ? value.substring(at + 1) : null;
    }

    /** The part before {@code @}: a mailbox GUID or a user name. */
    public String localPart() {
        int at = value.lastIndexOf('@');
        return at > 0 ? value.substring(0, at) : value;
    }

    @Override
    public String toString() {
        return kind.logName() + (value.isEmpty() ? "" : "~" + value);
    }
}
