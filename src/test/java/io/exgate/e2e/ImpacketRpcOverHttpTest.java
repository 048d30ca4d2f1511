package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.routing.Backend;
import io.exgate.routing.RendezvousHash;
import io.exgate.routing.WeightedBackend;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * impacket's RPC over HTTP v2 client (Debian's python3-impacket) through exgate to three
 * {@link RpcOverHttpBackend}s, ten virtual connections at once. impacket sends its NTLM negotiate
 * message without the RPC endpoint (the query comes only with the NTLM answer), so exgate places each
 * channel's handshake by the client's address and pins it there: the endpoint cannot steer these
 * connections, and the backend behind the pin receives it (an Exchange 2013+ front end proxies on).
 */
class ImpacketRpcOverHttpTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final List<String> BACKENDS = List.of("ex1", "ex2", "ex3");

    @TempDir
    Path dir;

    /** One impacket run: its own loopback address, user and endpoint, and where exgate must place it. */
    record Run(int index, String address, String backend, String endpoint, String user, String password) {
    }

    @Test
    void tenImpacketVirtualConnectionsAuthenticateEachChannelOnItsOwnConnectionAndMeetOnTheBackendOfTheirClientAddress()
            throws Exception {
        List<Run> runs = runs();
        Map<String, String> passwords = new HashMap<>();
        runs.forEach(r -> passwords.put(r.user(), r.password()));
        try (Lab lab = new Lab(dir)) {
            Map<String, RpcOverHttpBackend> backends = new LinkedHashMap<>();
            List<String> urls = new ArrayList<>();
            for (String name : BACKENDS) {
                backends.put(name, new RpcOverHttpBackend(name, passwords));
                urls.add(backends.get(name).start(lab.vertx));
            }
            lab.startExgate(urls);
            List<Process> processes = new ArrayList<>();
            try {
                for (Run run : runs) {
                    processes.add(impacket(run, lab.port()));
                }
                for (Run run : runs) {
                    assertAnswered(run, awaitResult(processes.get(run.index()), run, backends), backends);
                }
            } finally {
                // A failed assertion must not leave impacket processes behind.
                processes.forEach(Process::destroyForcibly);
            }
            assertThat(runs.stream().map(Run::backend).distinct()).containsExactlyInAnyOrderElementsOf(BACKENDS);
            backends.values().forEach(b -> assertThat(b.errors()).isEmpty());
        }
    }

    private Process impacket(Run run, int port) throws Exception {
        Path script = Path.of(getClass().getResource("/impacket_rpch_client.py").toURI());
        return new ProcessBuilder(PYTHON, "-I", script.toString(), "--url", "https://127.0.0.1:" + port + "/rpc/rpcproxy.dll",
                "--endpoint", run.endpoint(), "--user", run.user(), "--password", run.password(), "--domain", "LAB",
                "--source", run.address(), "--cafile", dir.resolve("certs/outlook.pem").toString())
                .directory(dir.toFile()).redirectOutput(dir.resolve("out-" + run.index()).toFile())
                .redirectError(dir.resolve("err-" + run.index()).toFile()).start();
    }

    /** Both calls answered by the expected backend, over one virtual connection that reached only it. */
    private static void assertAnswered(Run run, JsonObject result, Map<String, RpcOverHttpBackend> backends) {
        JsonArray answers = result.getJsonArray("answers");
        assertThat(answers).as("answers of run %s", run).hasSize(2);
        String cookie = answers.getJsonObject(0).getString("cookie");
        for (int call = 1; call <= 2; call++) {
            JsonObject a = answers.getJsonObject(call - 1);
            assertThat(a.getString("backend")).as("backend of %s: %s", run, a).isEqualTo(run.backend());
            assertThat(a.getString("endpoint")).as("IN channel's endpoint").isEqualTo(run.endpoint());
            assertThat(a.getString("outEndpoint")).as("OUT channel's endpoint").isEqualTo(run.endpoint());
            assertThat(a.getString("client")).as("IN channel's client address").isEqualTo(run.address());
            assertThat(a.getString("outClient")).as("OUT channel's client address").isEqualTo(run.address());
            assertThat(a.getString("user")).isEqualTo(run.user());
            assertThat(a.getString("cookie")).isEqualTo(cookie);
            assertThat(a.getInteger("call")).isEqualTo(call);
            assertThat(a.getString("text")).isEqualTo("call " + call + " from " + run.user());
        }
        assertChannelsAuthenticatedApartOn(backends.get(run.backend()), cookie, run);
        backends.forEach((name, b) -> {
            if (!name.equals(run.backend())) {
                assertThat(b.virtualConnection(cookie)).as("%s on %s", cookie, name).isEmpty();
            }
        });
    }

    /** Each channel authenticated with all three NTLM legs on its own backend connection, and both met there. */
    private static void assertChannelsAuthenticatedApartOn(RpcOverHttpBackend backend, String cookie, Run run) {
        RpcOverHttpBackend.VirtualConnection vc = backend.virtualConnection(cookie).orElseThrow();
        assertThat(vc.established).isTrue();
        assertThat(vc.in.tcp().id).as("IN and OUT on different TCP connections").isNotEqualTo(vc.out.tcp().id);
        for (RpcOverHttpBackend.Channel channel : List.of(vc.in, vc.out)) {
            assertThat(channel.tcp().legs).as("NTLM legs on the connection of %s", channel.method())
                    .containsExactly("negotiate", "challenge", "authenticate " + run.user());
        }
    }

    private JsonObject awaitResult(Process p, Run run, Map<String, RpcOverHttpBackend> backends) throws Exception {
        boolean ended = p.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(dir.resolve("out-" + run.index()));
        String err = Files.readString(dir.resolve("err-" + run.index()));
        List<String> errors = new ArrayList<>();
        backends.values().forEach(b -> errors.addAll(b.errors()));
        assertThat(ended && p.exitValue() == 0).as("impacket run %s %s; stdout: %s; stderr: %s; backend errors: %s", run,
                ended ? "exited " + p.exitValue() : "timed out", out, err, errors).isTrue();
        return new JsonObject(out.strip());
    }

    /**
     * Ten client addresses (127.0.0.x: from one address every run would land on one backend), at most
     * four placed on one backend so each gets at least two; the endpoint names that backend, another
     * configured backend (so only the pin can keep the NTLM answer where its challenge came from), or a
     * mailbox, in turn.
     */
    private static List<Run> runs() {
        List<WeightedBackend> weighted = BACKENDS.stream().map(n -> new WeightedBackend(new Backend(n, "http", "127.0.0.1", 1), 1))
                .toList();
        Map<String, Integer> placed = new HashMap<>();
        Set<String> endpoints = new HashSet<>();
        List<Run> runs = new ArrayList<>();
        for (int host = 10; runs.size() < 10; host++) {
            assertThat(host).as("client addresses spread over the backends").isLessThan(255);
            String address = "127.0.0." + host;
            String backend = RendezvousHash.rank(address, weighted).get(0).name();
            if (placed.merge(backend, 1, Integer::sum) > 4) {
                continue;
            }
            int i = runs.size();
            String other = BACKENDS.get((BACKENDS.indexOf(backend) + 1) % BACKENDS.size());
            String endpoint = switch (i % 3) {
                case 0 -> endpoint(backend, endpoints);
                case 1 -> endpoint(other, endpoints);
                default -> UUID.randomUUID() + "@contoso.com:6001";
            };
            runs.add(new Run(i, address, backend, endpoint, "user" + i, "Pa55-" + i + "-" + UUID.randomUUID()));
        }
        return runs;
    }

    /** {@code <server>:<port>} with the first RPC port not used yet for that server, so all endpoints differ. */
    private static String endpoint(String server, Set<String> used) {
        for (int port : new int[] {6001, 6002, 6004, 6003}) {
            if (used.add(server + ":" + port)) {
                return server + ":" + port;
            }
        }
        throw new IllegalStateException("no free endpoint for " + server);
    }
}
