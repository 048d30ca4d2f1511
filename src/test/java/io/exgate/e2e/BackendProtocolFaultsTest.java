package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backends that speak garbage, reset TLS, die, or meet a client that stops reading: clear answers, bounded memory. */
class BackendProtocolFaultsTest {
    @TempDir
    Path dir;

    /** A TCP server on loopback that does {@code what} with every connection; returns its port. */
    private static int tcpServer(Lab lab, io.vertx.core.Handler<io.vertx.core.net.NetSocket> what) throws Exception {
        NetServer server = lab.vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0)).connectHandler(what);
        return server.listen().await(10, TimeUnit.SECONDS).actualPort();
    }

    /** The HttpProxy log lines written so far, all protocols. */
    private static String httpProxyLog(Path dir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir.resolve("logs"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(f));
            }
        }
        return all.toString();
    }

    private static String awaitLogged(Path dir, String requestId) throws Exception {
        for (int i = 0; i < 100; i++) {
            for (String line : httpProxyLog(dir).split("\n")) {
                if (line.contains(requestId)) {
                    return line;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no HttpProxy log line for request " + requestId);
    }

    @Test
    void aBackendAnsweringGarbageGives502AndTheReasonIsLogged() throws Exception {
        try (Lab lab = new Lab(dir)) {
            int port = tcpServer(lab, socket -> socket.handler(bytes -> socket.end(Buffer.buffer("SSH-2.0-OpenSSH_9.2\r\n\u0000\u0001garbage"))));
            lab.startExgate(List.of("http://127.0.0.1:" + port));
            Lab.Fetched r = lab.fetch(HttpMethod.GET, "/owa/");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).startsWith("502 Bad Gateway").contains("Request id: " + r.header("X-Request-Id"));
            assertThat(awaitLogged(dir, r.header("X-Request-Id"))).contains(",502,").contains("BackendUnreachable=");
        }
    }

    @Test
    void aBackendResettingDuringTheTlsHandshakeGives502AndTheReasonIsLogged() throws Exception {
        try (Lab lab = new Lab(dir)) {
            // Reads the ClientHello, then resets the connection (SO_LINGER 0 makes close send RST).
            java.net.ServerSocket resetting = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread thread = new Thread(() -> {
                while (!resetting.isClosed()) {
                    try (java.net.Socket s = resetting.accept()) {
                        s.getInputStream().read(new byte[512]);
                        s.setSoLinger(true, 0);
                    } catch (java.io.IOException e) {
                        // closed at the end of the test
                    }
                }
            }, "resetting-backend");
            thread.setDaemon(true);
            thread.start();
            lab.startExgate(List.of("https://127.0.0.1:" + resetting.getLocalPort()));
            Lab.Fetched r = lab.fetch(HttpMethod.GET, "/ews/exchange.asmx");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).contains("Request id: " + r.header("X-Request-Id"));
            assertThat(awaitLogged(dir, r.header("X-Request-Id"))).contains(",502,").contains("BackendUnreachable=");
            resetting.close();
        }
    }

    @Test
    void afterABackendDiesMidAnswerTheNextRequestForTheSameMailboxGoesToAnother() throws Exception {
        try (Lab lab = new Lab(dir)) {
            io.vertx.core.http.HttpServer[] dying = new io.vertx.core.http.HttpServer[1];
            dying[0] = lab.vertx.createHttpServer().requestHandler(request -> {
                if (request.getHeader("X-Die") == null) {
                    request.response().end("from ex1");
                    return;
                }
                request.response().putHeader("Content-Length", "100000").write("partial");
                // The server process dies: its listener and its connections go.
                lab.vertx.setTimer(100, t -> dying[0].close());
            });
            int dyingPort = dying[0].listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
            String other = lab.backend(request -> request.response().end("from ex2"));
            lab.startExgate(List.of("http://127.0.0.1:" + dyingPort, other));
            String mailbox = null;
            for (int i = 0; i < 50 && mailbox == null; i++) {
                String candidate = "user" + i + "@contoso.com";
                if (lab.fetch(anchored(candidate), null).text().equals("from ex1")) {
                    mailbox = candidate;
                }
            }
            assertThat(mailbox).as("some mailbox hashes to ex1").isNotNull();
            Throwable cut = lab.client().request(anchored(mailbox).putHeader("X-Die", "1"))
                    .compose(req -> req.send().compose(resp -> resp.body()))
                    .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
                    .await(10, TimeUnit.SECONDS);
            assertThat(cut).as("the truncated answer ends in an error").isNotNull();
            for (int i = 0; i < 5; i++) {
                Lab.Fetched r = lab.fetch(anchored(mailbox), null);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("from ex2");
            }
        }
    }

    private static RequestOptions anchored(String mailbox) {
        return new RequestOptions().setMethod(HttpMethod.GET).setURI("/ews/exchange.asmx").putHeader("X-AnchorMailbox", mailbox);
    }

    @Test
    void aClientThatStopsReadingStopsTheBackendInsteadOfFillingExgatesMemory() throws Exception {
        try (Lab lab = new Lab(dir)) {
            AtomicLong written = new AtomicLong();
            Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
            String endless = lab.backend(request -> {
                io.vertx.core.http.HttpServerResponse response = request.response().setChunked(true);
                Runnable[] pump = new Runnable[1];
                pump[0] = () -> {
                    while (!response.writeQueueFull() && !response.closed() && written.get() < (1L << 32)) {
                        response.write(chunk);
                        written.addAndGet(chunk.length());
                    }
                    if (!response.closed()) {
                        response.drainHandler(v -> pump[0].run());
                    }
                };
                pump[0].run();
            });
            lab.startExgate(List.of(endless));
            try (RawHttps client = new RawHttps(lab.port())) {
                client.send("POST /rpc/rpcproxy.dll?mbx.contoso.com:6001 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
                client.readExactly(4096);
                // The client reads nothing more: TCP windows and a bounded amount of buffering fill, then the backend must wait.
                Thread.sleep(2_000);
                long settled = written.get();
                Thread.sleep(2_000);
                long later = written.get();
                assertThat(later - settled).as("bytes the backend could still send while nobody read").isLessThan(1024 * 1024);
                assertThat(later).as("bytes in flight between backend and client").isLessThan(64L * 1024 * 1024);
                // Reading again resumes the stream.
                client.readExactly(8 * 1024 * 1024);
                assertThat(written.get()).isGreaterThan(later);
            }
        }
    }
}
