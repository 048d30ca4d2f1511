package io.exgate.proxy.http;

import io.netty.util.AsciiString;

/**
 * The header names Exchange clients send on every request, made once. Netty's decoder would make a
 * new name (an {@link AsciiString} and its bytes) for each header of each request, and the header map
 * would hash it again each time; a name from here carries its hash. The same constants serve exgate's
 * own look-ups, which with a {@code String} name hash it on every call.
 *
 * <p>Only a name spelt exactly as here is replaced, so that a header reaches the backend as the
 * client wrote it.
 */
final class HeaderNames {
    static final AsciiString AUTHORIZATION = AsciiString.cached("Authorization");
    static final AsciiString CONTENT_LENGTH = AsciiString.cached("Content-Length");
    static final AsciiString TRANSFER_ENCODING = AsciiString.cached("Transfer-Encoding");
    static final AsciiString EXPECT = AsciiString.cached("Expect");
    static final AsciiString HOST = AsciiString.cached("Host");
    static final AsciiString X_PENDING_PERIOD = AsciiString.cached("X-PendingPeriod");

    /** What Outlook (MAPI and RPC over HTTP), EWS, ActiveSync and browsers put in a request. */
    private static final AsciiString[] KNOWN = {
        AUTHORIZATION, CONTENT_LENGTH, TRANSFER_ENCODING, EXPECT,
        AsciiString.cached("User-Agent"), AsciiString.cached("Cookie"), AsciiString.cached("Accept-Encoding"),
        AsciiString.cached("Accept-Language"), AsciiString.cached("Cache-Control"), AsciiString.cached("Pragma"),
        AsciiString.cached("X-RequestType"), AsciiString.cached("X-RequestId"), AsciiString.cached("X-ClientInfo"),
        AsciiString.cached("X-ClientApplication"), AsciiString.cached("X-AnchorMailbox"),
        AsciiString.cached("X-User-Identity"), AsciiString.cached("client-request-id"),
        AsciiString.cached("return-client-request-id"), AsciiString.cached("X-Forwarded-For"),
        AsciiString.cached("MS-ASProtocolVersion"), AsciiString.cached("X-MS-PolicyKey"), AsciiString.cached("Origin"),
        AsciiString.cached("Referer"), AsciiString.cached("If-None-Match"), AsciiString.cached("If-Modified-Since"),
    };

    /** {@link #KNOWN} by length: a look-up compares the bytes of one or two names at most. */
    private static final AsciiString[][] BY_LENGTH = byLength();

    private HeaderNames() {
    }

    /** The made-once name for these bytes, or null when they are not one of {@link #KNOWN} as spelt there. */
    static AsciiString known(byte[] bytes, int start, int length) {
        if (length >= BY_LENGTH.length) {
            return null;
        }
        AsciiString[] candidates = BY_LENGTH[length];
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

    private static AsciiString[][] byLength() {
        int longest = 0;
        for (AsciiString name : KNOWN) {
            longest = Math.max(longest, name.length());
        }
        AsciiString[][] table = new AsciiString[longest + 1][];
        for (AsciiString name : KNOWN) {
            AsciiString[] was = table[name.length()];
            AsciiString[] now = was == null ? new AsciiString[1] : java.util.Arrays.copyOf(was, was.length + 1);
            now[now.length - 1] = name;
            table[name.length()] = now;
        }
        return table;
    }
}
