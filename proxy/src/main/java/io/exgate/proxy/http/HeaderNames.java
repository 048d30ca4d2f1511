package io.exgate.proxy.http;

import io.netty.util.AsciiString;

/**
 * The header names Exchange clients and servers send in every request and answer, made once. Netty's
 * decoder would make a new name (an {@link AsciiString} and its bytes) for each header of each message,
 * and the header map would hash it again each time; a name from here carries its hash. exgate's own
 * look-ups use the same constants: with a {@code String} name the map hashes it on every call.
 *
 * <p>Only a name spelt exactly as here is replaced, so that a header goes on spelt as its sender wrote it.
 */
final class HeaderNames {
    static final AsciiString AUTHORIZATION = AsciiString.cached("Authorization");
    static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    static final AsciiString TRANSFER_ENCODING = AsciiString.cached("Transfer-Encoding");
    static final AsciiString EXPECT = AsciiString.cached("Expect");
    static final AsciiString HOST = AsciiString.cached("Host");
    static final AsciiString X_PENDING_PERIOD = AsciiString.cached("X-PendingPeriod");
    static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    static final AsciiString USER_AGENT = AsciiString.cached("User-Agent");
    static final AsciiString CLIENT_REQUEST_ID = AsciiString.cached("client-request-id");
    static final AsciiString X_REQUEST_ID = AsciiString.cached("X-RequestId");
    static final AsciiString X_CLIENT_INFO = AsciiString.cached("X-ClientInfo");
    static final AsciiString X_REQUEST_TYPE = AsciiString.cached("X-RequestType");
    private static final AsciiString CACHE_CONTROL = AsciiString.cached("Cache-Control");
    private static final AsciiString PRAGMA = AsciiString.cached("Pragma");

    /** What Outlook (MAPI and RPC over HTTP), EWS, ActiveSync and browsers put in a request. */
    static final HeaderNames REQUEST = new HeaderNames(
        AUTHORIZATION, CONTENT_LENGTH, TRANSFER_ENCODING, EXPECT,
        USER_AGENT, AsciiString.cached("Cookie"), AsciiString.cached("Accept-Encoding"),
        AsciiString.cached("Accept-Language"), CACHE_CONTROL, PRAGMA,
        X_REQUEST_TYPE, X_REQUEST_ID, X_CLIENT_INFO,
        AsciiString.cached("X-ClientApplication"), AsciiString.cached("X-AnchorMailbox"),
        AsciiString.cached("X-User-Identity"), CLIENT_REQUEST_ID,
        AsciiString.cached("return-client-request-id"), AsciiString.cached("X-Forwarded-For"),
        AsciiString.cached("MS-ASProtocolVersion"), AsciiString.cached("X-MS-PolicyKey"), AsciiString.cached("Origin"),
        AsciiString.cached("Referer"), AsciiString.cached("If-None-Match"), AsciiString.cached("If-Modified-Since"));

    /** What Exchange's IIS (and the usual web server) puts in an answer. */
    static final HeaderNames ANSWER = new HeaderNames(
        CONTENT_TYPE, CONTENT_LENGTH, TRANSFER_ENCODING, X_PENDING_PERIOD,
        AsciiString.cached("Date"), AsciiString.cached("Server"), AsciiString.cached("Connection"),
        AsciiString.cached("Keep-Alive"), CACHE_CONTROL, PRAGMA,
        AsciiString.cached("Expires"), AsciiString.cached("Set-Cookie"), AsciiString.cached("WWW-Authenticate"),
        AsciiString.cached("Persistent-Auth"), AsciiString.cached("X-Powered-By"), AsciiString.cached("X-AspNet-Version"),
        AsciiString.cached("request-id"), X_REQUEST_ID, AsciiString.cached("X-ResponseCode"),
        X_REQUEST_TYPE, AsciiString.cached("X-ServerApplication"), X_CLIENT_INFO,
        AsciiString.cached("X-ExpirationInfo"), AsciiString.cached("X-StartTime"), AsciiString.cached("X-ElapsedTime"),
        AsciiString.cached("X-CalculatedBETarget"), AsciiString.cached("X-BackEndHttpStatus"),
        AsciiString.cached("X-DiagInfo"), AsciiString.cached("X-BEServer"), AsciiString.cached("X-FEServer"),
        AsciiString.cached("Content-Encoding"), AsciiString.cached("Vary"), AsciiString.cached("ETag"),
        AsciiString.cached("Last-Modified"), AsciiString.cached("Location"));

    /** The names by length: a look-up compares the bytes of one or two names at most. */
    private final AsciiString[][] byLength;

    private HeaderNames(AsciiString... names) {
        this.byLength = byLength(names);
    }

    /** The made-once name for these bytes, or null when they are not one of this set as spelt there. */
    AsciiString known(byte[] bytes, int start, int length) {
        if (length >= byLength.length) {
            return null;
        }
        AsciiString[] candidates = byLength[length];
        if (candidates == null) {
            return null;
        }
        for (AsciiString name : candidates) {
            if (same(name, bytes, start, length)) {
                return name;
            }
        }
        return null;
    }

    private static boolean same(AsciiString name, byte[] bytes, int start, int length) {
        byte[] n = name.array();
        int offset = name.arrayOffset();
        for (int i = length - 1; i >= 0; i--) { // from the end: names of one length share their "X-" start
            if (n[offset + i] != bytes[start + i]) {
                return false;
            }
        }
        return true;
    }

    private static AsciiString[][] byLength(AsciiString[] names) {
        int longest = 0;
        for (AsciiString name : names) {
            longest = Math.max(longest, name.length());
        }
        AsciiString[][] table = new AsciiString[longest + 1][];
        for (AsciiString name : names) {
            AsciiString[] was = table[name.length()];
            AsciiString[] now = was == null ? new AsciiString[1] : java.util.Arrays.copyOf(was, was.length + 1);
            now[now.length - 1] = name;
            table[name.length()] = now;
        }
        return table;
    }
}
