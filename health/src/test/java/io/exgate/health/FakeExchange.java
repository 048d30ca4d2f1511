package io.exgate.health;

import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on 127.0.0.1 whose healthcheck answers can be switched per virtual directory. */
final class FakeExchange implements AutoCloseable {

    enum Mode {
        /** {@code 200 OK<br/>EX1.lab.local}, as Exchange answers while the protocol is Active. */
        HEALTHY,
        /** 401 with Negotiate: the wall an authenticated path puts up. */
        UNAUTHORIZED,
        /** 302 to the OWA logon page. */
        REDIRECT,
        /** 200 with IIS's default page. */
        IIS_DEFAULT,
        /** 200 with a body other than {@code 200 OK}. */
        WRONG_BODY,
        /** Accepts the request and never answers. */
        HANG,
        /** Closes the connection instead of answering. */
        CLOSE,
        /** Answers healthy after {@link #slowMs}. */
        SLOW,
        /** Sends headers, then one body byte every 100 ms without end. */
        TRICKLE,
        /** Healthy and unhealthy (500) in turn, one per request. */
        FLAP,
        /** 200 {@code 200 OK<br/>...} followed by 100 KB of padding. */
        HUGE
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Map<String, Mode> modes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    final List<String> hostHeaders = new CopyOnWriteArrayList<>();
    volatile String serverName = "EX1.lab.local";
    volatile long slowMs = 200;

    private FakeExchange(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(this::handle);
    }

    static FakeExchange start(Vertx vertx) throws Exception {
        FakeExchange fake = new FakeExchange(vertx);
        fake.server.listen().await(10, TimeUnit.SECONDS);
        return fake;
    }

    int port() {
        return server.actualPort();
    }

    Backend backend(String name) {
        return new Backend(name, "http", "127.0.0.1", port());
    }

    FakeExchange set(VirtualDirectory vdir, Mode mode) {
        modes.put(vdir.path().toLowerCase(Locale.ROOT), mode);
        return this;
    }

    int requests(VirtualDirectory vdir) {
        AtomicInteger n = requests.get(vdir.path().toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path().toLowerCase(Locale.ROOT);
        int end = path.indexOf('/', 1);
        String vdir = end < 0 ? path : path.substring(0, end);
        int n = requests.computeIfAbsent(vdir, k -> new AtomicInteger()).incrementAndGet();
        hostHeaders.add(req.getHeader("Host"));
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        Mode mode = modes.getOrDefault(vdir, Mode.HEALTHY);
        String healthy = "200 OK<br/>" + serverName;
        switch (mode) {
            case HEALTHY -> answer(req, 200, healthy);
            case UNAUTHORIZED -> {
                req.response().putHeader("WWW-Authenticate", "Negotiate");
                answer(req, 401, "401 - Unauthorized: Access is denied due to invalid credentials.");
            }
            case REDIRECT -> {
                req.response().putHeader("Location", "https://outlook.example.com/owa/auth/logon.aspx");
                answer(req, 302, "");
            }
            case IIS_DEFAULT -> answer(req, 200, "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">\r\n"
                    + "<html>IIS Windows Server<head><title>IIS Windows Server</title></head></html>");
            case WRONG_BODY -> answer(req, 200, "OK");
            case HANG -> req.connection().closeHandler(v -> inFlight.decrementAndGet());
            case CLOSE -> {
                inFlight.decrementAndGet();
                req.connection().close();
            }
            case SLOW -> vertx.setTimer(slowMs, id -> answer(req, 200, healthy));
            case TRICKLE -> {
                req.response().setChunked(true).setStatusCode(200).write("2");
                long timer = vertx.setPeriodic(100, id -> req.response().write("0"));
                req.connection().closeHandler(v -> {
                    vertx.cancelTimer(timer);
                    inFlight.decrementAndGet();
                });
            }
            case FLAP -> {
                if (n % 2 == 1) {
                    answer(req, 200, healthy);
                } else {
                    answer(req, 500, "500 Internal Server Error");
                }
            }
            case HUGE -> answer(req, 200, healthy + "\r\n" + "x".repeat(100_000));
        }
    }

    private void answer(HttpServerRequest req, int status, String body) {
        inFlight.decrementAndGet(); // before the answer leaves: the next probe may follow at once
        req.response().setStatusCode(status).putHeader("Content-Type", "text/html").end(body);
    }

    @Override
    public void close() throws Exception {
        server.close().await(10, TimeUnit.SECONDS);
    }
}
