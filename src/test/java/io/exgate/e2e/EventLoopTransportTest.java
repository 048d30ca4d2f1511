package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code transport:} picks how the event loops reach the kernel. Every transport this machine has relays
 * the same traffic the same way, including answers the client reads slowly (exgate stops and restarts
 * its reads from the backend, on keep-alive connections that are reused: the pattern io_uring once lost
 * reads in); one it does not have is refused at start with the reason.
 */
class EventLoopTransportTest {
    /** More than the kernel's socket buffers on loopback hold: exgate has to stop reading from the backend. */
    private static final int ANSWER_BYTES = 16 << 20;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "transport: {0}")
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void everyTransportThisMachineHasRelaysKeepAliveAndSlowlyReadAnswers(String transport) throws Exception {
        boolean available = switch (transport) {
            case "io_uring" -> IoUring.isAvailable();
            case "epoll" -> Epoll.isAvailable();
            default -> true;
        };
        try (Lab lab = new Lab(dir)) {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike());
            String mailbox = lab.simulator(ex1);
            String bulk = lab.backend(request -> request.body().onSuccess(b -> write(request.response(), ANSWER_BYTES)));
            String extra = "transport: " + transport + "\nroutes:\n  mapi: [ex1]\n  oab: [ex2]\n";
            if (!available) {
                assertThatThrownBy(() -> lab.startExgate(List.of(mailbox, bulk), extra))
                        .hasMessageContaining("transport: " + transport + " cannot be used on this machine");
                return;
            }
            lab.startExgate(List.of(mailbox, bulk), extra);

            // Back to back on keep-alive connections: every answer complete, every body arrived whole.
            for (int i = 0; i < 200; i++) {
                int size = ThreadLocalRandom.current().nextInt(1, 64 * 1024);
                Lab.Fetched answer = lab.fetch(new RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/?MailboxId=a@contoso.com")
                        .putHeader("X-RequestType", "Execute"), Buffer.buffer(new byte[size]));
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.text()).contains("DONE");
            }
            // 16 MiB answers read with pauses: exgate's reads from the backend stop and start again, on
            // backend connections that go back to the pool and are lent again.
            for (int i = 0; i < 8; i++) {
                assertThat(readSlowly(lab, "/oab/bulk?n=" + i)).as("answer %d", i).isEqualTo(ANSWER_BYTES);
            }

            String metrics = lab.fetchAdmin(HttpMethod.GET, "/metrics").text();
            assertThat(metrics).containsPattern("exgate_build_info\\{[^}]*transport=\"" + transport + "\"");
        }
    }

    /** An answer of {@code bytes} zero bytes, written as fast as the connection takes it. */
    private static void write(HttpServerResponse response, int bytes) {
        response.setChunked(true).putHeader("Content-Type", "application/octet-stream");
        Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
        int[] left = {bytes};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (left[0] > 0 && !response.writeQueueFull()) {
                left[0] -= chunk.length();
                response.write(chunk);
            }
            if (left[0] > 0) {
                response.drainHandler(v -> pump[0].run());
            } else {
                response.end();
            }
        };
        pump[0].run();
    }

    /** Reads the answer, stalling 100 ms at first and 2 ms after every MiB; returns how many body bytes came. */
    private static long readSlowly(Lab lab, String uri) throws Exception {
        Promise<Long> done = Promise.promise();
        lab.client().request(HttpMethod.GET, uri).compose(req -> req.send()).onComplete(ar -> {
            if (ar.failed()) {
                done.fail(ar.cause());
                return;
            }
            var response = ar.result();
            long[] received = {0};
            response.handler(b -> {
                long before = received[0];
                received[0] += b.length();
                if (before == 0 || before >> 20 != received[0] >> 20) {
                    response.pause();
                    lab.vertx.setTimer(before == 0 ? 100 : 2, t -> response.resume());
                }
            });
            response.exceptionHandler(done::tryFail);
            response.endHandler(v -> done.tryComplete(received[0]));
        });
        return done.future().await(30, TimeUnit.SECONDS);
    }
}
