package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backend that is down or silent gets the client a clear answer, never a hang or a stack trace. */
class BackendFailureTest {
    @TempDir
    Path dir;

    @Test
    void anUnreachableBackendGives502NamingTheRequestId() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(List.of("http://127.0.0.1:" + Lab.freePort()));
            Lab.Fetched r = lab.fetch(HttpMethod.GET, "/owa/");
            String body = r.text();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("Content-Type")).startsWith("text/plain");
            assertThat(body).startsWith("502 Bad Gateway").contains("Request id: " + r.header("X-Request-Id"));
            assertThat(body).doesNotContain("Exception", "at io.", "127.0.0.1");
        }
    }

    @Test
    void aBackendThatNeverAnswersGives504AfterTheIdleTimeout() throws Exception {
        try (Lab lab = new Lab(dir)) {
            String silent = lab.backend(request -> {
                // Accepts the request and never answers.
            });
            lab.startExgate(List.of(silent), "timeouts:\n  idle: 1s\n");
            long start = System.nanoTime();
            Lab.Fetched r = lab.fetch(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/"),
                    io.vertx.core.buffer.Buffer.buffer("x"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.text()).startsWith("504 Gateway Timeout").contains("Request id: " + r.header("X-Request-Id"));
            assertThat(millis).isBetween(900L, 10_000L);
        }
    }

    @Test
    void aBackendThatDiesMidAnswerClosesTheClientConnectionInsteadOfHanging() throws Exception {
        try (Lab lab = new Lab(dir)) {
            String dying = lab.backend(request -> {
                request.response().putHeader("Content-Length", "1000000").write("partial");
                lab.vertx.setTimer(200, id -> request.connection().close());
            });
            lab.startExgate(List.of(dying));
            int[] status = {0};
            Throwable failure = lab.client().request(HttpMethod.GET, "/owa/")
                    .compose(req -> req.send().compose(resp -> {
                        status[0] = resp.statusCode();
                        return resp.body();
                    }))
                    .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
                    .await(10, TimeUnit.SECONDS);
            assertThat(status[0]).isEqualTo(200);
            assertThat(failure).as("the truncated body must end in an error, not look complete").isNotNull();
        }
    }

    @Test
    void aLongPollOutlivesTheIdleTimeoutWhileItsPendingLinesFlow() throws Exception {
        try (Lab lab = new Lab(dir)) {
            io.exgate.proxy.demo.SimulatedMailboxServer ex1 = new io.exgate.proxy.demo.SimulatedMailboxServer(lab.vertx, "ex1",
                    io.exgate.proxy.demo.SimulatedMailboxServer.Settings.exchangeLike()
                            .withPendingPeriod(java.time.Duration.ofMillis(400)).withNotificationWait(java.time.Duration.ofSeconds(3)));
            lab.startExgate(List.of(lab.simulator(ex1)), "timeouts:\n  idle: 1s\n");
            Lab.Fetched r = lab.fetch(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.POST)
                            .setURI("/mapi/emsmdb/?MailboxId=a@contoso.com").putHeader("X-RequestType", "NotificationWait"),
                    io.vertx.core.buffer.Buffer.buffer("wait"));
            assertThat(r.status()).as("3 s of long poll against a 1 s idle timeout").isEqualTo(200);
            assertThat(r.text()).contains("DONE");
        }
    }

    @Test
    void aLongPollWhoseBackendFallsSilentIsCutAfterThreePendingPeriodsAndItsLogLineSaysSo() throws Exception {
        Lab lab = new Lab(dir);
        try {
            // One PENDING line, then nothing: the mailbox server announced a line a second and has gone quiet.
            String silent = lab.backend(request -> request.body().onSuccess(b -> request.response().setChunked(true)
                    .putHeader("Content-Type", "application/mapi-http").putHeader("X-PendingPeriod", "1000").write("PENDING\r\n")));
            lab.startExgate(List.of(silent), "timeouts:\n  idle: 60s\nlogs:\n  directory: logs\n");
            long start = System.nanoTime();
            Throwable failure = lab.client().request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.POST)
                            .setURI("/mapi/emsmdb/?MailboxId=a@contoso.com").putHeader("X-RequestType", "NotificationWait"))
                    .compose(req -> req.send(io.vertx.core.buffer.Buffer.buffer("wait")).compose(resp -> resp.body()))
                    .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
                    .await(30, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(failure).as("the cut answer must end in an error, not look complete").isNotNull();
            assertThat(millis).as("three pending periods (3 s), not the 60 s idle timeout").isBetween(2_500L, 20_000L);
        } finally {
            lab.close(); // A graceful stop writes every queued line.
        }
        org.apache.commons.csv.CSVRecord line = HttpProxyLogTest.folder(dir.resolve("logs"), "Mapi").get(0);
        assertThat(line.get("GenericErrors")).as("the timeout in force is the one named").contains("Aborted=idle for 3000 ms");
    }
}
