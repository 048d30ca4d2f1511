package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/reload} re-reads the whole configuration and applies it under load without failing a request. */
class ConfigReloadTest {
    @TempDir
    Path dir;
    Lab lab;
    SimulatedMailboxServer ex1;
    SimulatedMailboxServer ex2;
    SimulatedMailboxServer ex3;
    String url1;
    String url2;
    String url3;

    @BeforeEach
    void start() throws Exception {
        lab = new Lab(dir);
        ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike());
        ex2 = new SimulatedMailboxServer(lab.vertx, "ex2", SimulatedMailboxServer.Settings.exchangeLike());
        ex3 = new SimulatedMailboxServer(lab.vertx, "ex3", SimulatedMailboxServer.Settings.exchangeLike()
                .withNotificationWait(Duration.ofSeconds(6)).withPendingPeriod(Duration.ofMillis(500)));
        url1 = lab.simulator(ex1);
        url2 = lab.simulator(ex2);
        url3 = lab.simulator(ex3);
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
    }

    private JsonObject reload() throws Exception {
        Lab.Fetched answer = lab.fetchAdmin(HttpMethod.POST, "/api/reload");
        JsonObject json = new JsonObject(answer.text());
        json.put("status", answer.status());
        return json;
    }

    /** Writes the configuration with these backends (named ex1, ex2, … in order) and extra sections. */
    private void configure(List<String> urls, String extra) {
        lab.writeConfig("127.0.0.1:0", urls, extra);
    }

    /** Clients sending short requests back to back on keep-alive connections until stopped. */
    private final class Load {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong ok = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final List<Promise<Void>> loops = new ArrayList<>();

        Load(int clients) {
            for (int i = 0; i < clients; i++) {
                Promise<Void> done = Promise.promise();
                loops.add(done);
                next(i, done);
            }
        }

        /**
         * One request, then the next from its callback. Not a chain of composed futures: one future per
         * request nested in the last would complete thousands deep when the loop stops and overflow the stack.
         */
        private void next(int client, Promise<Void> done) {
            if (!running.get()) {
                done.complete();
                return;
            }
            // Keyed by mailbox so that every backend gets a share whatever the configuration.
            String uri = "/ews/echo?n=" + ok.get() + "&client=" + client;
            lab.client().request(new RequestOptions().setMethod(HttpMethod.POST).setURI(uri)
                            .putHeader("X-AnchorMailbox", "user" + (ok.get() % 97) + "@contoso.com"))
                    .compose(req -> req.send(Buffer.buffer("x".repeat(512)))
                            .compose(resp -> resp.body().map(b -> resp.statusCode())))
                    .onComplete(ar -> {
                        if (ar.succeeded() && ar.result() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(ar.succeeded() ? "status " + ar.result() : String.valueOf(ar.cause()));
                        }
                        next(client, done);
                    });
        }

        void stop() throws Exception {
            running.set(false);
            for (Promise<Void> loop : loops) {
                loop.future().await(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void backendsAndWeightsChangeUnderLoadWithoutAFailedRequest() throws Exception {
        configure(List.of(url1, url2), "");
        lab.startFromFile(dir.resolve("exgate.yaml"));
        Load load = new Load(6);
        try {
            Thread.sleep(1_000);
            // ex1 leaves, ex3 arrives in its place (ex1's URL now names ex3's server).
            configure(List.of(url3, url2), "");
            JsonObject first = reload();
            assertThat(first.getInteger("status")).as(first.encode()).isEqualTo(200);
            assertThat(first.getJsonArray("changes").encode()).contains("backend ex1 changed");
            Thread.sleep(300); // requests placed before the switch may still arrive
            long ex1After = ex1.requestCount();
            System.out.println("reload test: ex1 " + ex1After + ", ex2 " + ex2.requestCount() + ", ex3 " + ex3.requestCount() + ", ok " + load.ok.get());
            Thread.sleep(1_000);
            assertThat(ex1.requestCount()).as("no new request reaches a server taken out").isEqualTo(ex1After);
            long ex3Before = 0;

            configure(List.of(url3, url2, url1), "routes:\n  ews: { ex1: 1, ex2: 1 }\n");
            JsonObject second = reload();
            assertThat(second.getInteger("status")).as(second.encode()).isEqualTo(200);
            assertThat(second.getJsonArray("changes").encode()).contains("backend ex3 added", "backends or weights changed for /mapi, /rpc")
                    .as("ews kept its two backends").doesNotContain("/ews");
            Thread.sleep(1_000);
            assertThat(ex1.requestCount()).as("url1 is back, as ex3, but ews is routed to ex1 and ex2 only").isEqualTo(ex1After);
            assertThat(ex3.requestCount()).as("ex3's server took ex1's share after the first reload").isGreaterThan(ex3Before);
        } finally {
            load.stop();
        }
        assertThat(load.failures).as("requests failed during the reloads").isEmpty();
        assertThat(load.ok.get()).isGreaterThan(100);
        String backends = lab.fetchAdmin(HttpMethod.GET, "/api/backends").text();
        assertThat(backends).contains(url1.replace("http://", "")).contains(url3.replace("http://", ""));
    }

    @Test
    void aLongPollOnARemovedBackendFinishesAndItsLogLineIsWritten() throws Exception {
        configure(List.of(url3), "");
        lab.startFromFile(dir.resolve("exgate.yaml"));
        Future<Lab.Fetched> poll = lab.client().request(new RequestOptions().setMethod(HttpMethod.POST)
                        .setURI("/mapi/emsmdb/?MailboxId=a@contoso.com"))
                .compose(req -> req.putHeader("X-RequestType", "NotificationWait").send(Buffer.buffer("wait"))
                        .compose(resp -> resp.body().map(b -> new Lab.Fetched(resp.statusCode(), resp.headers(), b))));
        Thread.sleep(1_000);
        Path newLogs = dir.resolve("logs-after-reload");
        configure(List.of(url2), "logs:\n  directory: " + newLogs + "\n");
        JsonObject answer = reload();
        assertThat(answer.getInteger("status")).as(answer.encode()).isEqualTo(200);
        assertThat(answer.getJsonArray("changes").encode()).contains("logs changed");

        Lab.Fetched done = poll.await(20, TimeUnit.SECONDS);
        assertThat(done.status()).as("the long poll in flight on the removed server ends normally").isEqualTo(200);
        assertThat(done.text()).startsWith("PROCESSING").contains("DONE");
        assertThat(lab.fetch(HttpMethod.GET, "/ews/echo").status()).isEqualTo(200);
        assertThat(ex2.requestCount()).isGreaterThanOrEqualTo(1);

        // No line lost in the switch: the long poll's line is written once (in the new folder when it ended
        // after the switch, as it does unless the machine is very slow), and later requests go to the new folder.
        String before = "";
        String after = "";
        for (int i = 0; i < 50 && !(after.contains("/ews/echo") && (before + after).contains("NotificationWait")); i++) {
            Thread.sleep(100);
            before = readAll(dir.resolve("logs"));
            after = readAll(newLogs);
        }
        assertThat(after).contains("/ews/echo");
        assertThat((before + after).lines().filter(line -> line.contains("NotificationWait")).count())
                .as("NotificationWait log lines").isEqualTo(1);
    }

    @Test
    void anInvalidFileIsRefusedAndTheConfigurationInServiceStays() throws Exception {
        configure(List.of(url1), "");
        lab.startFromFile(dir.resolve("exgate.yaml"));
        Files.writeString(dir.resolve("exgate.yaml"), Files.readString(dir.resolve("exgate.yaml")).replace(url1, "ftp://nowhere:21"));
        JsonObject answer = reload();
        assertThat(answer.getInteger("status")).isEqualTo(422);
        assertThat(answer.getBoolean("reloaded")).isFalse();
        assertThat(answer.getString("error")).contains("exgate.yaml").contains("backends[0].url").contains("ftp://nowhere:21");
        assertThat(lab.fetch(HttpMethod.GET, "/ews/echo").status()).isEqualTo(200);
        assertThat(ex1.requestCount()).isGreaterThanOrEqualTo(1);

        configure(List.of(url1), "");
        String noChange = reload().encode();
        assertThat(noChange).contains("\"reloaded\":true").contains("no changes");
    }

    private static String readAll(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(f));
            }
        }
        return all.toString();
    }
}
