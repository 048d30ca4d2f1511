package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bodies pass as they come: trickling answers arrive promptly, custom RPC methods pass, aborts propagate. */
class StreamingTest {
    @TempDir
    Path dir;

    @Test
    void notificationWaitStreamsPendingLinesWithoutBuffering() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<Long> written = new CopyOnWriteArrayList<>();
            String backend = lab.backend(request -> {
                HttpServerResponse response = request.response().setChunked(true)
                        .putHeader("Content-Type", "application/mapi-http").putHeader("X-PendingPeriod", "400");
                written.add(System.nanoTime());
                response.write("PROCESSING\r\n");
                long[] left = {5};
                lab.vertx.setPeriodic(400, id -> {
                    if (left[0]-- > 0) {
                        written.add(System.nanoTime());
                        response.write("PENDING\r\n");
                    } else {
                        lab.vertx.cancelTimer(id);
                        written.add(System.nanoTime());
                        response.end("DONE\r\nX-ResponseCode: 0\r\n\r\n");
                    }
                });
            });
            lab.startExgate(List.of(backend));
            List<Long> arrived = new CopyOnWriteArrayList<>();
            List<String> chunks = new CopyOnWriteArrayList<>();
            Promise<Void> ended = Promise.promise();
            lab.client().request(HttpMethod.POST, "/mapi/emsmdb/?MailboxId=a@b.c")
                    .compose(req -> req.putHeader("X-RequestType", "NotificationWait").send(Buffer.buffer("wait")))
                    .onSuccess(response -> {
                        response.handler(b -> {
                            arrived.add(System.nanoTime());
                            chunks.add(b.toString());
                        });
                        response.endHandler(v -> ended.complete());
                    })
                    .onFailure(ended::fail);
            ended.future().await(20, TimeUnit.SECONDS);
            assertThat(String.join("", chunks)).isEqualTo("PROCESSING\r\n" + "PENDING\r\n".repeat(5) + "DONE\r\nX-ResponseCode: 0\r\n\r\n");
            // Every line is its own chunk, relayed as it was written, not coalesced with the next one.
            assertThat(chunks).hasSize(7);
            for (int i = 0; i < chunks.size(); i++) {
                long lagMillis = (arrived.get(i) - written.get(i)) / 1_000_000;
                assertThat(lagMillis).as("chunk %d (%s) arrived %d ms after the backend wrote it", i, chunks.get(i).trim(), lagMillis)
                        .isLessThan(200);
            }
        }
    }

    @Test
    void rpcEchoRequestsOnCustomMethodsAreAnsweredWithoutWaitingForMoreBytes() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(List.of(lab.simulator(new SimulatedMailboxServer(lab.vertx, "ex1",
                    SimulatedMailboxServer.Settings.exchangeLike()))));
            for (String method : List.of("RPC_IN_DATA", "RPC_OUT_DATA")) {
                Lab.Fetched r = lab.fetch(new RequestOptions().setMethod(HttpMethod.valueOf(method))
                        .setURI("/rpc/rpcproxy.dll?ex1.example.local:6001").putHeader("Content-Length", "0"), null);
                assertThat(r.status()).as(method).isEqualTo(200);
                Buffer body = r.body();
                assertThat(body.length()).as(method).isEqualTo(20);
                assertThat(body.getByte(2)).as("RTS packet type").isEqualTo((byte) 20);
            }
        }
    }

    @Test
    void aClientThatAbandonsAnRpcInChannelCutsTheBackendChannelToo() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike());
            lab.startExgate(List.of(lab.simulator(ex1)));
            HttpClientRequest request = lab.client().request(HttpMethod.valueOf("RPC_IN_DATA"), "/rpc/rpcproxy.dll?ex1.example.local:6001")
                    .await(10, TimeUnit.SECONDS);
            request.putHeader("Content-Length", String.valueOf(SimulatedMailboxServer.RPC_CHANNEL_LENGTH));
            request.write(Buffer.buffer(new byte[256 * 1024])).await(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ex1.requestCount() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            request.connection().close().await(10, TimeUnit.SECONDS);
            while ((ex1.lastRpcIn() == null) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ex1.lastRpcIn()).as("the backend saw its IN channel end").isNotNull();
            assertThat(ex1.lastRpcIn().complete()).isFalse();
            assertThat(ex1.lastRpcIn().received()).isLessThan(SimulatedMailboxServer.RPC_CHANNEL_LENGTH);
        }
    }
}
