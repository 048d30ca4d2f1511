package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bodies pass as they come: trickling answers arrive promptly, custom RPC methods pass, aborts propagate. */
class StreamingTest {
    @TempDir
    Path dir;

    /**
     * Lock-step: the backend writes its next line only once the client has the previous one. A line that
     * exgate held back (buffered, or a flush lost until the next write) never reaches the client, so no
     * next line is written and the poll stalls: this fails on buffering whatever the machine's speed,
     * where a bound measured in milliseconds also failed on a loaded CI machine's pauses.
     */
    @Test
    void notificationWaitStreamsPendingLinesWithoutBuffering() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<Long> written = new CopyOnWriteArrayList<>();
            AtomicReference<HttpServerResponse> backendResponse = new AtomicReference<>();
            AtomicReference<Context> backendContext = new AtomicReference<>();
            String backend = lab.backend(request -> {
                HttpServerResponse response = request.response().setChunked(true)
                        .putHeader("Content-Type", "application/mapi-http").putHeader("X-PendingPeriod", "400");
                backendContext.set(Vertx.currentContext());
                backendResponse.set(response);
                written.add(System.nanoTime());
                response.write("PROCESSING\r\n");
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
                            int received = chunks.size();
                            // The next line one pending period after this one arrived: five PENDING, then the end.
                            if (received <= 6) {
                                backendContext.get().runOnContext(v -> lab.vertx.setTimer(400, t -> {
                                    written.add(System.nanoTime());
                                    if (received < 6) {
                                        backendResponse.get().write("PENDING\r\n");
                                    } else {
                                        backendResponse.get().end("DONE\r\nX-ResponseCode: 0\r\n\r\n");
                                    }
                                }));
                            }
                        });
                        response.endHandler(v -> ended.complete());
                    })
                    .onFailure(ended::fail);
            try {
                ended.future().await(20, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the poll stalled after " + chunks.size() + " of 7 lines reached the client "
                        + "(the backend had written " + written.size() + "): exgate held a line back", e);
            }
            assertThat(String.join("", chunks)).isEqualTo("PROCESSING\r\n" + "PENDING\r\n".repeat(5) + "DONE\r\nX-ResponseCode: 0\r\n\r\n");
            // Every line is its own chunk, relayed as it was written, not coalesced with the next one.
            assertThat(chunks).hasSize(7);
            for (int i = 0; i < chunks.size(); i++) {
                long lagMillis = (arrived.get(i) - written.get(i)) / 1_000_000;
                // Far above a relay's lag, and above the pauses a loaded machine makes; a held line shows as the stall above.
                assertThat(lagMillis).as("chunk %d (%s) arrived %d ms after the backend wrote it", i, chunks.get(i).trim(), lagMillis)
                        .isLessThan(2_000);
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
