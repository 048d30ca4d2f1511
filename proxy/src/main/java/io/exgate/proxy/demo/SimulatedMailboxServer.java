package io.exgate.proxy.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain-HTTP server that behaves like an Exchange mailbox server where a front door can tell:
 * {@code healthcheck.htm}, MAPI over HTTP framing (chunked PROCESSING / PENDING / DONE with
 * session cookies), RPC over HTTP channels with 1 GiB announced bodies, and Exchange's diagnostic
 * response headers. Used by {@code exgate demo} and by the tests.
 *
 * <p>Everything streams: the IN channel is hashed as it arrives and the OUT channel is generated
 * with backpressure, so the simulator itself never holds a body.
 */
public final class SimulatedMailboxServer {
    /** OUT channel bytes are {@code position % 251}: a pattern a reader can check as it goes. */
    public static final int PATTERN_MODULUS = 251;
    public static final long RPC_CHANNEL_LENGTH = 1L << 30;
    private static final Buffer PATTERN = pattern();

    private final Vertx vertx;
    private final String name;
    private final String fqdn;
    private final Settings settings;
    private final Map<String, Long> mapiSessions = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final Set<String> unhealthy = ConcurrentHashMap.newKeySet();
    private volatile RpcInResult lastRpcIn;
    private HttpServer server;

    /**
     * How the simulator behaves.
     *
     * @param pendingPeriod     how often a MAPI response in progress sends {@code PENDING}
     * @param notificationWait  how long a NotificationWait is held before it answers
     * @param rpcOutLength      the Content-Length announced (and sent) on RPC_OUT_DATA responses
     * @param strictSessions    answer X-ResponseCode 10 to MAPI requests whose session it does not know
     */
    public record Settings(Duration pendingPeriod, Duration notificationWait, long rpcOutLength, boolean strictSessions) {
        public static Settings exchangeLike() {
            return new Settings(Duration.ofSeconds(15), Duration.ofMinutes(5), RPC_CHANNEL_LENGTH, true);
        }

        public Settings withPendingPeriod(Duration d) {
            return new Settings(d, notificationWait, rpcOutLength, strictSessions);
        }

        public Settings withNotificationWait(Duration d) {
            return new Settings(pendingPeriod, d, rpcOutLength, strictSessions);
        }

        public Settings withRpcOutLength(long n) {
            return new Settings(pendingPeriod, notificationWait, n, strictSessions);
        }

        public Settings withStrictSessions(boolean strict) {
            return new Settings(pendingPeriod, notificationWait, rpcOutLength, strict);
        }
    }

    /** What the last RPC_IN_DATA channel delivered. */
    public record RpcInResult(long announced, long received, String sha256, boolean complete) {
    }

    public SimulatedMailboxServer(Vertx vertx, String name, Settings settings) {
        this.vertx = vertx;
        this.name = name.toUpperCase(Locale.ROOT);
        this.fqdn = name.toLowerCase(Locale.ROOT) + ".demo.exgate.local";
        this.settings = settings;
    }

    public Future<Integer> start(String host, int port) {
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                .setHandle100ContinueAutomatically(true).setMaxHeaderSize(64 * 1024));
        server.requestHandler(this::handle);
        return server.listen().map(HttpServer::actualPort);
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    public String name() {
        return name;
    }

    public String fqdn() {
        return fqdn;
    }

    /** Requests served, health probes left out. */
    public long requestCount() {
        return requests.get();
    }

    /**
     * Takes one virtual directory (e.g. {@code /mapi}) out of service or back, as Managed Availability
     * does: its healthcheck.htm then resets the connection, as Exchange's does, while the others answer.
     */
    public void setHealthy(String vdirPath, boolean healthy) {
        if (healthy) {
            unhealthy.remove(vdirPath.toLowerCase(Locale.ROOT));
        } else {
            unhealthy.add(vdirPath.toLowerCase(Locale.ROOT));
        }
    }

    public RpcInResult lastRpcIn() {
        return lastRpcIn;
    }

    private void handle(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        response.putHeader("X-BEServer", name).putHeader("X-DiagInfo", name);
        String path = request.path().toLowerCase(Locale.ROOT);
        if (path.endsWith("/healthcheck.htm") && request.method() == HttpMethod.GET) {
            String vdir = path.substring(0, path.indexOf('/', 1) < 0 ? path.length() : path.indexOf('/', 1));
            if (unhealthy.contains(vdir)) {
                request.connection().close();
            } else {
                response.putHeader("Content-Type", "text/html").end("200 OK<br/>" + fqdn);
            }
            return;
        }
        requests.incrementAndGet();
        if ((path.startsWith("/mapi/emsmdb") || path.startsWith("/mapi/nspi")) && request.method() == HttpMethod.POST) {
            mapi(request, path.startsWith("/mapi/emsmdb") ? "/mapi/emsmdb/" : "/mapi/nspi/");
        } else if (path.startsWith("/rpc/rpcproxy.dll")) {
            rpc(request);
        } else {
            echo(request);
        }
    }

    /** Any other request: a small JSON document saying who answered and what arrived. */
    private void echo(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            JsonObject headers = new JsonObject();
            request.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
            request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("server", name).put("method", request.method().name()).put("uri", request.uri())
                    .put("bodyBytes", body.length()).put("headers", headers).encodePrettily() + "\n");
        });
    }

    private void mapi(HttpServerRequest request, String cookiePath) {
        long[] bodyBytes = {0};
        request.handler(b -> bodyBytes[0] += b.length());
        request.endHandler(v -> mapiAnswer(request, cookiePath, bodyBytes[0]));
    }

    private void mapiAnswer(HttpServerRequest request, String cookiePath, long bodyBytes) {
        HttpServerResponse response = request.response();
        String type = request.getHeader("X-RequestType");
        Instant start = Instant.now();
        response.setChunked(true)
                .putHeader("Content-Type", "application/mapi-http")
                .putHeader("X-PendingPeriod", String.valueOf(settings.pendingPeriod().toMillis()))
                .putHeader("X-ServerApplication", "Exchange/15.02.1544.004");
        if (request.getHeader("X-RequestId") != null) {
            response.putHeader("X-RequestId", request.getHeader("X-RequestId"));
        }
        int code;
        if (type == null) {
            code = 7; // Missing Header
        } else {
            response.putHeader("X-RequestType", type);
            String t = type.toLowerCase(Locale.ROOT);
            if (t.equals("connect") || t.equals("bind")) {
                String context = UUID.randomUUID().toString();
                mapiSessions.put(context, 0L);
                response.headers().add("Set-Cookie", "MapiContext=" + context + "; path=" + cookiePath + "; secure; HttpOnly");
                response.headers().add("Set-Cookie", "MapiSequence=" + context + "-0; path=" + cookiePath + "; secure; HttpOnly");
                code = 0;
            } else if (t.equals("ping")) {
                code = 0;
            } else {
                String context = request.getCookie("MapiContext") == null ? null : request.getCookie("MapiContext").getValue();
                boolean known = context != null && mapiSessions.containsKey(context);
                code = known || !settings.strictSessions() ? 0 : 10; // 10: Context Not Found
                if (known && (t.equals("disconnect") || t.equals("unbind"))) {
                    mapiSessions.remove(context);
                }
            }
        }
        response.putHeader("X-ResponseCode", String.valueOf(code));
        response.write("PROCESSING\r\n");
        long holdMillis = code == 0 && "notificationwait".equalsIgnoreCase(type) ? settings.notificationWait().toMillis() : 0;
        long period = Math.max(1, settings.pendingPeriod().toMillis());
        Runnable done = () -> {
            if (response.closed() || response.ended()) {
                return;
            }
            long elapsed = Duration.between(start, Instant.now()).toMillis();
            response.write("DONE\r\n");
            response.end("X-ResponseCode: " + code + "\r\nX-ElapsedTime: " + elapsed + "\r\nX-StartTime: "
                    + start + "\r\n\r\n" + "exgate-simulator " + name + " " + type + " request of " + bodyBytes + " bytes\r\n");
        };
        if (holdMillis == 0) {
            done.run();
            return;
        }
        long deadline = System.nanoTime() + holdMillis * 1_000_000L;
        long timer = vertx.setPeriodic(Math.min(period, holdMillis), Math.min(period, holdMillis), id -> {
            if (response.closed() || response.ended()) {
                vertx.cancelTimer(id);
            } else if (System.nanoTime() >= deadline) {
                vertx.cancelTimer(id);
                done.run();
            } else {
                response.write("PENDING\r\n");
            }
        });
        response.closeHandler(v -> vertx.cancelTimer(timer));
    }

    private void rpc(HttpServerRequest request) {
        String method = request.method().name();
        HttpServerResponse response = request.response();
        if (!method.equals("RPC_IN_DATA") && !method.equals("RPC_OUT_DATA")) {
            response.setStatusCode(405).putHeader("Allow", "RPC_IN_DATA, RPC_OUT_DATA").end();
            return;
        }
        long announced = parseLength(request.getHeader("Content-Length"));
        if (announced <= 16) {
            // An echo request probes the path: answer a short RTS echo at once.
            request.body().onSuccess(b -> response.putHeader("Content-Type", "application/rpc").end(echoPacket()));
            return;
        }
        if (method.equals("RPC_IN_DATA")) {
            rpcIn(request, announced);
        } else {
            rpcOut(request);
        }
    }

    private void rpcIn(HttpServerRequest request, long announced) {
        MessageDigest sha = sha256();
        long[] received = {0};
        request.handler(b -> {
            received[0] += b.length();
            sha.update(b.getBytes());
        });
        request.exceptionHandler(e -> lastRpcIn = new RpcInResult(announced, received[0], null, false));
        request.endHandler(v -> {
            String hex = HexFormat.of().formatHex(sha.digest());
            lastRpcIn = new RpcInResult(announced, received[0], hex, true);
            request.response().putHeader("Content-Type", "application/rpc")
                    .putHeader("X-Simulator-Received-Bytes", String.valueOf(received[0]))
                    .putHeader("X-Simulator-Received-Sha256", hex)
                    .end();
        });
    }

    private void rpcOut(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        // The OUT channel's request carries only the first RTS packet; the answer is the long stream.
        request.body().onSuccess(first -> {
            response.putHeader("Content-Type", "application/rpc")
                    .putHeader("Content-Length", String.valueOf(settings.rpcOutLength()));
            new OutChannel(response, settings.rpcOutLength()).pump();
        });
    }

    /** Writes the OUT channel's bytes as fast as the reader takes them, and no faster. */
    private static final class OutChannel {
        private final HttpServerResponse response;
        private final long length;
        private long sent;

        OutChannel(HttpServerResponse response, long length) {
            this.response = response;
            this.length = length;
        }

        void pump() {
            while (sent < length && !response.writeQueueFull() && !response.closed()) {
                int n = (int) Math.min(PATTERN.length(), length - sent);
                response.write(n == PATTERN.length() ? PATTERN : PATTERN.slice(0, n));
                sent += n;
            }
            if (response.closed()) {
                return;
            }
            if (sent >= length) {
                response.end();
            } else {
                response.drainHandler(v -> pump());
            }
        }
    }

    private static Buffer pattern() {
        byte[] bytes = new byte[PATTERN_MODULUS * 261]; // 65 511 bytes: each write starts at a multiple of 251
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i % PATTERN_MODULUS);
        }
        return Buffer.buffer(bytes);
    }

    private static Buffer echoPacket() {
        // An RTS PDU header (version 5.0, type 20 = RTS, 20 bytes) with the echo flag, as a server answers an echo.
        byte[] b = {5, 0, 20, 3, 16, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0};
        return Buffer.buffer(b);
    }

    private static long parseLength(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
