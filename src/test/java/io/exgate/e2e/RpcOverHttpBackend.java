package io.exgate.e2e;

import io.exgate.e2e.RpcPdus.RpcProtocolError;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * An Exchange RPC proxy and RPC server in one, as far as impacket's RPC over HTTP v2 client goes: NTLM
 * verified on each channel's own TCP connection (the JDK's NTLM server checks the response against the
 * password), RPC_OUT_DATA and RPC_IN_DATA joined by their virtual connection cookie (CONN/A1 on OUT,
 * CONN/B1 on IN; CONN/A3 and, once both are here, CONN/C2 back on OUT), then DCE/RPC bind and calls
 * of a one-operation test interface whose answer names this backend. Channel bodies are parsed PDU by
 * PDU as they stream. Anything unexpected is recorded in {@link #errors()} and closes the channel.
 */
final class RpcOverHttpBackend {
    static final long ANNOUNCED = 1L << 30;
    /** The test interface: operation 0 takes a string and answers a JSON string about the call. */
    static final byte[] INTERFACE = RpcPdus.syntax("5e1c7a52-9d3b-4c2f-8e0a-3b1f6c7d2e41", 1, 0);
    private static final long PAIRING_TIMEOUT_MS = 20_000;

    private final String name;
    private final Map<String, String> passwords;
    private final Map<HttpConnection, Tcp> connections = new ConcurrentHashMap<>();
    private final Map<String, VirtualConnection> virtualConnections = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger tcpIds = new AtomicInteger();
    private Vertx vertx;

    /** One TCP connection as this backend saw it: the NTLM legs on it in order, and whom they proved. */
    static final class Tcp {
        final int id;
        final List<String> legs = new CopyOnWriteArrayList<>();
        volatile String user;
        SaslServer ntlm;

        Tcp(int id) {
            this.id = id;
        }
    }

    /** One channel: its method, the TCP connection it came on, its RPC endpoint and exgate's X-Forwarded-For. */
    record Channel(String method, Tcp tcp, String endpoint, String forwardedFor, HttpServerRequest request) {
    }

    /** Both channels of one virtual connection, as they reached this backend. */
    static final class VirtualConnection {
        final String cookie;
        volatile Channel in;
        volatile Channel out;
        volatile boolean established;
        final AtomicInteger calls = new AtomicInteger();

        VirtualConnection(String cookie) {
            this.cookie = cookie;
        }
    }

    RpcOverHttpBackend(String name, Map<String, String> passwords) {
        this.name = name;
        this.passwords = passwords;
    }

    String start(Vertx vertx) throws Exception {
        this.vertx = vertx;
        int port = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(this::handle)
                .listen().await(10, TimeUnit.SECONDS).actualPort();
        return "http://127.0.0.1:" + port;
    }

    List<String> errors() {
        return errors;
    }

    Optional<VirtualConnection> virtualConnection(String cookie) {
        return Optional.ofNullable(virtualConnections.get(cookie));
    }

    private void handle(HttpServerRequest r) {
        Tcp tcp = connections.computeIfAbsent(r.connection(), c -> {
            c.closeHandler(v -> connections.remove(c));
            return new Tcp(tcpIds.incrementAndGet());
        });
        String method = r.method().name();
        if (r.method() == HttpMethod.GET && r.path().toLowerCase().endsWith("/healthcheck.htm")) {
            r.response().end("200 OK<br/>" + name);
            return;
        }
        if (!(method.equals("RPC_IN_DATA") || method.equals("RPC_OUT_DATA")) || !r.path().equalsIgnoreCase("/rpc/rpcproxy.dll")) {
            refuse(r, 404, "unexpected request " + method + " " + r.uri());
            return;
        }
        String auth = r.getHeader("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "NTLM ", 0, 5)) {
            // impacket always starts with an NTLM negotiate message and sends the answer on the same connection.
            refuse(r, 401, method + " on connection " + tcp.id + " without NTLM (Authorization: " + auth + ")");
            return;
        }
        try {
            byte[] token = Base64.getDecoder().decode(auth.substring(5).trim());
            int type = token.length > 8 ? token[8] : 0;
            if (type == 1) {
                tcp.ntlm = JdkNtlm.server(passwords);
                byte[] challenge = JdkNtlm.withTargetInfo(tcp.ntlm.evaluateResponse(token), name.toUpperCase(), 0);
                tcp.legs.add("negotiate");
                tcp.legs.add("challenge");
                r.response().setStatusCode(401).putHeader("WWW-Authenticate", "NTLM " + Base64.getEncoder().encodeToString(challenge))
                        .end();
            } else if (type == 3 && tcp.ntlm != null) {
                tcp.ntlm.evaluateResponse(token);
                tcp.user = tcp.ntlm.getAuthorizationID();
                tcp.ntlm = null;
                tcp.legs.add("authenticate " + tcp.user);
                channel(r, tcp);
            } else {
                // What pooling does to NTLM: the answer reaches a connection that never issued the challenge.
                refuse(r, 401, "NTLM message type " + type + " on connection " + tcp.id + " that has no handshake in progress");
            }
        } catch (SaslException | IllegalArgumentException e) {
            tcp.ntlm = null;
            refuse(r, 401, "NTLM refused on connection " + tcp.id + ": " + e);
        }
    }

    /** An authenticated channel: its body is read PDU by PDU as it streams in. */
    private void channel(HttpServerRequest r, Tcp tcp) {
        String endpoint = r.query();
        if (endpoint == null || !endpoint.matches("[A-Za-z0-9.{}@-]+:600[1-4]")) {
            refuse(r, 503, "RPC endpoint " + endpoint + " is not <server or mailbox>:<6001-6004>");
            return;
        }
        Channel channel = new Channel(r.method().name(), tcp, endpoint, r.getHeader("X-Forwarded-For"), r);
        VirtualConnection[] joined = {null};
        RpcPdus.Framer framer = new RpcPdus.Framer();
        r.handler(data -> {
            try {
                for (Buffer pdu : framer.feed(data)) {
                    if (joined[0] == null) {
                        joined[0] = join(channel, pdu);
                    } else {
                        received(joined[0], channel, pdu);
                    }
                }
            } catch (RpcProtocolError e) {
                fail(joined[0], channel, e.getMessage());
            }
        });
        if (r.headers().contains("Expect", "100-continue", true)) {
            // As IIS: the 100 comes only once the connection is authenticated; impacket waits for it.
            r.response().writeContinue();
        }
    }

    /** The channel's first PDU: CONN/A1 on OUT, CONN/B1 on IN, both naming the virtual connection. */
    private VirtualConnection join(Channel channel, Buffer pdu) {
        RpcPdus.Rts rts = RpcPdus.rts(pdu);
        boolean out = channel.method().equals("RPC_OUT_DATA");
        List<Integer> expected = out ? List.of(6, 3, 3, 0) : List.of(6, 3, 3, 4, 5, 0xC);
        if (rts.flags() != 0 || !rts.commands().equals(expected)) {
            throw new RpcProtocolError((out ? "CONN/A1" : "CONN/B1") + " expected first on " + channel.method() + ", got RTS flags "
                    + rts.flags() + " commands " + rts.commands());
        }
        String cookie = RpcPdus.hex(rts.values().get(1));
        VirtualConnection vc = virtualConnections.computeIfAbsent(cookie, VirtualConnection::new);
        synchronized (vc) {
            if ((out ? vc.out : vc.in) != null) {
                throw new RpcProtocolError("virtual connection " + cookie + " already has its " + channel.method() + " channel");
            }
            if (out) {
                vc.out = channel;
                HttpServerResponse response = channel.request().response().setStatusCode(200)
                        .putHeader("Content-Length", String.valueOf(ANNOUNCED)).putHeader("Content-Type", "application/rpc");
                response.write(RpcPdus.rts(0, new int[] {2, 120_000})); // CONN/A3: connection timeout
            } else {
                vc.in = channel;
            }
            if (vc.in != null && vc.out != null) {
                // CONN/C2 tells the client its virtual connection is up: only once both channels are on this server.
                vc.established = true;
                vc.out.request().response().write(RpcPdus.rts(0, new int[] {6, 1}, new int[] {0, 65_536}, new int[] {2, 120_000}));
            }
        }
        vertx.setTimer(PAIRING_TIMEOUT_MS, t -> {
            if (!vc.established) {
                fail(vc, channel, channel.method() + " of virtual connection " + cookie + " never met its other channel on " + name);
            }
        });
        return vc;
    }

    /** A later PDU: only the IN channel carries any (RTS flow control or pings, bind, requests). */
    private void received(VirtualConnection vc, Channel channel, Buffer pdu) {
        if (channel.method().equals("RPC_OUT_DATA") || !vc.established) {
            throw new RpcProtocolError("PDU type " + RpcPdus.type(pdu) + " on " + channel.method() + " of virtual connection "
                    + vc.cookie + (vc.established ? " after CONN/A1" : " before CONN/C2"));
        }
        HttpServerResponse out = vc.out.request().response();
        switch (RpcPdus.type(pdu)) {
            case RpcPdus.RTS -> {
                RpcPdus.Rts rts = RpcPdus.rts(pdu);
                boolean ping = rts.flags() == 1 && rts.commands().isEmpty();
                boolean ack = rts.flags() == 2 && rts.commands().equals(List.of(0xD, 1));
                if (!ping && !ack) {
                    throw new RpcProtocolError("unexpected RTS on IN: flags " + rts.flags() + " commands " + rts.commands());
                }
            }
            case RpcPdus.BIND -> out.write(RpcPdus.bindAck(pdu, INTERFACE, 0x4000 + Math.floorMod(vc.cookie.hashCode(), 0x1000)));
            case RpcPdus.REQUEST -> {
                RpcPdus.Request request = RpcPdus.request(pdu);
                if (request.opnum() != 0) {
                    out.write(RpcPdus.faultNoSuchOperation(request));
                    throw new RpcProtocolError("call of operation " + request.opnum());
                }
                String text = RpcPdus.wstr(request.stub());
                JsonObject answer = new JsonObject().put("backend", name).put("cookie", vc.cookie)
                        .put("endpoint", vc.in.endpoint()).put("outEndpoint", vc.out.endpoint())
                        .put("user", vc.in.tcp().user).put("client", vc.in.forwardedFor()).put("outClient", vc.out.forwardedFor())
                        .put("inConnection", vc.in.tcp().id).put("outConnection", vc.out.tcp().id)
                        .put("call", vc.calls.incrementAndGet()).put("text", text);
                out.write(RpcPdus.response(request, RpcPdus.wstrThenStatus(answer.encode(), 0)));
            }
            default -> throw new RpcProtocolError("unexpected PDU type " + RpcPdus.type(pdu) + " on IN");
        }
    }

    private void fail(VirtualConnection vc, Channel channel, String why) {
        errors.add(name + ": " + why);
        channel.request().connection().close();
        if (vc != null) {
            for (Channel c : new Channel[] {vc.in, vc.out}) {
                if (c != null) {
                    c.request().connection().close();
                }
            }
        }
    }

    private void refuse(HttpServerRequest r, int status, String why) {
        errors.add(name + ": " + why);
        HttpServerResponse response = r.response().setStatusCode(status).putHeader("X-Refusal", why);
        if (status == 401) {
            response.putHeader("WWW-Authenticate", "NTLM");
        }
        response.end(status + " " + why).onComplete(v -> r.connection().close());
    }
}
