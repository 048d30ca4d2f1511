package io.exgate.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.routing.Backend;
import io.exgate.routing.ExchangeProtocol;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackendStatesTest {

    private static final VirtualDirectory MAPI = VirtualDirectory.MAPI;
    private static final VirtualDirectory OWA = VirtualDirectory.OWA;
    private static final ProbeResult PASS = new ProbeResult(true, 200, "200 OK<br/>EX1.corp.example.com",
            Duration.ofMillis(3), "EX1.corp.example.com", null);
    private static final ProbeResult TIMEOUT = ProbeResult.failed("timeout after 2000 ms", Duration.ofSeconds(2));

    private final Backend ex1 = new Backend("ex1", "https", "ex1.corp.example.com", 443);
    private final Backend ex2 = new Backend("ex2", "https", "ex2.corp.example.com", 443);
    private final MutableClock clock = new MutableClock();
    private final List<StateChange> changes = new CopyOnWriteArrayList<>();
    private BackendStates states;

    @BeforeEach
    void setUp() {
        HealthSettings settings = HealthSettings.defaults()
                .withRiseFall(2, 3)
                .withEjection(5, Duration.ofSeconds(30))
                .withDrainTimeout(Duration.ofMinutes(30));
        states = new BackendStates(settings, clock);
        states.addListener(changes::add);
        for (Backend b : List.of(ex1, ex2)) {
            states.track(b, MAPI);
            states.track(b, OWA);
        }
    }

    private void probes(Backend b, VirtualDirectory vdir, ProbeResult result, int times) {
        for (int i = 0; i < times; i++) {
            states.recordProbe(b, vdir, result);
        }
    }

    @Test
    void defaultsFollowTheVendorGuides() {
        HealthSettings d = HealthSettings.defaults();

        assertThat(d.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.rise()).isEqualTo(2);
        assertThat(d.fall()).isEqualTo(2);
        assertThat(d.jitter()).isEqualTo(0.10);
        assertThat(d.ejectAfter()).isEqualTo(5);
        assertThat(d.ejectCooldown()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.drainTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(d.probeFor(MAPI)).isEqualTo(new ProbeSpec("/mapi/healthcheck.htm", 200, "200 OK"));
        assertThat(d.probeFor(VirtualDirectory.ACTIVESYNC).path()).isEqualTo("/Microsoft-Server-ActiveSync/healthcheck.htm");
        assertThat(d.withProbe(VirtualDirectory.RPC, new ProbeSpec("/rpc/rpcproxy.dll", 401, null))
                .probeFor(VirtualDirectory.RPC).expectedBodyPrefix()).isNull();
    }

    @Test
    void everythingStartsUpBeforeAnyProbe() {
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();
        assertThat(states.acceptsNewSessions(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();
        assertThat(states.isAvailable(new Backend("ex3", "http", "ex3", 80), ExchangeProtocol.EWS)).isTrue();
        assertThat(states.snapshot()).hasSize(4).allSatisfy(s -> assertThat(s.state()).isEqualTo(BackendState.UP));
    }

    @Test
    void fallFailuresTakeOnlyThatVirtualDirectoryDownAndRiseSuccessesBringItBack() {
        probes(ex1, MAPI, TIMEOUT, 2);
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_NSPI)).as("2 of 3 failures").isTrue();

        states.recordProbe(ex1, MAPI, TIMEOUT);

        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isFalse();
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_NSPI)).isFalse();
        assertThat(states.isAvailable(ex1, ExchangeProtocol.OWA)).isTrue();
        assertThat(states.isAvailable(ex2, ExchangeProtocol.MAPI_EMSMDB)).isTrue();
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.backend()).isEqualTo(ex1);
            assertThat(c.vdir()).isEqualTo(MAPI);
            assertThat(c.from()).isEqualTo(BackendState.UP);
            assertThat(c.to()).isEqualTo(BackendState.DOWN);
            assertThat(c.toString()).isEqualTo("backend ex1 /mapi: up -> down (3 failed probes: timeout after 2000 ms)");
        });

        states.recordProbe(ex1, MAPI, PASS);
        assertThat(states.state(ex1, MAPI)).as("1 of 2 successes").isEqualTo(BackendState.DOWN);
        states.recordProbe(ex1, MAPI, PASS);

        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI)).isTrue();
        assertThat(changes).hasSize(2);
        assertThat(changes.get(1).toString()).isEqualTo("backend ex1 /mapi: down -> up (2 successful probes)");
    }

    @Test
    void flappingNeverChangesStateWithRiseAndFallOfTwo() {
        states = new BackendStates(HealthSettings.defaults().withRiseFall(2, 2), clock);
        states.addListener(changes::add);

        for (int i = 0; i < 50; i++) {
            states.recordProbe(ex1, MAPI, i % 2 == 0 ? TIMEOUT : PASS);
        }

        assertThat(changes).isEmpty();
        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.UP);
    }

    @Test
    void aRunOfFailedRequestsEjectsUntilTheCooldownThenProbesDecide() {
        for (int i = 0; i < 4; i++) {
            states.recordPassive(ex1, MAPI, true);
        }
        states.recordPassive(ex1, MAPI, false); // a success breaks the run
        for (int i = 0; i < 4; i++) {
            states.recordPassive(ex1, MAPI, true);
        }
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();

        states.recordPassive(ex1, MAPI, true);

        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.EJECTED);
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isFalse();
        assertThat(states.isAvailable(ex1, ExchangeProtocol.OWA)).isTrue();
        assertThat(changes).singleElement().extracting(StateChange::toString)
                .isEqualTo("backend ex1 /mapi: up -> ejected (5 failed requests in a row (connect failures or 5xx),"
                        + " ejected for 30 s)");

        probes(ex1, MAPI, PASS, 3);
        clock.advance(Duration.ofSeconds(29));
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isFalse();

        clock.advance(Duration.ofSeconds(1));

        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();
        assertThat(changes).hasSize(2);
        assertThat(changes.get(1).toString()).isEqualTo("backend ex1 /mapi: ejected -> up (ejection over, probes pass)");
        states.recordPassive(ex1, MAPI, true);
        assertThat(states.state(ex1, MAPI)).as("the run starts again after an ejection").isEqualTo(BackendState.UP);
    }

    @Test
    void afterTheCooldownFailingProbesKeepItDown() {
        for (int i = 0; i < 5; i++) {
            states.recordPassive(ex1, OWA, true);
        }
        probes(ex1, OWA, TIMEOUT, 3);
        clock.advance(Duration.ofSeconds(30));

        assertThat(states.state(ex1, OWA)).isEqualTo(BackendState.DOWN);
        assertThat(changes.get(changes.size() - 1).reason())
                .isEqualTo("ejection over, probes say down: timeout after 2000 ms");
    }

    @Test
    void drainKeepsOpenSessionsButPlacesNoNewOnesUntilEnabled() {
        assertThat(states.drain("ex1")).isTrue();

        for (VirtualDirectory vdir : List.of(MAPI, OWA)) {
            assertThat(states.state(ex1, vdir)).isEqualTo(BackendState.DRAINING);
        }
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();
        assertThat(states.acceptsNewSessions(ex1, ExchangeProtocol.MAPI_EMSMDB)).isFalse();
        assertThat(states.acceptsNewSessions(ex1, ExchangeProtocol.OWA)).isFalse();
        assertThat(states.acceptsNewSessions(ex2, ExchangeProtocol.OWA)).isTrue();
        assertThat(changes).hasSize(2).allSatisfy(c -> assertThat(c.to()).isEqualTo(BackendState.DRAINING));

        assertThat(states.enable("ex1")).isTrue();

        assertThat(states.acceptsNewSessions(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();
        assertThat(changes).hasSize(4);
        assertThat(changes.get(3).reason()).isEqualTo("enabled by operator");
        assertThat(states.drain("nope")).isFalse();
    }

    @Test
    void aDrainThatTimesOutTakesTheBackendFullyOutUntilEnabled() {
        states.drain("ex1");
        clock.advance(Duration.ofMinutes(29));
        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();

        clock.advance(Duration.ofMinutes(1));

        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isFalse();
        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.DRAINED);
        assertThat(changes).anySatisfy(c -> assertThat(c.toString())
                .isEqualTo("backend ex1 /mapi: draining -> drained (drain timeout of 30 min reached)"));

        states.enable("ex1");

        assertThat(states.isAvailable(ex1, ExchangeProtocol.MAPI_EMSMDB)).isTrue();
        assertThat(states.acceptsNewSessions(ex1, ExchangeProtocol.OWA)).isTrue();
    }

    @Test
    void aDownBackendStaysOutWhileDrainingAndDrainsWhenItRecovers() {
        probes(ex1, MAPI, TIMEOUT, 3);
        states.drain("ex1");
        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.DOWN);

        probes(ex1, MAPI, PASS, 2);

        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.DRAINING);
    }

    @Test
    void snapshotJsonShowsStateReasonLastProbeAndAServerNameMismatch() {
        ProbeResult ex7 = HealthProbe.judge(ProbeSpec.healthcheck(MAPI), 200, null,
                Buffer.buffer("200 OK<br/>EX7.corp.example.com"), Duration.ofMillis(12));
        states.recordProbe(ex1, MAPI, ex7);
        states.recordProbe(ex2, MAPI, HealthProbe.judge(ProbeSpec.healthcheck(MAPI), 200, null,
                Buffer.buffer("200 OK<br/>EX2.corp.example.com"), Duration.ofMillis(5)));
        ProbeResult wall = HealthProbe.judge(ProbeSpec.healthcheck(OWA), 401, null,
                Buffer.buffer("401 - Unauthorized"), Duration.ofMillis(4));
        probes(ex2, OWA, wall, 3);

        JsonArray json = states.toJson();

        assertThat(json).hasSize(4);
        JsonObject ex1Mapi = find(json, "ex1", "/mapi");
        assertThat(ex1Mapi.getString("state")).isEqualTo("up");
        assertThat(ex1Mapi.getJsonObject("lastProbe").getInteger("status")).isEqualTo(200);
        assertThat(ex1Mapi.getJsonObject("lastProbe").getString("server")).isEqualTo("EX7.corp.example.com");
        assertThat(ex1Mapi.getJsonObject("lastProbe").getLong("latencyMs")).isEqualTo(12);
        assertThat(ex1Mapi.getString("serverNameMismatch"))
                .isEqualTo("backend reports server EX7.corp.example.com, configured as ex1.corp.example.com (ex1)");
        assertThat(find(json, "ex2", "/mapi").containsKey("serverNameMismatch")).isFalse();

        JsonObject ex2Owa = find(json, "ex2", "/owa");
        assertThat(ex2Owa.getString("state")).isEqualTo("down");
        assertThat(ex2Owa.getString("why")).isEqualTo("3 failed probes: status 401 (expected 200)");
        assertThat(ex2Owa.getString("since")).isEqualTo(clock.instant().toString());
        assertThat(ex2Owa.getInteger("consecutiveFailures")).isEqualTo(3);
        assertThat(ex2Owa.getLong("failedProbes")).isEqualTo(3);
        assertThat(ex2Owa.getBoolean("available")).isFalse();
        assertThat(ex2Owa.getJsonObject("lastProbe").getString("firstBytes")).isEqualTo("401 - Unauthorized");
        assertThat(ex2Owa.getJsonObject("lastProbe").getString("failure")).isEqualTo("status 401 (expected 200)");
    }

    @Test
    void serverNamesMatchByFqdnFirstLabelOrBackendName() {
        Backend byIp = new Backend("ex1", "http", "10.0.0.5", 80);

        assertThat(ServerIdentity.mismatch(ex1, "EX1.corp.example.com")).isNull();
        assertThat(ServerIdentity.mismatch(ex1, "EX1.other.example.com")).isNull();
        assertThat(ServerIdentity.mismatch(ex1, "ex1")).isNull();
        assertThat(ServerIdentity.mismatch(byIp, "EX1.lab.local")).isNull();
        assertThat(ServerIdentity.mismatch(byIp, "EX2.lab.local")).isNotNull();
        assertThat(ServerIdentity.mismatch(ex1, "EX7.corp.example.com")).contains("EX7.corp.example.com");
        assertThat(ServerIdentity.mismatch(ex1, null)).isNull();
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        List<StateChange> seen = new CopyOnWriteArrayList<>();
        states.addListener(c -> {
            throw new IllegalStateException("boom");
        });
        states.addListener(seen::add);

        probes(ex1, OWA, TIMEOUT, 3);

        assertThat(seen).hasSize(1);
    }

    @Test
    void concurrentReportsKeepCountersConsistent() throws Exception {
        onEightThreadsThousandTimes(() -> {
            states.recordProbe(ex2, OWA, PASS);
            states.isAvailable(ex2, ExchangeProtocol.OWA);
        });

        assertThat(states.snapshot()).filteredOn(s -> s.backend().equals(ex2) && s.vdir() == OWA)
                .singleElement().satisfies(s -> {
                    assertThat(s.probes()).isEqualTo(8000);
                    assertThat(s.consecutiveSuccesses()).isEqualTo(8000);
                });
    }

    @Test
    void concurrentFailedAnswersFromManyEventLoopsEjectOnce() throws Exception {
        onEightThreadsThousandTimes(() -> {
            states.recordPassive(ex2, OWA, true);
            states.isAvailable(ex2, ExchangeProtocol.OWA);
        });
        // Once ejected the backend stays out until the cool-down: the failures still coming in meanwhile
        // (answers of requests sent before) neither eject it again nor count towards the next run.
        assertThat(states.state(ex2, OWA)).isEqualTo(BackendState.EJECTED);
        assertThat(changes).singleElement().extracting(StateChange::to).isEqualTo(BackendState.EJECTED);
        assertThat(states.snapshot()).filteredOn(s -> s.backend().equals(ex2) && s.vdir() == OWA)
                .singleElement().satisfies(s -> {
                    assertThat(s.ejections()).isEqualTo(1);
                    assertThat(s.passiveFailures()).isZero();
                });
    }

    /** As event loops and the probe scheduler do: the same calls from several threads at once. */
    private static void onEightThreadsThousandTimes(Runnable calls) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    calls.run();
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static JsonObject find(JsonArray array, String backend, String vdir) {
        for (int i = 0; i < array.size(); i++) {
            JsonObject o = array.getJsonObject(i);
            if (o.getString("backend").equals(backend) && o.getString("vdir").equals(vdir)) {
                return o;
            }
        }
        throw new AssertionError("no " + backend + " " + vdir + " in " + array.encodePrettily());
    }

    @Test
    void aReloadKeepsTheStateOfKeptBackendsForgetsRemovedOnesAndAppliesNewSettings() {
        probes(ex1, MAPI, TIMEOUT, 3);
        assertThat(states.state(ex1, MAPI)).isEqualTo(BackendState.DOWN);
        states.drain("ex2");
        Backend ex3 = new Backend("ex3", "https", "ex3.corp.example.com", 443);

        // ex2 removed, ex3 added, rise lowered from 2 to 1.
        states.reconfigure(HealthSettings.defaults().withRiseFall(1, 3), java.util.Map.of(MAPI, List.of(ex1, ex3), OWA, List.of(ex1)));

        assertThat(states.state(ex1, MAPI)).as("kept: still down").isEqualTo(BackendState.DOWN);
        assertThat(states.backends(MAPI)).containsExactly(ex1, ex3);
        assertThat(states.backends(OWA)).containsExactly(ex1);
        assertThat(states.isDraining("ex2")).as("a removed backend's drain ends").isFalse();
        states.recordPassive(ex2, MAPI, true);
        assertThat(states.backends(MAPI)).as("a late answer from a removed backend does not bring it back").doesNotContain(ex2);

        states.recordProbe(ex1, MAPI, PASS);
        assertThat(states.state(ex1, MAPI)).as("the new rise of 1 applies to a kept pair").isEqualTo(BackendState.UP);

        Backend movedEx1 = new Backend("ex1", "https", "ex1-new.corp.example.com", 443);
        probes(ex1, MAPI, TIMEOUT, 3);
        states.reconfigure(HealthSettings.defaults(), java.util.Map.of(MAPI, List.of(movedEx1)));
        assertThat(states.state(movedEx1, MAPI)).as("a new URL is a new server: up until probes say otherwise").isEqualTo(BackendState.UP);
    }
}
