package io.exgate.routing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/**
 * Finds a request's routing key, in Exchange's order of preference: {@code MailboxId} (MAPI), the RPC
 * endpoint, {@code X-AnchorMailbox}, ActiveSync's {@code User}. Every value is checked before it is
 * used: valid UTF-8 after percent-decoding, at most 1 KiB, no control characters.
 */
public final class RoutingKeys {
    static final int MAX_BYTES = 1024;

    private RoutingKeys() {
    }

    public static RoutingKey extract(Classification c, RequestTarget target, Function<String, String> header)
            throws BadRoutingInputException {
        ExchangeProtocol p = c.protocol();
        if (p == ExchangeProtocol.MAPI_EMSMDB || p == ExchangeProtocol.MAPI_NSPI) {
            String mailboxId = queryParameter(target.query(), "MailboxId");
            if (mailboxId != null) {
                return new RoutingKey(RoutingKey.Kind.MAILBOX_ID, check("MailboxId", mailboxId).toLowerCase(Locale.ROOT));
            }
        }
        if (p == ExchangeProtocol.RPC && target.query() != null && !target.query().isEmpty()) {
            return rpcEndpoint(target.query());
        }
        String anchor = header.apply("X-AnchorMailbox");
        if (anchor != null && !anchor.isBlank()) {
            String a = check("X-AnchorMailbox", anchor.trim()).toLowerCase(Locale.ROOT);
            if (a.startsWith("smtp:")) {
                a = a.substring(5);
            }
            return new RoutingKey(RoutingKey.Kind.ANCHOR_MAILBOX, a);
        }
        if (p == ExchangeProtocol.ACTIVESYNC) {
            String user = queryParameter(target.query(), "User");
            if (user != null && !user.isEmpty()) {
                return new RoutingKey(RoutingKey.Kind.ACTIVESYNC_USER, check("User", user).toLowerCase(Locale.ROOT));
            }
        }
        return RoutingKey.NONE;
    }

    /** {@code <mailbox-guid>@<domain>:<port>} or {@code <server>:<port>}, as MS-RPCH puts it in the query. */
    private static RoutingKey rpcEndpoint(String rawQuery) throws BadRoutingInputException {
        String field = "RPC endpoint";
        String q = check(field, decode(field, rawQuery));
        int colon = q.lastIndexOf(':');
        if (colon <= 0 || colon == q.length() - 1 || !q.substring(colon + 1).matches("\\d{1,5}")) {
            throw new BadRoutingInputException(field, "is not <server or mailbox>:<port>");
        }
        String host = q.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!host.matches("[a-z0-9._@\\-{}]+")) {
            throw new BadRoutingInputException(field, "names neither a server nor a mailbox");
        }
        return new RoutingKey(host.indexOf('@') > 0 ? RoutingKey.Kind.RPC_MAILBOX : RoutingKey.Kind.RPC_SERVER, host);
    }

    private static String check(String field, String value) throws BadRoutingInputException {
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new BadRoutingInputException(field, "is longer than " + MAX_BYTES + " bytes");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                throw new BadRoutingInputException(field, "contains a control character");
            }
            if (Character.isSurrogate(ch) && !(Character.isHighSurrogate(ch) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1)))
                    && !(Character.isLowSurrogate(ch) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1)))) {
                throw new BadRoutingInputException(field, "is not valid UTF-8");
            }
        }
        return value;
    }

    /** The first value of a query parameter (name compared case-insensitively), percent-decoded. */
    static String queryParameter(String rawQuery, String name) throws BadRoutingInputException {
        if (rawQuery == null) {
            return null;
        }
        if (rawQuery.length() > 16 * MAX_BYTES) {
            throw new BadRoutingInputException("query", "is longer than " + 16 * MAX_BYTES + " bytes");
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equalsIgnoreCase(name)) {
                return eq < 0 ? "" : decode(name, pair.substring(eq + 1));
            }
        }
        return null;
    }

    /** Strict percent-decoding to UTF-8: a malformed escape or invalid UTF-8 is refused, not guessed. */
    static String decode(String field, String raw) throws BadRoutingInputException {
        if (raw.length() > 3 * MAX_BYTES) {
            throw new BadRoutingInputException(field, "is longer than " + MAX_BYTES + " bytes");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new BadRoutingInputException(field, "has a malformed percent-encoding");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e || c < 0x20) {
                throw new BadRoutingInputException(field, "contains a character that must be percent-encoded");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new BadRoutingInputException(field, "is not valid UTF-8");
        }
    }
}
