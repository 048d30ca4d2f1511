package io.exgate.proxy.probe;

import io.exgate.tls.SelfSignedCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A loopback server that answers where a front door probe looks like Exchange does: healthcheck.htm
 * per virtual directory with {@code 200 OK<br/>EX1.lab.local} and X-FEServer/X-BEServer, and 401
 * with one WWW-Authenticate line per scheme to MAPI and RPC without credentials. A virtual directory
 * can be made to answer 503, close the connection without answering, or serve another page.
 */
final class ExchangeLikeServer implements AutoCloseable {
    /** CLOSE ends the connection without an answer (after TLS close_notify; ResettingServer sends a real reset). */
    enum Behaviour { HEALTHY, UNAVAILABLE, CLOSE, OTHER_PAGE }

    /** What a request looked like on arrival, for checks of what the probe sends. */
    record Seen(String method, String path, Map<String, String> headers, String sni) {
    }

    private final HttpServer server;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    private ExchangeLikeServer(Vertx vertx, HttpServerOptions options) throws Exception {
        this.server = vertx.createHttpServer(options).requestHandler(this::handle)
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    }

    /** Over TLS with a self-signed certificate for {@code names}, valid for {@code validity} (negative: expired). */
    static ExchangeLikeServer tls(Vertx vertx, Path dir, String certName, List<String> names, Duration validity)
            throws Exception {
        SelfSignedCertificate.Written cert = SelfSignedCertificate.write(dir, certName, names, validity);
        return new ExchangeLikeServer(vertx, new HttpServerOptions().setSsl(true).setSni(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.cert().toString()).setKeyPath(cert.key().toString())));
    }

    /** Plain HTTP, as a mailbox server behind a TLS-offloading front door. */
    static ExchangeLikeServer plain(Vertx vertx) throws Exception {
        return new ExchangeLikeServer(vertx, new HttpServerOptions());
    }

    ExchangeLikeServer behave(String vdir, Behaviour behaviour) {
        behaviours.put(vdir.toLowerCase(Locale.ROOT), behaviour);
        return this;
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        req.headers().forEach(h -> headers.merge(h.getKey(), h.getValue(), (a, b) -> a + "," + b));
        seen.add(new Seen(req.method().name(), req.path(), headers, req.connection().indicatedServerName()));
        String path = req.path().toLowerCase(Locale.ROOT);
        if (path.endsWith("/healthcheck.htm") && req.method().name().equals("GET")) {
            String vdir = path.substring(1, path.indexOf('/', 1));
            switch (behaviours.getOrDefault(vdir, Behaviour.HEALTHY)) {
                case HEALTHY -> req.response().putHeader("Content-Type", "text/html").putHeader("X-FEServer", "FE1")
                        .putHeader("X-BEServer", "EX1.lab.local").end("200 OK<br/>EX1.lab.local");
                case UNAVAILABLE -> req.response().setStatusCode(503).end("Service Unavailable");
                case CLOSE -> req.connection().close();
                case OTHER_PAGE -> req.response().putHeader("Content-Type", "text/html")
                        .end("<!DOCTYPE html><html><head><title>IIS Windows Server</title></head></html>");
            }
            return;
        }
        boolean mapi = path.startsWith("/mapi/") && req.method().name().equals("POST");
        boolean rpc = path.equals("/rpc/rpcproxy.dll") && req.method().name().startsWith("RPC_");
        if ((mapi || rpc) && req.getHeader("Authorization") == null) {
            // Two header lines, as IIS sends them.
            req.response().headers().add("WWW-Authenticate", "Negotiate").add("WWW-Authenticate", "NTLM");
            req.response().setStatusCode(401).putHeader("X-FEServer", "FE1").end();
            return;
        }
        req.response().setStatusCode(404).end();
    }

    @Override
    public void close() throws Exception {
        server.close().await(10, TimeUnit.SECONDS);
    }
}
