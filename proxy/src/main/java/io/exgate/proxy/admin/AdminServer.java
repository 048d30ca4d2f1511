package io.exgate.proxy.admin;

import io.exgate.health.BackendStates;
import io.exgate.proxy.config.AdminSettings;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain-HTTP admin listener: {@code /live}, {@code /ready}, {@code GET /api/backends}, drain and
 * enable, maintenance, {@code POST /api/tls/reload}. With {@code admin.token} set, everything but
 * {@code /live} and {@code /ready} (which reveal nothing and serve orchestrators' probes) needs
 * {@code Authorization: Bearer <token>}.
 */
public final class AdminServer {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** One self-contained page, read once from the jar. */
    private static final Buffer STATUS_PAGE = statusPage();
    private final HttpServer server;

    private AdminServer(HttpServer server) {
        this.server = server;
    }

    /** What the admin API can ask of the running exgate. */
    public record Actions(Supplier<Future<String>> reloadTls, Supplier<Future<String>> reloadConfig, BackendStates states, Supplier<String> metrics,
                          Supplier<JsonObject> stats) {
    }

    public static Future<AdminServer> start(Vertx vertx, AdminSettings settings, Actions actions) {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(settings.listen().host()).setPort(settings.listen().port()));
        Optional<byte[]> token = settings.token().map(t -> t.getBytes(StandardCharsets.UTF_8));
        if (token.isEmpty() && !isLoopback(settings.listen().host())) {
            LOG.warn("admin.listen {} is not a loopback address and admin.token is not set: anyone who reaches it can drain "
                    + "backends; set admin.token or bind 127.0.0.1", settings.listen());
        }
        server.requestHandler(request -> {
            try {
                answer(request, token, actions);
            } catch (RuntimeException e) {
                failed(request, e);
            }
        });
        return server.listen().map(AdminServer::new);
    }

    private static void answer(HttpServerRequest request, Optional<byte[]> token, Actions actions) {
        if (token.isPresent() && !request.path().equals("/live") && !request.path().equals("/ready")
                && !authorized(request.getHeader("Authorization"), token.get())) {
            LOG.warn("admin API: 401 for {} {} from {} (missing or wrong bearer token)", request.method(), request.path(),
                    request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress());
            request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"exgate admin\"")
                    .putHeader("Content-Type", "text/plain; charset=utf-8").end("a bearer token is required\n");
            return;
        }
        if (request.path().equals("/live")) {
            request.response().putHeader("Content-Type", "text/plain; charset=utf-8").end("live\n");
        } else if (request.path().equals("/metrics") && request.method() == HttpMethod.GET) {
            request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(actions.metrics().get());
        } else if (request.path().equals("/status") && request.method() == HttpMethod.GET) {
            request.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
                    .end(STATUS_PAGE);
        } else if (request.path().equals("/api/stats") && request.method() == HttpMethod.GET) {
            json(request, 200, actions.stats().get().encode());
        } else if (request.path().equals("/ready")) {
            // Ready: configuration loaded (it is, or this would not run) and at least one backend available.
            boolean ready = java.util.Arrays.stream(VirtualDirectory.values()).anyMatch(v -> actions.states().backends(v).stream()
                    .anyMatch(b -> actions.states().isAvailable(b, v)));
            request.response().setStatusCode(ready ? 200 : 503).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end(ready ? "ready\n" : "no backend is available\n");
        } else if (request.path().equals("/api/backends") && request.method() == HttpMethod.GET) {
            json(request, 200, actions.states().toJson().encodePrettily());
        } else if (request.path().startsWith("/api/backends/") && request.method() == HttpMethod.POST) {
            backendAction(request, actions.states());
        } else if (request.path().equals("/api/maintenance") && (request.method() == HttpMethod.POST || request.method() == HttpMethod.DELETE)) {
            boolean on = request.method() == HttpMethod.POST;
            actions.states().setMaintenance(on);
            json(request, 200, new JsonObject().put("maintenance", on).encode());
        } else if (request.path().equals("/api/reload") && request.method() == HttpMethod.POST) {
            actions.reloadConfig().get().onComplete(guarded(request, ar -> {
                JsonObject answer = new JsonObject().put("reloaded", ar.succeeded());
                if (ar.succeeded()) {
                    answer.put("changes", new io.vertx.core.json.JsonArray(java.util.List.of(ar.result().split("\n"))));
                } else {
                    answer.put("error", ar.cause().getMessage());
                }
                int status = ar.succeeded() ? 200 : ar.cause() instanceof io.exgate.proxy.Exgate.ReloadRefusedException ? 409 : 422;
                json(request, status, answer.encode());
            }));
        } else if (request.path().equals("/api/tls/reload") && request.method() == HttpMethod.POST) {
            actions.reloadTls().get().onComplete(guarded(request, ar -> request.response()
                    .setStatusCode(ar.succeeded() ? 200 : 422)
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("reloaded", ar.succeeded())
                            .put(ar.succeeded() ? "certificates" : "error", ar.succeeded() ? ar.result() : ar.cause().getMessage())
                            .encode() + "\n")));
        } else {
            request.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("not found\n");
        }
    }

    /** A reload answers once it is done, outside the handler's guard: its callback gets the same one. */
    private static <T> Handler<AsyncResult<T>> guarded(HttpServerRequest request, Handler<AsyncResult<T>> callback) {
        return ar -> {
            try {
                callback.handle(ar);
            } catch (RuntimeException e) {
                failed(request, e);
            }
        };
    }

    /** A part of exgate failed: answer anyway, as a scraper or a script would otherwise wait for ever. */
    private static void failed(HttpServerRequest request, RuntimeException e) {
        LOG.error("admin API: {} {} failed: {}", request.method(), request.path(), e.toString(), e);
        if (request.response().headWritten()) {
            request.response().reset(); // half an answer is out: only a reset (HTTP/1.1: a close) says it is cut
        } else {
            request.response().setStatusCode(500).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("internal error, see exgate's log\n");
        }
    }

    /** Compares in constant time, so that response timing does not reveal how much of a guess was right. */
    private static boolean authorized(String header, byte[] token) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(header.substring(7).strip().getBytes(StandardCharsets.UTF_8), token);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static Buffer statusPage() {
        try (java.io.InputStream in = AdminServer.class.getResourceAsStream("status.html")) {
            return Buffer.buffer(in.readAllBytes());
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("status.html is missing from the jar", e);
        }
    }

    /** {@code POST /api/backends/{name}/drain} and {@code .../enable}. */
    private static void backendAction(HttpServerRequest request, BackendStates states) {
        String[] parts = request.path().split("/");
        if (parts.length != 5 || !(parts[4].equals("drain") || parts[4].equals("enable"))) {
            json(request, 404, new JsonObject().put("error", "POST /api/backends/{name}/drain or /enable").encode());
            return;
        }
        String name = parts[3];
        boolean known = parts[4].equals("drain") ? states.drain(name) : states.enable(name);
        if (!known) {
            json(request, 404, new JsonObject().put("error", "no backend named " + name).encode());
            return;
        }
        LOG.info("admin API: backend {} {}", name, parts[4].equals("drain") ? "draining: no new sessions" : "enabled");
        json(request, 200, new JsonObject().put("backend", name).put("draining", states.isDraining(name)).encode());
    }

    private static void json(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body + "\n");
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server.close();
    }
}
