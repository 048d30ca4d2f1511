package io.exgate.e2e;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.exgate.tls.SelfSignedCertificate;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A test lab: a folder with a certificate and a configuration, exgate started from that configuration
 * in this JVM, and a Vert.x instance of its own for test backends and clients.
 */
final class Lab implements AutoCloseable {
    final Path dir;
    final Vertx vertx = Vertx.vertx();
    /**
     * Vert.x closes a client, connections and all, once nothing references it (a Cleaner): a client kept
     * only in a finished local variable can lose its connections at the next GC. Tests keep theirs here.
     */
    private final List<io.vertx.core.http.HttpClient> kept = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Exgate exgate;
    private HttpClient client;
    private boolean closed;
    /** The {@code tls.engine} written into configurations: auto, openssl or jdk. */
    String tlsEngine = "auto";

    Lab(Path dir) {
        this.dir = dir;
        try {
            SelfSignedCertificate.write(dir.resolve("certs"), "outlook", List.of("localhost", "outlook.example.com", "127.0.0.1"),
                    Duration.ofDays(2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A configuration for the given backend URLs; {@code extra} is appended (e.g. a timeouts section). */
    Path writeConfig(String listen, List<String> backendUrls, String extra) {
        String backends = IntStream.range(0, backendUrls.size())
                .mapToObj(i -> "  - name: ex" + (i + 1) + "\n    url: " + backendUrls.get(i) + "\n")
                .collect(Collectors.joining());
        String yaml = "listen: " + listen + "\n"
                + "tls:\n  engine: " + tlsEngine + "\n  certificates:\n    - cert: certs/outlook.pem\n      key: certs/outlook.key\n"
                + "admin:\n  listen: 127.0.0.1:0\n"
                + "backends:\n" + backends + extra
                // Tests about other things use backends that do not answer healthcheck.htm: no probes for them.
                + (extra.contains("health:") ? "" : "health:\n  interval: 1h\n");
        Path file = dir.resolve("exgate.yaml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Starts exgate in this JVM from a configuration file written for the given backends. */
    Lab startExgate(List<String> backendUrls, String extra) throws Exception {
        return startFromFile(writeConfig("127.0.0.1:0", backendUrls, extra));
    }

    /** Starts exgate in this JVM from a configuration file. */
    Lab startFromFile(Path file) throws Exception {
        exgate = Exgate.start(ConfigLoader.load(file)).await(20, TimeUnit.SECONDS);
        return this;
    }

    Lab startExgate(List<String> backendUrls) throws Exception {
        return startExgate(backendUrls, "");
    }

    /** Starts an Exchange-like mailbox simulator on loopback and returns its URL. */
    String simulator(SimulatedMailboxServer server) throws Exception {
        return "http://127.0.0.1:" + server.start("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
    }

    /** Starts a plain HTTP test backend with the given handler and returns its URL. */
    String backend(Handler<HttpServerRequest> handler) throws Exception {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(handler);
        return "http://127.0.0.1:" + server.listen().await(10, TimeUnit.SECONDS).actualPort();
    }

    int port() {
        return exgate.port();
    }

    Exgate exgate() {
        return exgate;
    }

    /** A real HTTPS client pointed at exgate; it trusts the lab's self-signed certificate. */
    HttpClient client() {
        if (client == null) {
            client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                .setDefaultHost("localhost").setDefaultPort(port()).setMaxChunkSize(64 * 1024), new PoolOptions().setHttp1MaxSize(200));
        }
        return client;
    }

    /** A whole answer: read inside the request's own callback, so no byte can slip past unread. */
    record Fetched(int status, MultiMap headers, Buffer body) {
        String header(String name) {
            return headers.get(name);
        }

        String text() {
            return body.toString();
        }
    }

    Fetched fetch(RequestOptions options, Buffer body) throws Exception {
        return client().request(options)
                .compose(req -> (body == null ? req.send() : req.send(body))
                        .compose(resp -> resp.body().map(b -> new Fetched(resp.statusCode(), resp.headers(), b))))
                .await(30, TimeUnit.SECONDS);
    }

    /** Keeps {@code client} reachable until the lab closes; see {@link #kept}. */
    <T extends io.vertx.core.http.HttpClient> T keep(T client) {
        kept.add(client);
        return client;
    }

    /** A plain-HTTP request to exgate's admin listener. */
    Fetched fetchAdmin(HttpMethod method, String uri) throws Exception {
        int adminPort = exgate.adminPort().orElseThrow();
        return keep(vertx.createHttpClient()).request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(adminPort).setURI(uri))
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> new Fetched(resp.statusCode(), resp.headers(), b))))
                .await(30, TimeUnit.SECONDS);
    }

    Fetched fetch(HttpMethod method, String uri) throws Exception {
        return fetch(new RequestOptions().setMethod(method).setURI(uri), null);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        if (exgate != null) {
            exgate.stop().await(30, TimeUnit.SECONDS);
            exgate = null;
        }
        if (!closed) {
            closed = true;
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
