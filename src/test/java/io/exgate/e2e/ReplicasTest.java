package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three exgate replicas on 127.0.0.2, .3 and .4 with one configuration and no shared state; every request
 * goes to a replica at random, as behind a layer-4 balancer. Sessions still work, and replicas agree.
 */
class ReplicasTest {
    private static final List<String> HOSTS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");

    @TempDir
    Path dir;

    private record Replicas(List<Exgate> instances, List<HttpClient> clients) {
    }

    private static Replicas start(Lab lab, Path dir, List<String> backendUrls) throws Exception {
        List<Exgate> instances = new ArrayList<>();
        List<HttpClient> clients = new ArrayList<>();
        Path base = lab.writeConfig("127.0.0.1:0", backendUrls, "routing:\n  cookie-secret: the-same-secret-on-every-replica\n");
        for (String host : HOSTS) {
            Path config = dir.resolve("exgate-" + host + ".yaml");
            Files.writeString(config, Files.readString(base).replace("listen: 127.0.0.1:0", "listen: " + host + ":0")
                    .replace("admin:\n  listen: 127.0.0.1:0\n", "admin:\n  listen: " + host + ":0\n"));
            Exgate exgate = Exgate.start(ConfigLoader.load(config)).await(20, TimeUnit.SECONDS);
            instances.add(exgate);
            clients.add(lab.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                    .setDefaultHost(host).setDefaultPort(exgate.port()), new PoolOptions().setHttp1MaxSize(100)));
        }
        return new Replicas(instances, clients);
    }

    private static Lab.Fetched mapi(HttpClient client, String mailbox, String type, Map<String, String> jar) throws Exception {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/?MailboxId=" + mailbox)
                .putHeader("X-RequestType", type);
        if (!jar.isEmpty()) {
            o.putHeader("Cookie", String.join("; ", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        Lab.Fetched f = client.request(o).compose(req -> req.send(Buffer.buffer(type))
                .compose(resp -> resp.body().map(b -> new Lab.Fetched(resp.statusCode(), resp.headers(), b)))).await(30, TimeUnit.SECONDS);
        for (String c : f.headers().getAll("Set-Cookie")) {
            String nv = c.split(";", 2)[0];
            jar.put(nv.substring(0, nv.indexOf('=')), nv.substring(nv.indexOf('=') + 1));
        }
        return f;
    }

    @Test
    void fiveHundredMapiSessionsSpreadAtRandomOverThreeReplicasStayWhereTheyWereCreated() throws Exception {
        try (Lab lab = new Lab(dir)) {
            Map<String, SimulatedMailboxServer> servers = new LinkedHashMap<>();
            List<String> urls = new ArrayList<>();
            for (String name : List.of("ex1", "ex2", "ex3")) {
                SimulatedMailboxServer s = new SimulatedMailboxServer(lab.vertx, name, SimulatedMailboxServer.Settings.exchangeLike());
                servers.put(s.name(), s);
                urls.add(lab.simulator(s));
            }
            Replicas replicas = start(lab, dir, urls);
            try {
                Random random = new Random(7);
                Map<String, String> home = new HashMap<>();
                for (int i = 0; i < 500; i++) {
                    String mailbox = new UUID(random.nextLong(), random.nextLong()) + "@contoso.com";
                    Map<String, String> jar = new LinkedHashMap<>();
                    String server = null;
                    for (String type : List.of("Connect", "Execute", "Execute", "Disconnect")) {
                        Lab.Fetched f = mapi(replicas.clients().get(random.nextInt(3)), mailbox, type, jar);
                        assertThat(f.header("X-ResponseCode")).as(mailbox + " " + type).isEqualTo("0");
                        server = server == null ? f.header("X-BEServer") : server;
                        assertThat(f.header("X-BEServer")).isEqualTo(server);
                    }
                    home.put(mailbox, server);
                }
                assertThat(Set.copyOf(home.values())).containsExactlyInAnyOrder("EX1", "EX2", "EX3");

                // One backend fails: on every replica alike, only its mailboxes move, and to the same place.
                servers.get("EX2").close().await(10, TimeUnit.SECONDS);
                for (Map.Entry<String, String> e : home.entrySet()) {
                    List<String> answers = new ArrayList<>();
                    for (HttpClient client : replicas.clients()) {
                        answers.add(mapi(client, e.getKey(), "Connect", new LinkedHashMap<>()).header("X-BEServer"));
                    }
                    assertThat(answers).as(e.getKey()).containsOnly(answers.get(0));
                    if (!e.getValue().equals("EX2")) {
                        assertThat(answers.get(0)).as(e.getKey()).isEqualTo(e.getValue());
                    } else {
                        assertThat(answers.get(0)).isIn("EX1", "EX3");
                    }
                }
            } finally {
                for (Exgate x : replicas.instances()) {
                    x.stop().await(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void aHundredRpcVirtualConnectionsWithChannelsOnRandomReplicasMeetOnOneBackend() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<String> urls = new ArrayList<>();
            for (String name : List.of("EX1", "EX2", "EX3")) {
                urls.add(new RpcPairingBackend(name).start(lab.vertx));
            }
            Replicas replicas = start(lab, dir, urls);
            try {
                Random random = new Random(11);
                Set<String> servers = ConcurrentHashMap.newKeySet();
                for (int batch = 0; batch < 5; batch++) {
                    List<Future<Void>> connections = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        String uri = "/rpc/rpcproxy.dll?" + new UUID(random.nextLong(), random.nextLong()) + "@contoso.com:6001";
                        connections.add(RpcVirtualConnectionTest.virtualConnection(replicas.clients().get(random.nextInt(3)),
                                replicas.clients().get(random.nextInt(3)), uri, servers));
                    }
                    Future.all(connections).await(120, TimeUnit.SECONDS);
                }
                assertThat(servers).containsExactlyInAnyOrder("EX1", "EX2", "EX3");
            } finally {
                for (Exgate x : replicas.instances()) {
                    x.stop().await(20, TimeUnit.SECONDS);
                }
            }
        }
    }
}
