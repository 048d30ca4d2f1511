package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RPC over HTTP channels announce 1 GiB bodies. exgate runs here as users run it, in its own JVM with
 * a 64 MiB heap and 64 MiB of direct memory: it can only pass 1 GiB each way by streaming it.
 */
class GigabyteStreamingTest {
    private static final long GIB = 1L << 30;
    private static final List<String> SMALL_JVM = List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m");

    @TempDir
    Path dir;

    @Test
    void oneGibibyteEachWayPassesThroughAProxyWithA64MibHeap() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1",
                    SimulatedMailboxServer.Settings.exchangeLike().withRpcOutLength(GIB));
            Path config = lab.writeConfig("127.0.0.1:0", List.of(lab.simulator(ex1)), "");
            try (ExgateProcess exgate = ExgateProcess.start(SMALL_JVM, "run", "--config", config.toString())) {
                int port = exgate.awaitListeningPort();
                HttpClient client = lab.keep(lab.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
                        .setVerifyHost(false).setDefaultHost("localhost").setDefaultPort(port)));

                // IN channel: 1 GiB of random-looking bytes, hashed on both sides.
                String uri = "/rpc/rpcproxy.dll?ex1.example.local:6001";
                long t0 = System.nanoTime();
                String sent = upload(lab, client, uri, GIB);
                long t1 = System.nanoTime();
                assertThat(ex1.lastRpcIn()).isNotNull();
                assertThat(ex1.lastRpcIn().received()).isEqualTo(GIB);
                assertThat(ex1.lastRpcIn().sha256()).isEqualTo(sent);

                // OUT channel: the server's 1 GiB answer, checked byte by byte as it arrives.
                long[] received = {0};
                long[] wrong = {0};
                Promise<Void> done = Promise.promise();
                client.request(HttpMethod.valueOf("RPC_OUT_DATA"), uri)
                        .compose(req -> req.putHeader("Content-Length", "76").send(Buffer.buffer(new byte[76])))
                        .onSuccess(resp -> {
                            assertThat(resp.getHeader("Content-Length")).isEqualTo(String.valueOf(GIB));
                            resp.handler(b -> {
                                for (int i = 0; i < b.length(); i++) {
                                    if (b.getByte(i) != (byte) ((received[0] + i) % SimulatedMailboxServer.PATTERN_MODULUS)) {
                                        wrong[0]++;
                                    }
                                }
                                received[0] += b.length();
                            });
                            resp.exceptionHandler(done::tryFail);
                            resp.endHandler(v -> done.tryComplete());
                        })
                        .onFailure(done::tryFail);
                done.future().await(300, TimeUnit.SECONDS);
                long t2 = System.nanoTime();
                System.out.printf("1 GiB up in %.1f s (%.0f MiB/s), 1 GiB down in %.1f s (%.0f MiB/s), exgate peak RSS %d MiB%n",
                        (t1 - t0) / 1e9, 1024 / ((t1 - t0) / 1e9), (t2 - t1) / 1e9, 1024 / ((t2 - t1) / 1e9), exgate.peakRssMiB());
                assertThat(received[0]).isEqualTo(GIB);
                assertThat(wrong[0]).isZero();

                assertThat(exgate.process.isAlive()).isTrue();
                assertThat(exgate.text()).doesNotContain("OutOfMemoryError");
                // A 64 MiB heap plus 64 MiB direct memory plus the JVM itself; 1 GiB buffered would not fit.
                assertThat(exgate.peakRssMiB()).isLessThan(400);
            }
        }
    }

    private static String upload(Lab lab, HttpClient client, String uri, long length) throws Exception {
        byte[] block = new byte[64 * 1024];
        ThreadLocalRandom.current().nextBytes(block);
        Buffer chunk = Buffer.buffer(block);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Promise<String> result = Promise.promise();
        lab.vertx.runOnContext(v -> client.request(HttpMethod.valueOf("RPC_IN_DATA"), uri).onFailure(result::tryFail)
                .onSuccess(req -> {
                    req.putHeader("Content-Length", String.valueOf(length));
                    req.response().onFailure(result::tryFail).onSuccess(resp -> resp.body().onComplete(b -> {
                        if (resp.statusCode() == 200) {
                            result.tryComplete(resp.getHeader("X-Simulator-Received-Sha256"));
                        } else {
                            result.tryFail("status " + resp.statusCode());
                        }
                    }));
                    new Object() {
                        long sent;

                        void pump(HttpClientRequest r) {
                            while (sent < length && !r.writeQueueFull()) {
                                int n = (int) Math.min(block.length, length - sent);
                                Buffer b = n == block.length ? chunk : chunk.slice(0, n);
                                sha.update(block, 0, n);
                                r.write(b);
                                sent += n;
                            }
                            if (sent < length) {
                                r.drainHandler(d -> pump(r));
                            } else {
                                r.end();
                            }
                        }
                    }.pump(req);
                }));
        String backendHash = result.future().await(300, TimeUnit.SECONDS);
        String sentHash = HexFormat.of().formatHex(sha.digest());
        assertThat(backendHash).isEqualTo(sentHash);
        return sentHash;
    }
}
