package io.exgate.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.health.FakeExchange.Mode;
import io.exgate.routing.Backend;
import io.exgate.routing.ExchangeProtocol;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthCheckerTest {

    private static final VirtualDirectory MAPI = VirtualDirectory.MAPI;
    private static final VirtualDirectory OWA = VirtualDirectory.OWA;
    private static final HealthSettings FAST = HealthSettings.defaults()
            .withInterval(Duration.ofMillis(100))
            .withTimeout(Duration.ofMillis(1000)) // generous: a cold JVM's first request takes a while
            .withRiseFall(2, 2);

    private static Vertx vertx;
    private FakeExchange fake;
    private Backend ex1;
    private HealthChecker checker;
    private final List<StateChange> changes = new CopyOnWriteArrayList<>();

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
        ex1 = fake.backend("ex1");
    }

    @AfterEach
    void stop() throws Exception {
        if (checker != null) {
            checker.stop().await(10, TimeUnit.SECONDS);
        }
        fake.close();
    }

    private BackendStates start(HealthSettings settings, Map<VirtualDirectory, List<Backend>> targets) {
        BackendStates states = new BackendStates(settings);
        states.addListener(changes::add);
        checker = new HealthChecker(vertx, states, targets, b -> new HttpClientOptions(), "outlook.example.com");
        checker.start();
        return states;
    }

    private static int probes(BackendStates states, Backend backend, VirtualDirectory vdir) {
        return states.snapshot().stream()
                .filter(s -> s.backend().equals(backend) && s.vdir() == vdir)
                .mapToInt(s -> (int) s.probes())
                .findFirst().orElse(0);
    }

    @Test
    void mapiDownTakesTheBackendOutOfMapiOnlyAndRiseBringsItBack() throws Exception {
        BackendStates states = start(FAST, Map.of(MAPI, List.of(ex1), OWA, List.of(ex1)));
        Eventually.await("first probes", () -> probes(states, ex1, MAPI) >= 2 && probes(states, ex1, OWA) >= 2);
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();

        fake.set(MAPI, Mode.HANG);
        Eventually.await("/mapi down", () -> !states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB));
        Eventually.await("listeners told", () -> changes.size() >= 1); // they run after the state is visible

        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_NSPI)).isFalse();
        assertThat(states.isAvailable(ex1, ExchangeProtocol.OWA)).isTrue();
        assertThat(changes).singleElement().extracting(StateChange::toString)
                .isEqualTo("backend ex1 /mapi: up -> down (2 failed probes: timeout after 1000 ms)");

        fake.set(MAPI, Mode.HEALTHY);
        Eventually.await("/mapi up again", () -> states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB));
        Eventually.await("listeners told", () -> changes.size() >= 2);

        assertThat(changes).hasSize(2);
        assertThat(changes.get(1).toString()).isEqualTo("backend ex1 /mapi: down -> up (2 successful probes)");
        assertThat(changes).noneMatch(c -> c.vdir() == OWA);
        assertThat(fake.hostHeaders).isNotEmpty().containsOnly("outlook.example.com");
    }

    @Test
    void flappingNeverChangesState() throws Exception {
        fake.set(MAPI, Mode.FLAP);
        BackendStates states = start(FAST, Map.of(MAPI, List.of(ex1)));

        Eventually.await("a dozen probes", () -> probes(states, ex1, MAPI) >= 12);

        assertThat(changes).isEmpty();
        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.UP);
    }

    @Test
    void aDeadBackendGoesDownWithItsReason() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Backend dead = new Backend("ex2", "http", "127.0.0.1", port);
        BackendStates states = start(FAST, Map.of(OWA, List.of(ex1, dead)));

        Eventually.await("ex2 down", () -> states.state(dead, OWA) == BackendState.DOWN);

        assertThat(states.snapshot()).filteredOn(s -> s.backend().equals(dead)).singleElement()
                .satisfies(s -> assertThat(s.why()).isEqualTo("2 failed probes: connection refused"));
        assertThat(states.isAvailable(ex1, ExchangeProtocol.OWA)).isTrue();
    }

    @Test
    void passiveEjectionEndsAfterTheCooldownWhenProbesPass() throws Exception {
        BackendStates states = start(FAST.withEjection(3, Duration.ofMillis(500)), Map.of(MAPI, List.of(ex1)));
        Eventually.await("first probe", () -> probes(states, ex1, MAPI) >= 1);

        for (int i = 0; i < 3; i++) {
            states.recordPassive(ex1, MAPI, true);
        }

        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.EJECTED);
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isFalse();
        Eventually.await("back after the cool-down", () -> states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB));
        Eventually.await("listeners told", () -> changes.size() >= 2);
        assertThat(changes).extracting(StateChange::reason).containsExactly(
                "3 failed requests in a row (connect failures or 5xx), ejected for 500 ms",
                "ejection over, probes pass");
    }

    @Test
    void aSlowProbeIsNeverOverlappedByTheNext() throws Exception {
        fake.slowMs = 250;
        fake.set(MAPI, Mode.SLOW);
        BackendStates states = start(FAST.withInterval(Duration.ofMillis(50)).withTimeout(Duration.ofSeconds(5)),
                Map.of(MAPI, List.of(ex1)));

        Eventually.await("five probes", () -> fake.requests(MAPI) >= 5);

        assertThat(fake.maxInFlight()).isEqualTo(1);
        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.UP);
    }

    @Test
    void anOverrideProbesRpcProxyExpecting401() throws Exception {
        fake.set(VirtualDirectory.RPC, Mode.UNAUTHORIZED).set(OWA, Mode.UNAUTHORIZED);
        HealthSettings settings = FAST.withProbe(VirtualDirectory.RPC, new ProbeSpec("/rpc/rpcproxy.dll", 401, null));
        BackendStates states = start(settings, Map.of(VirtualDirectory.RPC, List.of(ex1), OWA, List.of(ex1)));

        Eventually.await("OWA's 401 wall takes it down", () -> states.state(ex1, OWA) == BackendState.DOWN);
        Eventually.await("RPC probed", () -> probes(states, ex1, VirtualDirectory.RPC) >= 3);

        assertThat(states.state(ex1, VirtualDirectory.RPC)).isEqualTo(BackendState.UP);
        assertThat(states.snapshot()).filteredOn(s -> s.vdir() == VirtualDirectory.RPC).singleElement()
                .satisfies(s -> {
                    assertThat(s.lastProbe().healthy()).isTrue();
                    assertThat(s.lastProbe().status()).isEqualTo(401);
                    assertThat(s.consecutiveSuccesses()).isGreaterThanOrEqualTo(3);
                });
    }

    @Test
    void snapshotJsonReportsTheServerTheBodyNames() throws Exception {
        fake.serverName = "EX7.lab.local";
        BackendStates states = start(FAST, Map.of(VirtualDirectory.EWS, List.of(ex1)));

        Eventually.await("probed", () -> states.snapshot().get(0).lastProbe() != null
                && states.snapshot().get(0).lastProbe().healthy());

        JsonObject json = states.toJson().getJsonObject(0);
        assertThat(json.getString("backend")).isEqualTo("ex1");
        assertThat(json.getString("vdir")).isEqualTo("/ews");
        assertThat(json.getString("state")).isEqualTo("up");
        assertThat(json.getString("why")).isNotBlank();
        JsonObject last = json.getJsonObject("lastProbe");
        assertThat(last.getInteger("status")).isEqualTo(200);
        assertThat(last.getString("firstBytes")).isEqualTo("200 OK<br/>EX7.lab.local");
        assertThat(last.getString("server")).isEqualTo("EX7.lab.local");
        assertThat(last.getLong("latencyMs")).isNotNegative();
        assertThat(json.getString("serverNameMismatch")).contains("EX7.lab.local", "ex1");
    }

    @Test
    void stopEndsTheProbes() throws Exception {
        BackendStates states = start(FAST, Map.of(MAPI, List.of(ex1)));
        Eventually.await("probing", () -> probes(states, ex1, MAPI) >= 2);

        checker.stop().await(10, TimeUnit.SECONDS);
        int afterStop = fake.requests(MAPI);
        Thread.sleep(500);

        assertThat(fake.requests(MAPI)).isLessThanOrEqualTo(afterStop + 1);
        checker = null;
    }
}
