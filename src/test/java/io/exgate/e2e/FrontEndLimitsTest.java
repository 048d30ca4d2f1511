package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener's own limits: header count, the header-section timeout (slowloris) and the connection cap. */
class FrontEndLimitsTest {
    private static final int MAX_CONNECTIONS = 6;
    @TempDir
    static Path dir;
    static Lab lab;
    static SimulatedMailboxServer ex1;

    @BeforeAll
    static void start() throws Exception {
        lab = new Lab(dir);
        ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike());
        lab.startExgate(List.of(lab.simulator(ex1)), "timeouts:\n  request-header: 1s\nlimits:\n  max-connections: " + MAX_CONNECTIONS
                + "\n  max-header-count: 20\n");
    }

    @AfterAll
    static void stop() throws Exception {
        lab.close();
    }

    private static String headers(int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append("X-Field-").append(i).append(": v\r\n");
        }
        return b.toString();
    }

    @Test
    void moreHeaderFieldsThanTheLimitGet431AndNeverReachABackend() throws Exception {
        long before = ex1.requestCount();
        try (RawHttps s = new RawHttps(lab.port())) {
            s.send("GET /ews/echo HTTP/1.1\r\nHost: x\r\n" + headers(25) + "\r\n");
            assertThat(s.readToEnd()).startsWith("HTTP/1.1 431").contains("more than 20 header fields").doesNotEndWith("<still open>");
        }
        assertThat(ex1.requestCount()).isEqualTo(before);
        // At the limit is fine: Host and 19 more.
        try (RawHttps s = new RawHttps(lab.port())) {
            s.send("GET /ews/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers(18) + "\r\n");
            assertThat(s.readToEnd()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aHeaderSectionThatDribblesInIsCutWith408() throws Exception {
        long before = ex1.requestCount();
        try (RawHttps s = new RawHttps(lab.port())) {
            s.send("GET /ews/echo HTTP/1.1\r\nHost: x\r\n");
            // One field every 300 ms: each byte comes well within any idle timeout, the whole head never does.
            String answer = null;
            for (int i = 0; i < 20 && answer == null; i++) {
                Thread.sleep(300);
                try {
                    s.send("X-Slow-" + i + ": v\r\n");
                } catch (IOException closed) {
                    answer = s.readToEnd();
                }
            }
            if (answer == null) {
                answer = s.readToEnd();
            }
            assertThat(answer).startsWith("HTTP/1.1 408").contains("did not arrive within 1000 ms").doesNotEndWith("<still open>");
        }
        assertThat(ex1.requestCount()).isEqualTo(before);
    }

    @Test
    void anIdleKeepAliveConnectionIsNotCutByTheHeaderTimeout() throws Exception {
        try (RawHttps s = new RawHttps(lab.port())) {
            s.send("GET /ews/echo HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(s.readResponse().status()).isEqualTo(200);
            // Outlook keeps connections between requests; the header timer starts with a request's first byte.
            Thread.sleep(2_500);
            s.send("GET /ews/echo HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(s.readResponse().status()).isEqualTo(200);
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAndCounted() throws Exception {
        waitForOpenConnections(0);
        List<RawHttps> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                RawHttps s = new RawHttps(lab.port());
                s.send("GET /ews/echo HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(s.readResponse().status()).isEqualTo(200);
                held.add(s);
            }
            double refusedBefore = metric("exgate_client_connections_refused_total");
            String extra;
            try (RawHttps s = new RawHttps(lab.port())) {
                s.send("GET /ews/echo HTTP/1.1\r\nHost: x\r\n\r\n");
                extra = s.readToEnd();
            } catch (IOException e) {
                extra = "";
            }
            assertThat(extra).as("a connection beyond limits.max-connections gets no answer").isEmpty();
            assertThat(metric("exgate_client_connections_refused_total")).isEqualTo(refusedBefore + 1);
            held.remove(0).close();
            waitForOpenConnections(MAX_CONNECTIONS - 1);
            try (RawHttps s = new RawHttps(lab.port())) {
                s.send("GET /ews/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(s.readToEnd()).as("room again after one closed").startsWith("HTTP/1.1 200");
            }
        } finally {
            for (RawHttps s : held) {
                s.close();
            }
        }
    }

    private static void waitForOpenConnections(int n) throws Exception {
        for (int i = 0; i < 100 && metric("exgate_client_connections_open") != n; i++) {
            Thread.sleep(100);
        }
        assertThat(metric("exgate_client_connections_open")).isEqualTo(n);
    }

    private static double metric(String name) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // as Prometheus scrapes
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + lab.exgate().adminPort().orElseThrow() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(r.body());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
