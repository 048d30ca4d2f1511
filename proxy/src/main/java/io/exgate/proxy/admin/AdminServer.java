package io.exgate.proxy.admin;

import io.exgate.proxy.config.ListenAddress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpServerOptions;

/**
 * The plain-HTTP admin listener: {@code /live} and {@code POST /api/tls/reload} today; metrics, status
 * and the rest of the admin API arrive with their issues.
 */
public final class AdminServer {
    private final HttpServer server;

    private AdminServer(HttpServer server) {
        this.server = server;
    }

    /** What the admin API can ask of the running exgate. */
    public interface Actions {
        Future<String> reloadTls();
    }

    public static Future<AdminServer> start(Vertx vertx, ListenAddress address, Actions actions) {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(address.host()).setPort(address.port()));
        server.requestHandler(request -> {
            if (request.path().equals("/live")) {
                request.response().putHeader("Content-Type", "text/plain; charset=utf-8").end("live\n");
            } else if (request.path().equals("/api/tls/reload") && request.method() == HttpMethod.POST) {
                actions.reloadTls().onComplete(ar -> request.response()
                        .setStatusCode(ar.succeeded() ? 200 : 422)
                        .putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("reloaded", ar.succeeded())
                                .put(ar.succeeded() ? "certificates" : "error", ar.succeeded() ? ar.result() : ar.cause().getMessage())
                                .encode() + "\n"));
            } else {
                request.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("not found\n");
            }
        });
        return server.listen().map(AdminServer::new);
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server.close();
    }
}
