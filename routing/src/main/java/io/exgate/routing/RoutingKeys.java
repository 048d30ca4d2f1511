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
        if (colon <= 0 || colon == q.length() - 1 || q.length() - colon - 1 > 5 || !allDigits(q, colon + 1)) {
            throw new BadRoutingInputException(field, "is not <server or mailbox>:<port>");
        }
        String host = q.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!isEndpointHost(host)) {
            throw new BadRoutingInputException(field, "names neither a server nor a mailbox");
        }
        return new RoutingKey(host.indexOf('@') > 0 ? RoutingKey.Kind.RPC_MAILBOX : RoutingKey.Kind.RPC_SERVER, host);
    }

    // Loops rather than String.matches: that compiles a pattern on every request.
    private static boolean allDigits(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-z0-9._@\-{}]+}: a host name, or a mailbox GUID at a domain (GUIDs may come in braces). */
    private static boolean isEndpointHost(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-' || c == '{' || c == '}')) {
                return false;
            }
        }
        return true;
    }

    private static String check(String field, String value) throws BadRoutingInputException {
        if (utf8Length(value) > MAX_BYTES) {
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

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a surrogate pair is 4 bytes
        }
        return n;
    }

    /** The first value of a query parameter (name compared case-insensitively), percent-decoded. */
    static String queryParameter(String rawQuery, String name) throws BadRoutingInputException {
        if (rawQuery == null) {
            return null;
        }
        if (rawQuery.length() > 16 * MAX_BYTES) {
            throw new BadRoutingInputException("query", "is longer than " + 16 * MAX_BYTES + " bytes");
        }
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            int eq = rawQuery.indexOf('=', start);
            int keyEnd = eq < 0 || eq > end ? end : eq;
            if (keyEnd - start == name.length() && rawQuery.regionMatches(true, start, name, 0, name.length())) {
                return keyEnd == end ? "" : decode(name, rawQuery.substring(keyEnd + 1, end));
            }
            start = end + 1;
        }
        return null;
    }

    private static boolean isPlain(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c > 0x7e || c < 0x20) {
                return false;
            }
        }
        return true;
    }

    /** Strict percent-decoding to UTF-8: a malformed escape or invalid UTF-8 is refused, not guessed. */
    static String decode(String field, String raw) throws BadRoutingInputException {
        if (raw.length() > 3 * MAX_BYTES) {
            throw new BadRoutingInputException(field, "is longer than " + MAX_BYTES + " bytes");
        }
        if (isPlain(raw)) {
            return raw; // printable ASCII without escapes: nothing to decode (most keys)
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
