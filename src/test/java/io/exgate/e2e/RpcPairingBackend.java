package io.exgate.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An RPC over HTTP server that holds both channels of a virtual connection, as Exchange does: the
 * OUT channel's first packet (CONN/A1) and the IN channel's (CONN/B1) carry the same 16-byte virtual
 * connection cookie at offset 32; bytes sent on IN after that packet come back on OUT. An IN channel
 * whose OUT channel is not on this server is refused, as a real server would.
 */
final class RpcPairingBackend {
    static final int FIRST_PACKET = 48;
    static final long ANNOUNCED = 1L << 30;

    private final String name;
    private final Map<String, HttpServerResponse> outChannels = new ConcurrentHashMap<>();
    private HttpServer server;

    RpcPairingBackend(String name) {
        this.name = name;
    }

    String start(Vertx vertx) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(this::handle);
        return "http://127.0.0.1:" + server.listen().await(10, TimeUnit.SECONDS).actualPort();
    }

    static Buffer firstPacket(byte[] cookie) {
        Buffer b = Buffer.buffer(new byte[FIRST_PACKET]);
        b.setBytes(32, cookie);
        return b;
    }

    private void handle(HttpServerRequest request) {
        HttpServerResponse response = request.response().putHeader("X-BEServer", name);
        Buffer head = Buffer.buffer();
        String[] cookie = {null};
        request.handler(data -> {
            if (cookie[0] == null) {
                head.appendBuffer(data);
                if (head.length() < FIRST_PACKET) {
                    return;
                }
                cookie[0] = HexFormat.of().formatHex(head.getBytes(32, 48));
                Buffer rest = head.slice(FIRST_PACKET, head.length());
                if (request.method().name().equals("RPC_OUT_DATA")) {
                    response.putHeader("Content-Length", String.valueOf(ANNOUNCED)).putHeader("Content-Type", "application/rpc");
                    response.writeHead();
                    outChannels.put(cookie[0], response);
                    response.closeHandler(v -> outChannels.remove(cookie[0], response));
                } else {
                    HttpServerResponse out = outChannels.get(cookie[0]);
                    if (out == null) {
                        response.setStatusCode(503).end("no OUT channel for this virtual connection on " + name);
                        request.connection().close();
                        return;
                    }
                    if (rest.length() > 0) {
                        out.write(rest);
                    }
                }
            } else {
                HttpServerResponse out = outChannels.get(cookie[0]);
                if (out != null && request.method().name().equals("RPC_IN_DATA")) {
                    out.write(data);
                }
            }
        });
    }
}
