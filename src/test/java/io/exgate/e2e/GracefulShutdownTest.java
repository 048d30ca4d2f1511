package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.e2e.MixedTraffic.Protocol;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM under load, as systemd and Kubernetes stop exgate: steady short requests from several
 * keep-alive clients, two MAPI NotificationWait long polls in progress (one that ends within
 * {@code timeouts.shutdown}, one that would outlast it).
 *
 * <p>What counts as "in flight" is defined from the outside: a probe connects every few milliseconds,
 * so the last connect that succeeded is a moment the listener was certainly still accepting. Every
 * short request fully written to its socket before that moment must get a complete answer. Requests
 * written later may fail (their connection was closed by the drain, or a new one was refused), but
 * none may hang, and new connections after the stop must be refused.
 */
class GracefulShutdownTest {
    private static final Duration GRACE = Duration.ofSeconds(6);
    private static final int CLIENTS = 6;
    /** How long the long poll that finishes during the drain is held by the backend. */
    private static final long SHORT_POLL_MILLIS = 3_500;
    private static final long LONG_POLL_MILLIS = 120_000;

    @TempDir
    Path dir;

    /** One short request, as the client saw it. */
    record Attempt(Protocol protocol, String id, int client, long sentNanos, long endNanos, int status, String failure,
                   int answersBeforeOnConnection, long previousAnswerNanos, boolean previousSaidClose) {
        boolean answered() {
            return failure == null;
        }
    }

    /** How a long poll ended. */
    record Poll(String id, long holdMillis, boolean firstLineSeen, long endNanos, boolean complete, String body, String failure) {
        @Override
        public String toString() {
            return "long poll " + id + " held " + holdMillis + " ms: " + (complete ? "complete" : "not complete, " + failure) + ", "
                    + body.length() + " body bytes";
        }
    }

    @Test
    void sigtermDrainsRequestsInFlightAnswersEveryOneSentBeforeTheStopAndFlushesEveryLogLine() throws Exception {
        try (Lab lab = new Lab(dir)) {
            AtomicLong backendRequests = new AtomicLong();
            String backend = lab.backend(request -> {
                backendRequests.incrementAndGet();
                String hold = request.getHeader("X-Test-Hold");
                if (hold != null) {
                    notificationWait(lab, request.response(), Long.parseLong(hold));
                    return;
                }
                // A little work, so that requests are in progress at any moment, not only on the wire.
                request.body().onSuccess(body -> lab.vertx.setTimer(3 + ThreadLocalRandom.current().nextInt(10), t ->
                        request.response().putHeader("Content-Type", "text/plain").end("ok " + request.path() + " " + body.length())));
            });
            Path config = lab.writeConfig("127.0.0.1:0", List.of(backend),
                    "timeouts:\n  shutdown: " + GRACE.toSeconds() + "s\nlogs:\n  directory: logs\n");
            try (ExgateProcess exgate = ExgateProcess.start(List.of(), "run", "--config", config.toString())) {
                int port = exgate.awaitListeningPort();

                // Steady short requests on keep-alive connections.
                List<Attempt> attempts = new CopyOnWriteArrayList<>();
                List<String> connectFailures = new CopyOnWriteArrayList<>();
                AtomicLong refusedConnects = new AtomicLong();
                stopLoad = false;
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    Thread t = new Thread(() -> shortRequests(port, client, attempts, connectFailures, refusedConnects), "client-" + c);
                    t.setUncaughtExceptionHandler((thread, e) -> connectFailures.add(thread.getName() + " died: " + e));
                    t.start();
                    clients.add(t);
                }
                // Warm-up: every client has had answers (a cold JVM on a busy machine takes a while).
                long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < warm && attempts.stream().filter(Attempt::answered).map(Attempt::client).distinct().count() < CLIENTS) {
                    Thread.sleep(50);
                }
                assertThat(connectFailures).as("clients during warm-up").isEmpty();
                assertThat(attempts.stream().filter(Attempt::answered).map(Attempt::client).distinct().count())
                        .as("clients with answers after warm-up: " + attempts).isEqualTo(CLIENTS);
                Thread.sleep(3_000);

                // Two long polls in progress.
                List<Poll> polls = new CopyOnWriteArrayList<>();
                CountDownLatch pollsStarted = new CountDownLatch(2);
                List<Thread> pollers = new ArrayList<>();
                for (long hold : new long[] {SHORT_POLL_MILLIS, LONG_POLL_MILLIS}) {
                    Thread t = new Thread(() -> longPoll(port, hold, pollsStarted, polls), "poll-" + hold);
                    t.start();
                    pollers.add(t);
                }
                assertThat(pollsStarted.await(10, TimeUnit.SECONDS)).as("both long polls got their first line").isTrue();
                Thread.sleep(500);

                // A probe of the listener: the last connect that succeeded, the first that was refused.
                Probe probe = new Probe(port);
                Thread probing = new Thread(probe, "probe");
                probing.start();
                Thread.sleep(300);

                long killAt = System.nanoTime();
                long killAtMillis = System.currentTimeMillis();
                exgate.terminate();
                boolean exited = exgate.process.waitFor(GRACE.toSeconds() + 20, TimeUnit.SECONDS);
                long exitedAt = System.nanoTime();
                stopLoad = true;
                for (Thread t : clients) {
                    t.join(20_000);
                }
                for (Thread t : pollers) {
                    t.join(20_000);
                }
                probe.stop = true;
                probing.join(5_000);

                String timeline = String.format("SIGTERM at 0 ms; last accepted connect %+d ms; first refused connect %+d ms; exit %+d ms",
                        ms(probe.lastAccepted - killAt), ms(probe.firstRefused - killAt), ms(exitedAt - killAt))
                        + "; exgate's log from the signal on: " + exgate.output.stream().filter(l -> l.matches("\\d{4}-.*"))
                        .map(l -> {
                            long at = java.time.Instant.parse(l.substring(0, l.indexOf(' '))).toEpochMilli() - killAtMillis;
                            return at < -50 ? null : String.format("%+d ms %s", at, l.substring(l.indexOf(' ') + 1));
                        }).filter(l -> l != null).toList();
                System.out.println("GracefulShutdownTest: " + timeline + "; " + attempts.size() + " short requests, "
                        + attempts.stream().filter(Attempt::answered).count() + " answered, "
                        + attempts.stream().filter(a -> a.sentNanos() > killAt && a.sentNanos() < probe.lastAccepted).count()
                        + " written between SIGTERM and the listener's close; backend saw " + backendRequests.get()
                        + "; refused connects " + refusedConnects.get() + "; " + polls);
                String context = "\n" + timeline + "\nexgate's output:\n" + exgate.text();
                SoftAssertions soft = new SoftAssertions();

                // The process: exit 0, within timeouts.shutdown (the long poll that outlasts it holds the drain that
                // long) and a little for the last steps (log writer, JVM exit).
                assertThat(exited).as("exgate exited" + context).isTrue();
                soft.assertThat(exgate.process.exitValue()).as("exit code" + context).isZero();
                soft.assertThat(Duration.ofNanos(exitedAt - killAt)).as("SIGTERM to exit" + context).isLessThan(GRACE.plusSeconds(3));
                soft.assertThat(exgate.text()).contains("received SIGTERM", "exgate stopped");
                soft.assertThat(exgate.output.stream().filter(l -> l.contains("Exception") || l.startsWith("\tat ")).toList())
                        .as("exceptions in exgate's log").isEmpty();

                // The listener stopped accepting, and once it had, it never accepted again; nothing hung.
                soft.assertThat(probe.firstRefused).as("the listener stopped accepting" + context).isPositive();
                soft.assertThat(probe.acceptedAfterRefusal).as("connects accepted after the first refusal" + context).isZero();
                soft.assertThat(probe.hung).as("probe connects that neither connected nor were refused within 2 s" + context).isZero();
                soft.assertThat(connectFailures).as("client connects that hung or failed otherwise than refused" + context).isEmpty();
                soft.assertThat(refusedConnects.get()).as("clients whose connection the drain closed tried again, and were refused")
                        .isPositive();
                soft.assertThat(attempts.stream().filter(a -> a.failure() != null && a.failure().startsWith("hang")).toList())
                        .as("requests that got no answer and no close" + context).isEmpty();

                // Every short request written before the listener stopped accepting was answered in full.
                List<Attempt> beforeStop = attempts.stream().filter(a -> a.sentNanos() > 0 && a.sentNanos() < probe.lastAccepted).toList();
                List<String> lostBeforeSigterm = beforeStop.stream().filter(a -> !a.answered() && a.sentNanos() < killAt)
                        .map(a -> describe(a, killAt)).toList();
                List<String> lostBeforeStop = beforeStop.stream().filter(a -> !a.answered())
                        .sorted(java.util.Comparator.comparingLong(Attempt::sentNanos)).map(a -> describe(a, killAt)).toList();
                soft.assertThat(lostBeforeSigterm).as("requests written before SIGTERM that got no complete answer" + context).isEmpty();
                soft.assertThat(lostBeforeStop).as("requests written before the listener stopped accepting that got no complete answer"
                        + context).isEmpty();
                soft.assertThat(beforeStop.stream().filter(Attempt::answered).filter(a -> a.status() != 200).toList())
                        .as("answers other than 200").isEmpty();

                // The long polls: the short one complete, the long one cut when the grace period ran out. No hang.
                Poll finishing = polls.stream().filter(p -> p.holdMillis() == SHORT_POLL_MILLIS).findFirst().orElseThrow();
                Poll outlasting = polls.stream().filter(p -> p.holdMillis() == LONG_POLL_MILLIS).findFirst().orElseThrow();
                soft.assertThat(finishing.complete()).as("the long poll that ends within the grace period got its whole answer: "
                        + finishing + context).isTrue();
                soft.assertThat(finishing.body()).contains("PROCESSING", "PENDING", "DONE", "X-ResponseCode: 0");
                soft.assertThat(outlasting.complete()).as("the long poll held beyond the grace period: " + outlasting).isFalse();
                soft.assertThat(String.valueOf(outlasting.failure())).as("it was closed, not left hanging: " + outlasting)
                        .doesNotStartWith("hang");
                soft.assertThat(Duration.ofNanos(outlasting.endNanos() - killAt)).as("it was closed when the grace period ran out")
                        .isBetween(GRACE.minusMillis(500), GRACE.plusSeconds(3));

                // The HttpProxy log: one line per request exgate answered, each protocol in its folder, nothing lost.
                Path logs = dir.resolve("logs");
                Map<String, Attempt> byId = attempts.stream().collect(Collectors.toMap(Attempt::id, a -> a));
                for (Protocol p : Protocol.values()) {
                    Set<String> expected = attempts.stream().filter(a -> a.protocol() == p && a.answered()).map(Attempt::id)
                            .collect(Collectors.toCollection(HashSet::new));
                    List<CSVRecord> lines = MixedTraffic.logLines(logs, p.folder);
                    Set<String> logged = lines.stream().map(r -> r.get("RequestId")).collect(Collectors.toCollection(HashSet::new));
                    soft.assertThat(logged).as("%s: one line per request", p).hasSize(lines.size());
                    if (p == Protocol.MAPI) {
                        expected.add(finishing.id());
                        // The long poll cut at the end of the grace period was handled too: its line says how it ended.
                        expected.add(outlasting.id());
                        lines.stream().filter(r -> r.get("RequestId").equals(outlasting.id())).findFirst().ifPresent(cut -> {
                            soft.assertThat(cut.get("ProtocolAction")).isEqualTo("NotificationWait");
                            soft.assertThat(cut.get("GenericErrors")).as("how the cut long poll ended").isNotEmpty();
                        });
                    }
                    Set<String> missing = new HashSet<>(expected);
                    missing.removeAll(logged);
                    Set<String> extra = new HashSet<>(logged);
                    extra.removeAll(expected);
                    soft.assertThat(missing).as("%s: %d requests answered, %d HttpProxy lines; answered requests without a line",
                            p, expected.size(), lines.size()).isEmpty();
                    soft.assertThat(extra.stream().map(id -> byId.containsKey(id) ? describe(byId.get(id), killAt) : id).toList())
                            .as("%s: HttpProxy lines of requests the client got no answer for", p).isEmpty();
                }
                soft.assertAll();
            }
        }
    }

    /** Set once exgate has exited: the clients stop. */
    private static volatile boolean stopLoad;

    /**
     * Connections that never finish their TLS handshake (a port scan, a stalled client) hold no request:
     * a stop closes them by the end of {@code timeouts.shutdown} at the latest, waits for those closes
     * before the event loops go (with io_uring a close that finished on a stopped loop logged a
     * RejectedExecutionException), and exits 0.
     */
    @Test
    void sigtermWithConnectionsStillInTheirHandshakeClosesThemAndExitsWithoutAnException() throws Exception {
        try (Lab lab = new Lab(dir)) {
            String backend = lab.backend(request -> request.response().end("ok"));
            Path config = lab.writeConfig("127.0.0.1:0", List.of(backend), "timeouts:\n  shutdown: 1s\n");
            for (int run = 0; run < 2; run++) {
                try (ExgateProcess exgate = ExgateProcess.start(List.of(), "run", "--config", config.toString())) {
                    int port = exgate.awaitListeningPort();
                    List<Socket> silent = new ArrayList<>();
                    try {
                        for (int i = 0; i < 64; i++) {
                            Socket s = new Socket();
                            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                            s.setSoTimeout(15_000);
                            if (i % 2 == 1) {
                                // Half of them start a handshake: a TLS record header that promises more than comes.
                                s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
                                s.getOutputStream().flush();
                            }
                            silent.add(s);
                        }
                        Thread.sleep(200);
                        long killAt = System.nanoTime();
                        exgate.terminate();
                        assertThat(exgate.process.waitFor(20, TimeUnit.SECONDS)).as("exgate exited\n" + exgate.text()).isTrue();
                        // timeouts.shutdown (1 s), and a little for the last steps and the JVM's exit.
                        assertThat(Duration.ofNanos(System.nanoTime() - killAt)).as("SIGTERM to exit").isLessThan(Duration.ofSeconds(5));
                        assertThat(exgate.process.exitValue()).as("exit code\n" + exgate.text()).isZero();
                    } finally {
                        for (Socket s : silent) {
                            s.close();
                        }
                    }
                    exgate.awaitLine(Pattern.compile("exgate stopped"), Duration.ofSeconds(5));
                    assertThat(exgate.output.stream().filter(l -> l.contains("Exception") || l.startsWith("\tat ")).toList())
                            .as("exceptions in exgate's log, stop %d", run).isEmpty();
                }
            }
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static String describe(Attempt a, long killAt) {
        return String.format("%s %s (client %d) written at %+d ms, failed at %+d ms: %s; %s", a.protocol(), a.id(), a.client(),
                ms(a.sentNanos() - killAt), ms(a.endNanos() - killAt), a.failure(), a.answersBeforeOnConnection() == 0
                        ? "first request on a new connection"
                        : "request " + (a.answersBeforeOnConnection() + 1) + " on a keep-alive connection whose previous answer came at "
                                + String.format("%+d ms", ms(a.previousAnswerNanos() - killAt))
                                + (a.previousSaidClose() ? " with" : " without") + " 'Connection: close'");
    }

    /** One client: requests of every protocol in turn on a keep-alive connection, reconnecting when it is closed. */
    private static void shortRequests(int port, int client, List<Attempt> attempts, List<String> connectFailures, AtomicLong refused) {
        Protocol[] protocols = Protocol.values();
        try (KeepAliveClient http = new KeepAliveClient(port, 10_000)) {
            for (long seq = 0; !stopLoad; seq++) {
                if (!http.connected()) {
                    try {
                        http.connect();
                    } catch (ConnectException e) {
                        refused.incrementAndGet();
                        sleep(20);
                        continue;
                    } catch (IOException e) {
                        // A connection the kernel took while the listener closed is reset: also a refusal.
                        if (e instanceof SocketTimeoutException) {
                            connectFailures.add("client " + client + ": connect or handshake hung: " + e);
                        } else {
                            refused.incrementAndGet();
                        }
                        sleep(20);
                        continue;
                    }
                }
                Protocol protocol = protocols[(int) ((seq + client) % protocols.length)];
                String id = UUID.randomUUID().toString();
                int before = http.answersOnConnection;
                long previous = http.lastAnswerNanos;
                boolean saidClose = http.lastAnswerSaidClose;
                try {
                    KeepAliveClient.Answer answer = http.exchange(MixedTraffic.request(protocol, id, client, seq));
                    attempts.add(new Attempt(protocol, id, client, http.sentNanos, System.nanoTime(), answer.status(), null, before,
                            previous, saidClose));
                } catch (IOException e) {
                    String why = (e instanceof SocketTimeoutException ? "hang: " : "") + e;
                    attempts.add(new Attempt(protocol, id, client, http.sentNanos, System.nanoTime(), 0, why, before, previous, saidClose));
                }
                sleep(10 + ThreadLocalRandom.current().nextInt(10));
            }
        }
    }

    /** A MAPI NotificationWait held {@code hold} ms by the backend; notes its first line and how it ended. */
    private static void longPoll(int port, long hold, CountDownLatch started, List<Poll> polls) {
        String id = UUID.randomUUID().toString();
        boolean[] first = {false};
        StringBuilder body = new StringBuilder();
        byte[] request = ("POST /mapi/emsmdb/?MailboxId=" + MixedTraffic.mailbox(99) + " HTTP/1.1\r\n"
                + "Host: outlook.example.com\r\nX-Request-Id: " + id + "\r\nContent-Type: application/mapi-http\r\n"
                + "X-RequestType: NotificationWait\r\nX-Test-Hold: " + hold + "\r\nContent-Length: 4\r\n\r\nwait")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (KeepAliveClient http = new KeepAliveClient(port, 10_000)) {
            http.connect();
            http.exchange(request, chunk -> {
                body.append(new String(chunk, StandardCharsets.ISO_8859_1));
                if (!first[0]) {
                    first[0] = true;
                    started.countDown();
                }
            });
            polls.add(new Poll(id, hold, first[0], System.nanoTime(), true, body.toString(), null));
        } catch (IOException e) {
            polls.add(new Poll(id, hold, first[0], System.nanoTime(), false, body.toString(),
                    (e instanceof SocketTimeoutException ? "hang: " : "") + e));
        }
    }

    /** The backend's NotificationWait: PROCESSING at once, PENDING every 250 ms, DONE after {@code hold} ms. */
    private static void notificationWait(Lab lab, HttpServerResponse response, long hold) {
        response.setChunked(true).putHeader("Content-Type", "application/mapi-http").putHeader("X-PendingPeriod", "250")
                .putHeader("X-ResponseCode", "0");
        response.write("PROCESSING\r\n");
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(hold);
        long timer = lab.vertx.setPeriodic(250, id -> {
            if (response.closed() || response.ended()) {
                lab.vertx.cancelTimer(id);
            } else if (System.nanoTime() >= end) {
                lab.vertx.cancelTimer(id);
                response.end("DONE\r\nX-ResponseCode: 0\r\n\r\n");
            } else {
                response.write("PENDING\r\n");
            }
        });
        response.closeHandler(v -> lab.vertx.cancelTimer(timer));
    }

    /** Connects (TCP only) every few milliseconds: when the listener was last seen open, and first seen closed. */
    private static final class Probe implements Runnable {
        private final int port;
        volatile boolean stop;
        volatile long lastAccepted;
        volatile long firstRefused;
        volatile int acceptedAfterRefusal;
        volatile int hung;

        Probe(int port) {
            this.port = port;
        }

        @Override
        public void run() {
            while (!stop) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                    long now = System.nanoTime();
                    if (firstRefused != 0) {
                        acceptedAfterRefusal++;
                    }
                    lastAccepted = now;
                } catch (SocketTimeoutException e) {
                    hung++;
                } catch (IOException e) {
                    if (firstRefused == 0) {
                        firstRefused = System.nanoTime();
                    }
                }
                sleep(3);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
