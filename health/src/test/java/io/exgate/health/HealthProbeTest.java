package io.exgate.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.health.FakeExchange.Mode;
import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthProbeTest {

    private static Vertx vertx;
    private FakeExchange fake;
    private HttpClient client;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startBackend() throws Exception {
        fake = FakeExchange.start(vertx);
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    }

    @AfterEach
    void stopBackend() throws Exception {
        client.close().await(10, TimeUnit.SECONDS);
        fake.close();
    }

    private ProbeResult probe(Backend backend, ProbeSpec spec, Duration timeout) throws Exception {
        return new HealthProbe(vertx, client, timeout).probe(backend, spec, "outlook.example.com")
                .await(30, TimeUnit.SECONDS);
    }

    private ProbeResult probe(VirtualDirectory vdir, Mode mode) throws Exception {
        fake.set(vdir, mode);
        return probe(fake.backend("ex1"), ProbeSpec.healthcheck(vdir), Duration.ofSeconds(5));
    }

    @Test
    void healthyBodyNamesTheServerAndCarriesThePublicHostName() throws Exception {
        ProbeResult result = probe(VirtualDirectory.MAPI, Mode.HEALTHY);

        assertThat(result.healthy()).isTrue();
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.firstBytes()).isEqualTo("200 OK<br/>EX1.lab.local");
        assertThat(result.serverName()).isEqualTo("EX1.lab.local");
        assertThat(result.failure()).isNull();
        assertThat(result.latency()).isPositive();
        assertThat(fake.hostHeaders).containsExactly("outlook.example.com");
    }

    @Test
    void withoutAPublicNameTheBackendHostIsSent() throws Exception {
        new HealthProbe(vertx, client, Duration.ofSeconds(1))
                .probe(fake.backend("ex1"), ProbeSpec.healthcheck(VirtualDirectory.OWA), null)
                .await(30, TimeUnit.SECONDS);

        assertThat(fake.hostHeaders).containsExactly("127.0.0.1");
    }

    @Test
    void aWallOfAuthenticationIsNotHealth() throws Exception {
        ProbeResult result = probe(VirtualDirectory.EWS, Mode.UNAUTHORIZED);

        assertThat(result.healthy()).isFalse();
        assertThat(result.status()).isEqualTo(401);
        assertThat(result.failure()).isEqualTo("status 401 (expected 200)");
    }

    @Test
    void aRedirectIsNotHealth() throws Exception {
        ProbeResult result = probe(VirtualDirectory.OWA, Mode.REDIRECT);

        assertThat(result.healthy()).isFalse();
        assertThat(result.status()).isEqualTo(302);
        assertThat(result.failure()).startsWith("status 302 (expected 200)")
                .contains("https://outlook.example.com/owa/auth/logon.aspx");
    }

    @Test
    void theIisDefaultPageIsNotHealth() throws Exception {
        ProbeResult result = probe(VirtualDirectory.ECP, Mode.IIS_DEFAULT);

        assertThat(result.healthy()).isFalse();
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.failure()).isEqualTo("body does not start with '200 OK'");
        assertThat(result.firstBytes()).startsWith("<!DOCTYPE html").doesNotContain("\r", "\n").hasSizeLessThanOrEqualTo(80);
        assertThat(result.serverName()).isNull();
    }

    @Test
    void aWrongBodyIsNotHealth() throws Exception {
        ProbeResult result = probe(VirtualDirectory.OAB, Mode.WRONG_BODY);

        assertThat(result.healthy()).isFalse();
        assertThat(result.firstBytes()).isEqualTo("OK");
        assertThat(result.failure()).isEqualTo("body does not start with '200 OK'");
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersFailsByTimeout() throws Exception {
        fake.set(VirtualDirectory.MAPI, Mode.HANG);

        ProbeResult result = probe(fake.backend("ex1"), ProbeSpec.healthcheck(VirtualDirectory.MAPI), Duration.ofMillis(300));

        assertThat(result.healthy()).isFalse();
        assertThat(result.status()).isEqualTo(-1);
        assertThat(result.failure()).isEqualTo("timeout after 300 ms");
    }

    @Test
    void aServerThatTricklesItsBodyFailsByTimeout() throws Exception {
        fake.set(VirtualDirectory.MAPI, Mode.TRICKLE);

        ProbeResult result = probe(fake.backend("ex1"), ProbeSpec.healthcheck(VirtualDirectory.MAPI), Duration.ofMillis(300));

        assertThat(result.healthy()).isFalse();
        assertThat(result.failure()).isEqualTo("timeout after 300 ms");
    }

    @Test
    void aSlowAnswerWithinTheTimeoutIsHealthy() throws Exception {
        fake.slowMs = 50;
        fake.set(VirtualDirectory.MAPI, Mode.SLOW);

        ProbeResult result = probe(fake.backend("ex1"), ProbeSpec.healthcheck(VirtualDirectory.MAPI), Duration.ofSeconds(5));

        assertThat(result.healthy()).isTrue();
    }

    @Test
    void aClosedConnectionFailsAsReset() throws Exception {
        ProbeResult result = probe(VirtualDirectory.ACTIVESYNC, Mode.CLOSE);

        assertThat(result.healthy()).isFalse();
        assertThat(result.failure()).startsWith("connection reset");
    }

    @Test
    void aTcpResetFailsAsReset() throws Exception {
        // SO_LINGER 0: close() sends RST, as Exchange does for a protocol out of service.
        NetServer resetter = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setSoLinger(0))
                .connectHandler(socket -> socket.handler(data -> socket.close()));
        resetter.listen().await(10, TimeUnit.SECONDS);
        try {
            Backend backend = new Backend("ex1", "http", "127.0.0.1", resetter.actualPort());

            ProbeResult result = probe(backend, ProbeSpec.healthcheck(VirtualDirectory.MAPI), Duration.ofMillis(2000));

            assertThat(result.healthy()).isFalse();
            assertThat(result.failure()).startsWith("connection reset");
        } finally {
            resetter.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRefusedPortFailsCleanly() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Backend backend = new Backend("ex9", "http", "127.0.0.1", port);

        ProbeResult result = probe(backend, ProbeSpec.healthcheck(VirtualDirectory.MAPI), Duration.ofMillis(2000));

        assertThat(result.healthy()).isFalse();
        assertThat(result.status()).isEqualTo(-1);
        assertThat(result.failure()).isEqualTo("connection refused");
    }

    @Test
    void anUnresolvableNameFailsCleanly() throws Exception {
        Backend backend = new Backend("ex9", "http", "nonexistent.invalid", 80);

        ProbeResult result = probe(backend, ProbeSpec.healthcheck(VirtualDirectory.MAPI), Duration.ofSeconds(10));

        assertThat(result.healthy()).isFalse();
        assertThat(result.failure()).isEqualTo("DNS: nonexistent.invalid does not resolve");
    }

    @Test
    void tlsToAPlainHttpServerFailsWithATlsReason() throws Exception {
        Backend backend = new Backend("ex1", "https", "127.0.0.1", fake.port());

        ProbeResult result = probe(backend, ProbeSpec.healthcheck(VirtualDirectory.MAPI), Duration.ofSeconds(2));

        assertThat(result.healthy()).isFalse();
        assertThat(result.failure()).startsWith("TLS");
    }

    @Test
    void onlyTheStartOfALargeBodyIsRead() throws Exception {
        ProbeResult result = probe(VirtualDirectory.OWA, Mode.HUGE);

        assertThat(result.failure()).isNull();
        assertThat(result.healthy()).isTrue();
        assertThat(result.serverName()).isEqualTo("EX1.lab.local");
        assertThat(result.firstBytes()).hasSize(80);
    }

    @Test
    void anOverrideCanExpectA401WithoutBodyCheck() throws Exception {
        fake.set(VirtualDirectory.RPC, Mode.UNAUTHORIZED);
        ProbeSpec rpcProxy = new ProbeSpec("/rpc/rpcproxy.dll", 401, null);

        ProbeResult result = probe(fake.backend("ex1"), rpcProxy, Duration.ofSeconds(2));

        assertThat(result.healthy()).isTrue();
        assertThat(result.status()).isEqualTo(401);
        assertThat(result.failure()).isNull();
    }

    @Test
    void theReportedServerIsTheNameAfterTheMarker() {
        assertThat(HealthProbe.reportedServer("200 OK<br/>EX1.corp.example.com")).isEqualTo("EX1.corp.example.com");
        assertThat(HealthProbe.reportedServer("200 OK<br/>EX1.corp.example.com<br/>")).isEqualTo("EX1.corp.example.com");
        assertThat(HealthProbe.reportedServer("200 OK<br/>")).isNull();
        assertThat(HealthProbe.reportedServer("200 OK")).isNull();
        assertThat(Printable.of("a\u0000b\r\nc\u00e9", 80)).isEqualTo("a.b  c.");
    }
}
