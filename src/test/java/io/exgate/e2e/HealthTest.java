package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-protocol health, exgate's own healthcheck.htm, drain and maintenance, as an administrator sees them. */
class HealthTest {
    private static final String FAST_PROBES = "health:\n  interval: 200ms\n  timeout: 1s\n  rise: 2\n  fall: 2\n";

    @TempDir
    Path dir;

    private static void eventually(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 15 s: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static boolean stateIs(Lab lab, String backend, String vdir, String state) {
        return lab.exgate().backendStates().toJson().stream().map(o -> (io.vertx.core.json.JsonObject) o)
                .anyMatch(o -> backend.equals(o.getString("backend")) && vdir.equals(o.getString("vdir")) && state.equals(o.getString("state")));
    }

    private static boolean status(Lab lab, String uri, int expected) {
        try {
            return lab.fetch(HttpMethod.GET, uri).status() == expected;
        } catch (Exception e) {
            return false;
        }
    }

    private static SimulatedMailboxServer.Settings settings() {
        return SimulatedMailboxServer.Settings.exchangeLike().withPendingPeriod(Duration.ofMillis(100))
                .withNotificationWait(Duration.ofMillis(300));
    }

    private static Lab.Fetched mapi(Lab lab, String mailbox, String type, Map<String, String> jar) throws Exception {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/?MailboxId=" + mailbox)
                .putHeader("X-RequestType", type);
        if (!jar.isEmpty()) {
            o.putHeader("Cookie", String.join("; ", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        Lab.Fetched f = lab.fetch(o, Buffer.buffer(type));
        for (String c : f.headers().getAll("Set-Cookie")) {
            String nv = c.split(";", 2)[0];
            jar.put(nv.substring(0, nv.indexOf('=')), nv.substring(nv.indexOf('=') + 1));
        }
        return f;
    }

    @Test
    void aProtocolDownOnOneBackendLeavesItsOtherProtocolsInRotation() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", settings());
            SimulatedMailboxServer ex2 = new SimulatedMailboxServer(lab.vertx, "ex2", settings());
            lab.startExgate(List.of(lab.simulator(ex1), lab.simulator(ex2)), FAST_PROBES);
            assertThat(lab.fetch(HttpMethod.GET, "/mapi/healthcheck.htm").text()).startsWith("200 OK<br/>");

            ex1.setHealthy("/mapi", false);
            eventually("EX1 out of /mapi", () -> stateIs(lab, "ex1", "/mapi", "down"));
            Set<String> mapiServers = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                mapiServers.add(mapi(lab, UUID.randomUUID() + "@contoso.com", "Connect", new LinkedHashMap<>()).header("X-BEServer"));
            }
            assertThat(mapiServers).containsExactly("EX2");
            Set<String> owaServers = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                owaServers.add(lab.fetch(HttpMethod.GET, "/owa/").header("X-BEServer"));
            }
            assertThat(owaServers).containsExactlyInAnyOrder("EX1", "EX2");

            // Every /mapi backend down: exgate's own /mapi/healthcheck.htm says so; /owa's does not.
            ex2.setHealthy("/mapi", false);
            eventually("/mapi/healthcheck.htm answers 503", () -> status(lab, "/mapi/healthcheck.htm", 503));
            assertThat(lab.fetch(HttpMethod.GET, "/OWA/healthcheck.htm").status()).isEqualTo(200);
            assertThat(lab.fetch(HttpMethod.POST, "/mapi/emsmdb/?MailboxId=a@contoso.com").status()).isEqualTo(503);

            ex1.setHealthy("/mapi", true);
            eventually("/mapi back after rise probes", () -> status(lab, "/mapi/healthcheck.htm", 200));
            assertThat(mapi(lab, "b@contoso.com", "Connect", new LinkedHashMap<>()).header("X-BEServer")).isEqualTo("EX1");
            JsonArray backends = new JsonArray(lab.fetchAdmin(HttpMethod.GET, "/api/backends").text());
            assertThat(backends.encode()).contains("\"backend\":\"ex2\"", "\"vdir\":\"/mapi\"", "\"state\":\"down\"", "connection reset");
        }
    }

    @Test
    void aBackendThatAcceptsButNeverAnswersFailsItsProbesByTimeout() throws Exception {
        try (Lab lab = new Lab(dir)) {
            String silent = lab.backend(request -> {
                // Accepts and never answers.
            });
            SimulatedMailboxServer ex2 = new SimulatedMailboxServer(lab.vertx, "ex2", settings());
            lab.startExgate(List.of(silent, lab.simulator(ex2)), "health:\n  interval: 200ms\n  timeout: 300ms\n");
            eventually("the silent backend is down for /owa", () -> stateIs(lab, "ex1", "/owa", "down"));
            assertThat(lab.exgate().backendStates().toJson().encode()).contains("timeout after 300 ms");
            for (int i = 0; i < 10; i++) {
                assertThat(lab.fetch(HttpMethod.GET, "/owa/").header("X-BEServer")).isEqualTo("EX2");
            }
        }
    }

    @Test
    void drainKeepsOpenSessionsWhileNewSessionsGoElsewhereAndMaintenanceFlipsHealthcheck() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", settings());
            SimulatedMailboxServer ex2 = new SimulatedMailboxServer(lab.vertx, "ex2", settings());
            lab.startExgate(List.of(lab.simulator(ex1), lab.simulator(ex2)), FAST_PROBES);
            // Find a mailbox whose session lives on EX1.
            String mailbox = null;
            Map<String, String> jar = new LinkedHashMap<>();
            while (mailbox == null) {
                String candidate = UUID.randomUUID() + "@contoso.com";
                Map<String, String> j = new LinkedHashMap<>();
                if (mapi(lab, candidate, "Connect", j).header("X-BEServer").equals("EX1")) {
                    mailbox = candidate;
                    jar = j;
                }
            }
            String rpc = "/rpc/rpcproxy.dll?" + mailbox + ":6001";
            assertThat(lab.fetch(new RequestOptions().setMethod(HttpMethod.valueOf("RPC_OUT_DATA")).setURI(rpc)
                    .putHeader("Content-Length", "0"), null).header("X-BEServer")).isEqualTo("EX1");

            assertThat(lab.fetchAdmin(HttpMethod.POST, "/api/backends/ex1/drain").status()).isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                Lab.Fetched execute = mapi(lab, mailbox, "Execute", jar);
                assertThat(execute.header("X-BEServer")).as("the open MAPI session stays").isEqualTo("EX1");
                assertThat(execute.header("X-ResponseCode")).isEqualTo("0");
                assertThat(lab.fetch(new RequestOptions().setMethod(HttpMethod.valueOf("RPC_IN_DATA")).setURI(rpc)
                        .putHeader("Content-Length", "0"), null).header("X-BEServer")).as("the RPC connection's channels stay").isEqualTo("EX1");
            }
            assertThat(mapi(lab, mailbox, "Connect", new LinkedHashMap<>()).header("X-BEServer")).as("a new session goes elsewhere")
                    .isEqualTo("EX2");
            assertThat(lab.fetchAdmin(HttpMethod.GET, "/api/backends").text()).contains("\"state\" : \"draining\"");
            assertThat(lab.fetchAdmin(HttpMethod.POST, "/api/backends/ex9/drain").status()).isEqualTo(404);
            assertThat(lab.fetchAdmin(HttpMethod.POST, "/api/backends/ex1/enable").status()).isEqualTo(200);

            assertThat(lab.fetchAdmin(HttpMethod.POST, "/api/maintenance").status()).isEqualTo(200);
            assertThat(lab.fetch(HttpMethod.GET, "/owa/healthcheck.htm").status()).isEqualTo(503);
            assertThat(lab.fetch(HttpMethod.GET, "/owa/").status()).as("maintenance keeps serving").isEqualTo(200);
            assertThat(lab.fetchAdmin(HttpMethod.DELETE, "/api/maintenance").status()).isEqualTo(200);
            assertThat(lab.fetch(HttpMethod.GET, "/owa/healthcheck.htm").text()).startsWith("200 OK<br/>");
            assertThat(lab.fetchAdmin(HttpMethod.GET, "/ready").status()).isEqualTo(200);
        }
    }
}
