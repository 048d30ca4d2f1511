package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Outlook client holds a NotificationWait open all day, and exgate holds ten thousand of them: what a
 * held poll costs in exgate's heap must not grow with the headers its request carried (an OAuth or
 * Kerberos token is kilobytes). Measured in a separate exgate process, with the JVM's own live-heap count.
 */
class LongPollMemoryTest {
    private static final int POLLS = 150;
    private static final int TOKEN_BYTES = 32 * 1024;
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    @TempDir
    Path dir;

    @Test
    void aHeldNotificationWaitDoesNotKeepItsRequestHeaders() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<HttpServerResponse> held = new CopyOnWriteArrayList<>();
            // A mailbox server that answers every NotificationWait with a head and a PENDING line every 5 s, as
            // Exchange does while it has nothing to report (exgate gives up on a poll silent for three periods).
            String backend = "http://127.0.0.1:" + lab.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                    .setMaxHeaderSize(64 * 1024)).requestHandler(req -> req.body().onSuccess(b -> {
                        if (req.path().endsWith("/healthcheck.htm")) {
                            // exgate's first health probe comes at a random point of its hour-long interval; it
                            // came during this test once, and was held and counted as a poll.
                            req.response().end("200 OK");
                            return;
                        }
                        HttpServerResponse resp = req.response().setChunked(true).putHeader("Content-Type", "application/mapi-http")
                                .putHeader("X-RequestType", "NotificationWait").putHeader("X-ResponseCode", "0")
                                .putHeader("X-PendingPeriod", "15000");
                        held.add(resp);
                        resp.write("PENDING\r\n");
                    })).listen().await(10, TimeUnit.SECONDS).actualPort();
            lab.vertx.setPeriodic(5_000, t -> held.forEach(resp -> resp.write("PENDING\r\n")));
            Path config = lab.writeConfig("127.0.0.1:0", List.of(backend), "");
            try (ExgateProcess exgate = ExgateProcess.start(List.of("-Xmx256m"), "run", "--config", config.toString())) {
                int port = exgate.awaitListeningPort();
                HttpClient client = lab.keep(lab.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
                        .setVerifyHost(false).setProtocolVersion(HttpVersion.HTTP_1_1).setDefaultHost("127.0.0.1").setDefaultPort(port),
                        new PoolOptions().setHttp1MaxSize(3 * POLLS)));
                // Classes loaded and TLS warmed by a first batch, so that the measured batches differ in their headers alone.
                AtomicInteger lost = new AtomicInteger();
                open(client, "warm", POLLS / 3, "", lost);
                long before = liveHeap(exgate);
                open(client, "small", POLLS, "", lost);
                long small = liveHeap(exgate);
                open(client, "token", POLLS, "x".repeat(TOKEN_BYTES), lost);
                long token = liveHeap(exgate);
                assertThat(held).hasSize(POLLS / 3 + 2 * POLLS);
                assertThat(lost).as("polls that ended while the heap was measured").hasValue(0);

                long perSmallPoll = (small - before) / POLLS;
                long perTokenPoll = (token - small) / POLLS;
                System.out.printf("live heap per held poll: %d bytes with small headers, %d with a %d-byte token%n", perSmallPoll,
                        perTokenPoll, TOKEN_BYTES);
                // Without the release, each poll with the token keeps the header (32 KiB) and the decoder's line
                // buffer it grew (64 KiB) on top of what any poll costs.
                assertThat(perTokenPoll - perSmallPoll).as("heap a %d-byte Authorization header adds to a held poll", TOKEN_BYTES)
                        .isLessThan(TOKEN_BYTES / 4);
                held.forEach(HttpServerResponse::end);
            }
        }
    }

    /** Opens {@code count} NotificationWaits and waits until each has its answer's head and first PENDING line. */
    private static void open(HttpClient client, String batch, int count, String token, AtomicInteger lost) throws Exception {
        List<Future<?>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                    .setURI("/mapi/emsmdb/?MailboxId=" + batch + i + "@example.com")
                    .putHeader("Content-Type", "application/mapi-http").putHeader("X-RequestType", "NotificationWait")
                    .putHeader("X-RequestId", "{" + batch + "}:" + i).putHeader("X-ClientInfo", "{" + batch + "-" + i + "}")
                    .putHeader("User-Agent", "Microsoft Office/16.0 (LongPollMemoryTest)");
            if (!token.isEmpty()) {
                options.putHeader("Authorization", "Bearer " + token);
            }
            pending.add(client.request(options).compose(req -> req.send(Buffer.buffer(new byte[8])))
                    .compose(resp -> {
                        assertThat(resp.statusCode()).isEqualTo(200);
                        io.vertx.core.Promise<Void> firstLine = io.vertx.core.Promise.promise();
                        resp.handler(chunk -> firstLine.tryComplete());
                        resp.endHandler(v -> lost.incrementAndGet());
                        resp.exceptionHandler(e -> lost.incrementAndGet());
                        return firstLine.future();
                    }));
        }
        Future.all(pending).await(60, TimeUnit.SECONDS);
    }

    /** exgate's live heap in bytes, counted by its JVM after a full collection ({@code jcmd GC.class_histogram}). */
    private static long liveHeap(ExgateProcess exgate) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(exgate.process.pid()), "GC.class_histogram").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).as("jcmd ended").isTrue();
        Matcher m = TOTAL.matcher(out);
        assertThat(m.find()).as("a class histogram from jcmd:\n%s", out).isTrue();
        return Long.parseLong(m.group(1));
    }
}
