package io.exgate.e2e;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Just enough connection-oriented DCE/RPC (C706) and RTS (MS-RPCH 2.2.3) for {@link RpcOverHttpBackend}:
 * framing by frag_length, the RTS packets of virtual connection setup, bind/bind_ack, request/response
 * with an NDR conformant varying string. Little-endian, NDR20, no RPC-level authentication, no
 * fragmentation: anything else is an {@link RpcProtocolError}.
 */
final class RpcPdus {
    static final int REQUEST = 0;
    static final int RESPONSE = 2;
    static final int FAULT = 3;
    static final int BIND = 11;
    static final int BIND_ACK = 12;
    static final int RTS = 20;
    static final int HEADER = 16;
    static final int FIRST_AND_LAST = 0x03;
    /** NDR 2.0, the transfer syntax impacket binds with. */
    static final byte[] NDR = syntax("8a885d04-1ceb-11c9-9fe8-08002b104860", 2, 0);

    private RpcPdus() {
    }

    /** Anything the test backend does not expect from the client. */
    static final class RpcProtocolError extends RuntimeException {
        RpcProtocolError(String message) {
            super(message);
        }
    }

    /** A presentation syntax as it travels: the UUID in DCE byte order, then major and minor version. */
    static byte[] syntax(String uuid, int major, int minor) {
        UUID u = UUID.fromString(uuid);
        long msb = u.getMostSignificantBits();
        return Buffer.buffer().appendIntLE((int) (msb >>> 32)).appendShortLE((short) (msb >>> 16)).appendShortLE((short) msb)
                .appendLong(u.getLeastSignificantBits()).appendShortLE((short) major).appendShortLE((short) minor).getBytes();
    }

    static int type(Buffer pdu) {
        return pdu.getUnsignedByte(2);
    }

    /** Cuts a channel's byte stream into PDUs; holds at most one incomplete PDU (at most 64 KiB). */
    static final class Framer {
        private Buffer pending = Buffer.buffer();

        List<Buffer> feed(Buffer data) {
            pending.appendBuffer(data);
            List<Buffer> pdus = new ArrayList<>();
            while (pending.length() >= HEADER) {
                if (pending.getByte(0) != 5 || pending.getByte(1) != 0 || pending.getIntLE(4) != 0x10) {
                    throw new RpcProtocolError("not a DCE/RPC 5.0 little-endian PDU: " + hex(pending.getBuffer(0, HEADER)));
                }
                int length = pending.getUnsignedShortLE(8);
                if (length < HEADER) {
                    throw new RpcProtocolError("frag_length " + length + " is shorter than the PDU header");
                }
                if (pending.length() < length) {
                    break;
                }
                Buffer pdu = pending.getBuffer(0, length);
                if ((pdu.getUnsignedByte(3) & FIRST_AND_LAST) != FIRST_AND_LAST || pdu.getUnsignedShortLE(10) != 0) {
                    throw new RpcProtocolError("fragmented or RPC-authenticated PDU (flags " + pdu.getUnsignedByte(3)
                            + ", auth_length " + pdu.getUnsignedShortLE(10) + ")");
                }
                pdus.add(pdu);
                pending = pending.getBuffer(length, pending.length());
            }
            return pdus;
        }
    }

    static Buffer pdu(int type, int callId, Buffer body) {
        return Buffer.buffer().appendByte((byte) 5).appendByte((byte) 0).appendByte((byte) type).appendByte((byte) FIRST_AND_LAST)
                .appendIntLE(0x10).appendShortLE((short) (HEADER + body.length())).appendShortLE((short) 0).appendIntLE(callId)
                .appendBuffer(body);
    }

    /** An RTS PDU: its flags, then its commands' types and (raw) values. */
    record Rts(int flags, List<Integer> commands, List<Buffer> values) {
    }

    static Rts rts(Buffer pdu) {
        if (type(pdu) != RTS) {
            throw new RpcProtocolError("expected an RTS PDU, got PDU type " + type(pdu));
        }
        int flags = pdu.getUnsignedShortLE(16);
        int count = pdu.getUnsignedShortLE(18);
        List<Integer> commands = new ArrayList<>();
        List<Buffer> values = new ArrayList<>();
        int at = 20;
        for (int i = 0; i < count; i++) {
            need(pdu, at + 4);
            int command = pdu.getIntLE(at);
            at += 4;
            int size = switch (command) {
                case 0, 2, 4, 5, 6, 0xD, 0xE -> 4; // window size, timeouts, lifetime, keep-alive, version, destination
                case 1 -> 24; // flow control ack
                case 3, 0xC -> 16; // cookie, association group
                case 7, 9, 0xA -> 0; // empty, negative ANCE, ANCE
                case 8 -> 4 + need(pdu, at + 4).getIntLE(at); // padding
                case 0xB -> 4 + (need(pdu, at + 4).getIntLE(at) == 0 ? 4 : 16) + 12; // client address
                default -> throw new RpcProtocolError("unknown RTS command " + command);
            };
            need(pdu, at + size);
            commands.add(command);
            values.add(pdu.getBuffer(at, at + size));
            at += size;
        }
        if (at != pdu.length()) {
            throw new RpcProtocolError("RTS PDU has " + (pdu.length() - at) + " bytes after its commands");
        }
        return new Rts(flags, commands, values);
    }

    /** An RTS PDU whose commands all carry one 32-bit value: {type, value} pairs. */
    static Buffer rts(int flags, int[]... commands) {
        Buffer body = Buffer.buffer().appendShortLE((short) flags).appendShortLE((short) commands.length);
        for (int[] c : commands) {
            body.appendIntLE(c[0]).appendIntLE(c[1]);
        }
        return pdu(RTS, 0, body);
    }

    /** The bind_ack accepting the bind's only presentation context, which must offer {@code iface} in NDR. */
    static Buffer bindAck(Buffer bind, byte[] iface, int associationGroup) {
        need(bind, 28);
        int maxXmit = bind.getUnsignedShortLE(16);
        int contexts = bind.getUnsignedByte(24);
        need(bind, 28 + 44 * contexts);
        if (contexts != 1 || bind.getUnsignedByte(30) != 1) {
            throw new RpcProtocolError("bind with " + contexts + " presentation contexts (expected one, with one transfer syntax)");
        }
        byte[] abstractSyntax = bind.getBytes(32, 52);
        if (!Arrays.equals(abstractSyntax, iface) || !Arrays.equals(bind.getBytes(52, 72), NDR)) {
            throw new RpcProtocolError("bind to " + hex(Buffer.buffer(abstractSyntax)) + " in " + hex(bind.getBuffer(52, 72))
                    + ": not the test interface in NDR");
        }
        byte[] port = "6001\0".getBytes(StandardCharsets.US_ASCII);
        Buffer body = Buffer.buffer().appendShortLE((short) Math.min(maxXmit, 4280)).appendShortLE((short) 4280)
                .appendIntLE(associationGroup).appendShortLE((short) port.length).appendBytes(port);
        while ((HEADER + body.length()) % 4 != 0) {
            body.appendByte((byte) 0);
        }
        body.appendByte((byte) 1).appendByte((byte) 0).appendShortLE((short) 0) // one result
                .appendShortLE((short) 0).appendShortLE((short) 0).appendBytes(NDR); // acceptance, NDR
        return pdu(BIND_ACK, bind.getIntLE(12), body);
    }

    record Request(int callId, int contextId, int opnum, Buffer stub) {
    }

    static Request request(Buffer pdu) {
        need(pdu, 24);
        if ((pdu.getUnsignedByte(3) & 0x80) != 0) {
            throw new RpcProtocolError("request with an object UUID");
        }
        return new Request(pdu.getIntLE(12), pdu.getUnsignedShortLE(20), pdu.getUnsignedShortLE(22), pdu.getBuffer(24, pdu.length()));
    }

    static Buffer response(Request request, Buffer stub) {
        return pdu(RESPONSE, request.callId(), Buffer.buffer().appendIntLE(stub.length()).appendShortLE((short) request.contextId())
                .appendShortLE((short) 0).appendBuffer(stub));
    }

    /** A fault with status nca_s_op_rng_error: the operation does not exist. */
    static Buffer faultNoSuchOperation(Request request) {
        return pdu(FAULT, request.callId(), Buffer.buffer().appendIntLE(0).appendShortLE((short) request.contextId())
                .appendShortLE((short) 0).appendIntLE(0x1c010002).appendIntLE(0));
    }

    /** A top-level NDR conformant varying UTF-16 string (impacket's WSTR), without its terminating NUL. */
    static String wstr(Buffer stub) {
        need(stub, 12);
        long max = stub.getUnsignedIntLE(0);
        long actual = stub.getUnsignedIntLE(8);
        if (stub.getIntLE(4) != 0 || actual > max || 12 + 2 * actual > stub.length() || stub.length() - (12 + 2 * actual) > 3) {
            throw new RpcProtocolError("not one NDR conformant varying string: " + hex(stub));
        }
        String s = new String(stub.getBytes(12, 12 + (int) (2 * actual)), StandardCharsets.UTF_16LE);
        return s.endsWith("\0") ? s.substring(0, s.length() - 1) : s;
    }

    /** The stub of an answer: a NUL-terminated WSTR, then a 32-bit status, aligned as NDR wants. */
    static Buffer wstrThenStatus(String s, int status) {
        byte[] chars = (s + "\0").getBytes(StandardCharsets.UTF_16LE);
        Buffer b = Buffer.buffer().appendIntLE(chars.length / 2).appendIntLE(0).appendIntLE(chars.length / 2).appendBytes(chars);
        while (b.length() % 4 != 0) {
            b.appendByte((byte) 0);
        }
        return b.appendIntLE(status);
    }

    static String hex(Buffer b) {
        return HexFormat.of().formatHex(b.getBytes());
    }

    private static Buffer need(Buffer pdu, int length) {
        if (pdu.length() < length) {
            throw new RpcProtocolError("PDU of " + pdu.length() + " bytes is too short (needs " + length + ")");
        }
        return pdu;
    }
}
