package io.exgate.e2e;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SPNEGO tokens (RFC 4178 §4.2, in the DER of X.690), the part Negotiate over HTTP uses: the
 * client's NegTokenInit inside the GSS-API framing (RFC 2743 §3.1) and NegTokenResp both ways.
 * Strict on purpose (definite minimal lengths, fields in tag order, no trailing bytes), so a
 * token damaged on its way through the proxy is refused rather than half-read.
 */
final class Spnego {
    static final String SPNEGO_OID = "1.3.6.1.5.5.2";
    static final String NTLMSSP_OID = "1.3.6.1.4.1.311.2.2.10";
    static final int ACCEPT_COMPLETED = 0;
    static final int ACCEPT_INCOMPLETE = 1;

    /** NegTokenInit; absent optional fields are null. */
    record Init(List<String> mechTypes, byte[] mechToken, byte[] mechListMic) {}

    /** NegTokenResp; absent optional fields are null (negState -1). */
    record Resp(int negState, String supportedMech, byte[] responseToken, byte[] mechListMic) {}

    private Spnego() {}

    static Init parseInit(byte[] token) {
        Der outer = new Der(token, 0, token.length);
        Der app = outer.read(0x60);
        outer.end();
        String oid = oid(app.read(0x06).rest());
        if (!oid.equals(SPNEGO_OID)) {
            throw new IllegalArgumentException("not SPNEGO: " + oid);
        }
        Der choice = app.read(0xa0);
        app.end();
        Der seq = choice.read(0x30);
        choice.end();
        List<String> mechs = null;
        byte[] mechToken = null;
        byte[] mic = null;
        int last = -1;
        while (seq.more()) {
            int tag = seq.peek();
            if (tag <= last) {
                throw new IllegalArgumentException("NegTokenInit fields out of order");
            }
            last = tag;
            Der field = seq.read(tag);
            switch (tag) {
                case 0xa0 -> {
                    Der list = field.read(0x30);
                    mechs = new ArrayList<>();
                    while (list.more()) {
                        mechs.add(oid(list.read(0x06).rest()));
                    }
                }
                case 0xa1 -> field.read(0x03); // reqFlags: unused by HTTP clients, only checked for well-formedness
                case 0xa2 -> mechToken = field.read(0x04).rest();
                case 0xa3 -> mic = field.read(0x04).rest();
                default -> throw new IllegalArgumentException("unknown NegTokenInit field " + Integer.toHexString(tag));
            }
            field.end();
        }
        if (mechs == null) {
            throw new IllegalArgumentException("NegTokenInit without mechTypes");
        }
        return new Init(mechs, mechToken, mic);
    }

    static Resp parseResp(byte[] token) {
        Der outer = new Der(token, 0, token.length);
        Der choice = outer.read(0xa1);
        outer.end();
        Der seq = choice.read(0x30);
        choice.end();
        int negState = -1;
        String mech = null;
        byte[] response = null;
        byte[] mic = null;
        int last = -1;
        while (seq.more()) {
            int tag = seq.peek();
            if (tag <= last) {
                throw new IllegalArgumentException("NegTokenResp fields out of order");
            }
            last = tag;
            Der field = seq.read(tag);
            switch (tag) {
                case 0xa0 -> {
                    byte[] e = field.read(0x0a).rest();
                    if (e.length != 1) {
                        throw new IllegalArgumentException("bad negState");
                    }
                    negState = e[0];
                }
                case 0xa1 -> mech = oid(field.read(0x06).rest());
                case 0xa2 -> response = field.read(0x04).rest();
                case 0xa3 -> mic = field.read(0x04).rest();
                default -> throw new IllegalArgumentException("unknown NegTokenResp field " + Integer.toHexString(tag));
            }
            field.end();
        }
        return new Resp(negState, mech, response, mic);
    }

    /** A NegTokenResp, as an acceptor (or a continuing initiator) sends it. */
    static byte[] resp(Resp r) {
        List<byte[]> fields = new ArrayList<>();
        if (r.negState() >= 0) {
            fields.add(tlv(0xa0, tlv(0x0a, new byte[] {(byte) r.negState()})));
        }
        if (r.supportedMech() != null) {
            fields.add(tlv(0xa1, tlv(0x06, oid(r.supportedMech()))));
        }
        if (r.responseToken() != null) {
            fields.add(tlv(0xa2, tlv(0x04, r.responseToken())));
        }
        if (r.mechListMic() != null) {
            fields.add(tlv(0xa3, tlv(0x04, r.mechListMic())));
        }
        return tlv(0xa1, tlv(0x30, fields.toArray(byte[][]::new)));
    }

    static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        int n = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] values = new long[arcs.length - 1];
        values[0] = Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            values[i - 1] = Long.parseLong(arcs[i]);
        }
        for (long v : values) {
            int groups = 1;
            while ((v >>> (7 * groups)) != 0) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                out.write((int) ((v >>> (7 * g)) & 0x7f) | (g > 0 ? 0x80 : 0));
            }
        }
        return out.toByteArray();
    }

    static String oid(byte[] der) {
        StringBuilder s = new StringBuilder();
        long v = 0;
        for (int i = 0; i < der.length; i++) {
            if (v == 0 && (der[i] & 0xff) == 0x80) {
                throw new IllegalArgumentException("OID arc with a leading zero group");
            }
            v = (v << 7) | (der[i] & 0x7f);
            if ((der[i] & 0x80) == 0) {
                s.append(s.length() == 0 ? (v < 80 ? v / 40 + "." + v % 40 : "2." + (v - 80)) : "." + v);
                v = 0;
            } else if (i == der.length - 1) {
                throw new IllegalArgumentException("truncated OID");
            }
        }
        if (s.length() == 0) {
            throw new IllegalArgumentException("empty OID");
        }
        return s.toString();
    }

    /** A cursor over DER contents [pos, end). */
    private static final class Der {
        final byte[] b;
        final int end;
        int pos;

        Der(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int peek() {
            if (pos >= end) {
                throw new IllegalArgumentException("truncated DER");
            }
            return b[pos] & 0xff;
        }

        Der read(int tag) {
            if (peek() != tag) {
                throw new IllegalArgumentException("expected tag " + Integer.toHexString(tag) + ", got " + Integer.toHexString(peek()));
            }
            pos++;
            int first = next();
            int len = first;
            if (first >= 0x80) {
                int n = first & 0x7f;
                if (n == 0 || n > 3) {
                    throw new IllegalArgumentException(n == 0 ? "indefinite length is not DER" : "DER length too large");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | next();
                }
                if (len < 0x80 || len >>> (8 * (n - 1)) == 0) {
                    throw new IllegalArgumentException("non-minimal DER length");
                }
            }
            if (len > end - pos) {
                throw new IllegalArgumentException("DER length beyond its container");
            }
            Der inner = new Der(b, pos, pos + len);
            pos += len;
            return inner;
        }

        byte[] rest() {
            byte[] r = Arrays.copyOfRange(b, pos, end);
            pos = end;
            return r;
        }

        void end() {
            if (pos != end) {
                throw new IllegalArgumentException("trailing bytes in DER element");
            }
        }

        private int next() {
            if (pos >= end) {
                throw new IllegalArgumentException("truncated DER");
            }
            return b[pos++] & 0xff;
        }
    }
}
