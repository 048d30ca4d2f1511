package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MAPI sessions stay where they were created, and every replica agrees on where that is. */
class MailboxAffinityTest {
    @TempDir
    Path dir;

    private static SimulatedMailboxServer.Settings strict() {
        return SimulatedMailboxServer.Settings.exchangeLike().withPendingPeriod(java.time.Duration.ofMillis(200))
                .withNotificationWait(java.time.Duration.ofMillis(600));
    }

    /** Exchange-like mailbox servers that refuse sessions they did not create; returns their URLs. */
    private static List<String> simulators(Lab lab, String... names) throws Exception {
        List<String> urls = new ArrayList<>();
        for (String name : names) {
            urls.add(lab.simulator(new SimulatedMailboxServer(lab.vertx, name, strict())));
        }
        return urls;
    }

    private static List<String> mailboxes(int n) {
        Random r = new Random(42);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new UUID(r.nextLong(), r.nextLong()) + "@contoso.com");
        }
        return out;
    }

    /** A MAPI request carrying the cookies in {@code jar}; Set-Cookie answers go back into it. */
    private static Lab.Fetched mapi(Lab lab, HttpClient client, String mailbox, String type, Map<String, String> jar) throws Exception {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/?MailboxId=" + mailbox)
                .putHeader("Content-Type", "application/mapi-http").putHeader("X-RequestType", type);
        if (!jar.isEmpty()) {
            o.putHeader("Cookie", String.join("; ", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        Lab.Fetched f = client.request(o)
                .compose(req -> req.send(Buffer.buffer(type))
                        .compose(resp -> resp.body().map(b -> new Lab.Fetched(resp.statusCode(), resp.headers(), b))))
                .await(30, TimeUnit.SECONDS);
        for (String c : f.headers().getAll("Set-Cookie")) {
            String nv = c.split(";", 2)[0];
            jar.put(nv.substring(0, nv.indexOf('=')), nv.substring(nv.indexOf('=') + 1));
        }
        return f;
    }

    @Test
    void aMapiSessionStaysOnTheBackendThatCreatedIt() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<String> urls = simulators(lab, "ex1", "ex2", "ex3");
            lab.startExgate(urls);
            HttpClient client = lab.client();
            for (String mailbox : mailboxes(3)) {
                Map<String, String> jar = new LinkedHashMap<>();
                List<String> servers = new ArrayList<>();
                List<String> types = new ArrayList<>(List.of("Connect"));
                for (int i = 0; i < 50; i++) {
                    types.add("Execute");
                }
                types.add("NotificationWait");
                types.add("Disconnect");
                for (String type : types) {
                    Lab.Fetched f = mapi(lab, client, mailbox, type, jar);
                    assertThat(f.status()).isEqualTo(200);
                    assertThat(f.header("X-ResponseCode")).as(type + " on " + f.header("X-BEServer")).isEqualTo("0");
                    assertThat(f.text()).contains("X-ResponseCode: 0");
                    servers.add(f.header("X-BEServer"));
                }
                assertThat(servers).as(mailbox).containsOnly(servers.get(0));
                assertThat(jar.keySet()).anyMatch(k -> k.startsWith("exgate-"));
            }
        }
    }

    @Test
    void twoIndependentInstancesRouteAThousandMailboxesIdentically() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<String> urls = simulators(lab, "ex1", "ex2", "ex3");
            lab.startExgate(urls);
            Exgate second = Exgate.start(ConfigLoader.load(dir.resolve("exgate.yaml"))).await(20, TimeUnit.SECONDS);
            try {
                HttpClient one = lab.client();
                HttpClient two = lab.keep(lab.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
                        .setVerifyHost(false).setDefaultHost("localhost").setDefaultPort(second.port())));
                Map<String, Integer> spread = new HashMap<>();
                for (String mailbox : mailboxes(1000)) {
                    String a = mapi(lab, one, mailbox, "PING", new HashMap<>()).header("X-BEServer");
                    String b = mapi(lab, two, mailbox, "PING", new HashMap<>()).header("X-BEServer");
                    assertThat(b).as(mailbox).isEqualTo(a);
                    spread.merge(a, 1, Integer::sum);
                }
                assertThat(spread.keySet()).containsExactlyInAnyOrder("EX1", "EX2", "EX3");
                assertThat(spread.values()).allSatisfy(n -> assertThat(n).isBetween(250, 420));
            } finally {
                second.stop().await(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void whenABackendFailsOnlyItsMailboxesMove() throws Exception {
        try (Lab lab = new Lab(dir)) {
            Map<String, SimulatedMailboxServer> servers = new LinkedHashMap<>();
            List<String> urls = new ArrayList<>();
            for (String name : List.of("ex1", "ex2", "ex3")) {
                SimulatedMailboxServer s = new SimulatedMailboxServer(lab.vertx, name, strict());
                servers.put(s.name(), s);
                urls.add(lab.simulator(s));
            }
            lab.startExgate(urls);
            HttpClient client = lab.client();
            Map<String, String> before = new LinkedHashMap<>();
            for (String mailbox : mailboxes(300)) {
                before.put(mailbox, mapi(lab, client, mailbox, "PING", new HashMap<>()).header("X-BEServer"));
            }
            servers.get("EX2").close().await(10, TimeUnit.SECONDS);
            int moved = 0;
            for (Map.Entry<String, String> e : before.entrySet()) {
                Lab.Fetched f = mapi(lab, client, e.getKey(), "Connect", new HashMap<>());
                assertThat(f.status()).isEqualTo(200);
                if (e.getValue().equals("EX2")) {
                    assertThat(f.header("X-BEServer")).isIn("EX1", "EX3");
                    moved++;
                } else {
                    assertThat(f.header("X-BEServer")).as(e.getKey()).isEqualTo(e.getValue());
                }
            }
            assertThat(moved).isGreaterThan(50);
        }
    }

    @Test
    void malformedRoutingInputGets400NamingTheFieldAndNoBackendSeesIt() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", strict());
            lab.startExgate(List.of(lab.simulator(ex1)));
            Lab.Fetched badId = lab.fetch(HttpMethod.POST, "/mapi/emsmdb/?MailboxId=%ff%fe@contoso.com");
            assertThat(badId.status()).isEqualTo(400);
            assertThat(badId.text()).contains("The MailboxId is not valid UTF-8.");
            Lab.Fetched bigAnchor = lab.fetch(new RequestOptions().setMethod(HttpMethod.GET).setURI("/ews/Exchange.asmx")
                    .putHeader("X-AnchorMailbox", "a".repeat(2000)), null);
            assertThat(bigAnchor.status()).isEqualTo(400);
            assertThat(bigAnchor.text()).contains("X-AnchorMailbox is longer than 1024 bytes");
            Lab.Fetched badRpc = lab.fetch(new RequestOptions().setMethod(HttpMethod.valueOf("RPC_IN_DATA"))
                    .setURI("/rpc/rpcproxy.dll?not-an-endpoint").putHeader("Content-Length", "0"), null);
            assertThat(badRpc.status()).isEqualTo(400);
            assertThat(badRpc.text()).contains("RPC endpoint");
            assertThat(ex1.requestCount()).isZero();
        }
    }

    @Test
    void aForgedAffinityCookieIsIgnored() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<String> urls = simulators(lab, "ex1", "ex2");
            lab.startExgate(urls);
            String mailbox = mailboxes(1).get(0);
            Map<String, String> jar = new LinkedHashMap<>();
            String home = mapi(lab, lab.client(), mailbox, "Connect", jar).header("X-BEServer");
            String other = home.equals("EX1") ? "ex2" : "ex1";
            jar.replaceAll((k, v) -> k.startsWith("exgate-") ? other + v.substring(v.indexOf('.')) : v);
            Lab.Fetched f = mapi(lab, lab.client(), mailbox, "Execute", jar);
            assertThat(f.header("X-BEServer")).isEqualTo(home);
            assertThat(f.header("X-ResponseCode")).isEqualTo("0");
        }
    }

    @Test
    void aSilentMapiAnswerIsCutAfterThreePendingPeriodsNotTheGlobalIdleTimeout() throws Exception {
        try (Lab lab = new Lab(dir)) {
            String backend = lab.backend(request -> request.response().setChunked(true).putHeader("X-PendingPeriod", "500")
                    .write("PROCESSING\r\n"));
            lab.startExgate(List.of(backend), "timeouts:\n  idle: 60s\n");
            long start = System.nanoTime();
            Throwable failure = lab.client().request(HttpMethod.POST, "/mapi/emsmdb/?MailboxId=a@contoso.com")
                    .compose(req -> req.putHeader("X-RequestType", "Execute").send("x").compose(resp -> resp.body()))
                    .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause()))
                    .await(30, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(failure).as("the answer was cut, not completed").isNotNull();
            assertThat(millis).isBetween(2_500L, 10_000L);
        }
    }

    @Test
    void theMailboxMapDecidesAndIsReloadedWhenTheFileChanges() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<String> urls = simulators(lab, "ex1", "ex2", "ex3");
            Path map = dir.resolve("mailboxes.csv");
            java.nio.file.Files.writeString(map, "contoso.com,ex3\n");
            lab.startExgate(urls, "routing:\n  mailbox-map: mailboxes.csv\n");
            for (String mailbox : mailboxes(20)) {
                assertThat(mapi(lab, lab.client(), mailbox, "PING", new HashMap<>()).header("X-BEServer")).isEqualTo("EX3");
            }
            java.nio.file.Files.writeString(map, "# moved the database\ncontoso.com,ex1\n");
            String fresh = "0a0b0c0d-0000-4000-8000-000000000001@contoso.com";
            long deadline = System.nanoTime() + 15_000_000_000L;
            String server = null;
            while (System.nanoTime() < deadline && !"EX1".equals(server)) {
                Thread.sleep(200);
                server = mapi(lab, lab.client(), fresh, "PING", new HashMap<>()).header("X-BEServer");
            }
            assertThat(server).as("new sessions follow the reloaded map").isEqualTo("EX1");
            // A broken file is refused and the map in service stays.
            java.nio.file.Files.writeString(map, "contoso.com,ex9\n");
            Thread.sleep(3_000);
            String another = "0a0b0c0d-0000-4000-8000-000000000002@contoso.com";
            assertThat(mapi(lab, lab.client(), another, "PING", new HashMap<>()).header("X-BEServer")).isEqualTo("EX1");
        }
    }
}
