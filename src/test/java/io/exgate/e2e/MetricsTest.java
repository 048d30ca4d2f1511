package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} on the admin listener, checked with Prometheus's own promtool. */
class MetricsTest {
    @TempDir
    Path dir;

    @Test
    void metricsDescribeTheTrafficAndPassPromtool() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike()
                    .withPendingPeriod(Duration.ofMillis(100)).withNotificationWait(Duration.ofMillis(300)).withStrictSessions(false));
            lab.startExgate(List.of(lab.simulator(ex1)));
            for (String type : List.of("Connect", "Execute", "Execute", "NotificationWait")) {
                lab.fetch(new RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/?MailboxId=a@contoso.com")
                        .putHeader("X-RequestType", type), Buffer.buffer("12345"));
            }
            lab.fetch(new RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/?MailboxId=a@contoso.com")
                    .putHeader("X-RequestType", "MadeUpCall" + System.nanoTime()), Buffer.buffer("x"));
            lab.fetch(HttpMethod.GET, "/owa/");
            // A handshake that fails: a TLS 1.0 client.
            new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + lab.port(), "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0")
                    .redirectErrorStream(true).start().waitFor(20, TimeUnit.SECONDS);

            // The log counters must survive a collection (Micrometer holds a function counter's object weakly).
            System.gc();
            long written = 0;
            for (int i = 0; i < 50 && written < 6; i++) {
                Thread.sleep(100);
                written = lab.exgate().httpProxyLogWritten();
            }
            Lab.Fetched m = lab.fetchAdmin(HttpMethod.GET, "/metrics");
            assertThat(m.status()).isEqualTo(200);
            assertThat(m.text()).as("log lines counted in /metrics after a GC").contains("exgate_httpproxy_log_written_total " + written + ".0");
            assertThat(m.header("Content-Type")).startsWith("text/plain");
            String text = m.text();
            assertThat(text).contains(
                    "exgate_requests_total{action=\"Execute\",backend=\"ex1\",protocol=\"MAPI_EMSMDB\",status_class=\"2xx\"} 2.0",
                    "exgate_requests_total{action=\"Other\",backend=\"ex1\",protocol=\"MAPI_EMSMDB\",status_class=\"2xx\"} 1.0",
                    "exgate_request_duration_seconds_bucket{action=\"NotificationWait\",protocol=\"MAPI_EMSMDB\",le=\"600.0\"} 1",
                    "exgate_request_body_bytes_total{protocol=\"MAPI_EMSMDB\"} 21.0",
                    "exgate_active_notification_waits 0.0",
                    "exgate_active_rpc_channels{direction=\"in\"} 0.0",
                    "exgate_backend_up{backend=\"ex1\",vdir=\"/mapi\"} 1.0",
                    "exgate_pinned_connections{backend=\"ex1\"} 0.0",
                    "exgate_httpproxy_log_dropped_total 0.0",
                    "exgate_certificate_expiry_timestamp_seconds{",
                    "exgate_build_info{",
                    "jvm_memory_used_bytes{");
            assertThat(text).containsPattern("exgate_tls_handshake_failures_total [1-9]");
            assertThat(text).doesNotContain("MadeUpCall");

            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            try (OutputStream in = promtool.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> exgateProblems = verdict.lines().filter(l -> l.startsWith("exgate_")).toList();
            assertThat(exgateProblems).as(verdict).isEmpty();
            assertThat(promtool.exitValue()).as(verdict).isZero();
        }
    }
}
