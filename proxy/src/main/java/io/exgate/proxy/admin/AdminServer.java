package io.exgate.proxy.admin;

import io.exgate.proxy.config.ListenAddress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The plain-HTTP admin listener. Today it answers {@code /live}; metrics, status and the admin API
 * arrive with their issues.
 */
public final class AdminServer {
    private final HttpServer server;

    private AdminServer(HttpServer server) {
        this.server = server;
    }

    public static Future<AdminServer> start(Vertx vertx, ListenAddress address) {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(address.host()).setPort(address.port()));
        server.requestHandler(request -> {
            if (request.path().equals("/live")) {
                request.response().putHeader("Content-Type", "text/plain; charset=utf-8").end("live\n");
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
