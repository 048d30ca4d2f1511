package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NTLM and Negotiate through exgate: each client connection keeps its own backend connection. */
class NtlmPinningTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void users() {
        for (int i = 0; i < 20; i++) {
            NtlmBackend.PASSWORDS.put("user" + i, "Pa55-" + i + "-word");
        }
        NtlmBackend.PASSWORDS.put("alice", "alice-password");
        NtlmBackend.PASSWORDS.put("bob", "bob-password");
    }

    private static HttpClientConnection connect(Lab lab, int port) throws Exception {
        HttpClientAgent agent = lab.keep(lab.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)));
        return agent.connect(new HttpConnectOptions().setHost("localhost").setPort(port).setSsl(true)).await(10, TimeUnit.SECONDS);
    }

    private static Lab.Fetched send(HttpClientConnection c, String uri, String authorization) throws Exception {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI(uri);
        if (authorization != null) {
            o.putHeader("Authorization", authorization);
        }
        return c.request(o).compose(req -> req.send("x").compose(resp -> resp.body()
                .map(b -> new Lab.Fetched(resp.statusCode(), resp.headers(), b)))).await(10, TimeUnit.SECONDS);
    }

    /** The JDK's NTLM client authenticates on one exgate connection; returns the 200 answer. */
    private static Lab.Fetched ntlmLogin(HttpClientConnection c, String uri, String user, String scheme) throws Exception {
        NtlmClient ntlm = new NtlmClient(user, NtlmBackend.PASSWORDS.get(user));
        Lab.Fetched challenge = send(c, uri, scheme + " " + Base64.getEncoder().encodeToString(ntlm.negotiate()));
        assertThat(challenge.status()).isEqualTo(401);
        String offer = challenge.headers().getAll("WWW-Authenticate").stream().filter(h -> h.startsWith(scheme + " ")).findFirst()
                .orElseThrow();
        byte[] type2 = Base64.getDecoder().decode(offer.substring(scheme.length() + 1));
        return send(c, uri, scheme + " " + Base64.getEncoder().encodeToString(ntlm.authenticate(type2)));
    }

    private static List<String> backends(Lab lab, int n) throws Exception {
        List<String> urls = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            urls.add(new NtlmBackend("EX" + i).start(lab.vertx));
        }
        return urls;
    }

    @Test
    void curlNtlmClientsAuthenticateOnceAndStayOnTheirConnection() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(backends(lab, 3));
            List<Process> curls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                List<String> command = new ArrayList<>(List.of("curl", "-sS", "-k", "--ntlm", "-u",
                        "user" + i + ":" + NtlmBackend.PASSWORDS.get("user" + i), "-w", "\\n%{http_code}\\n"));
                for (int r = 0; r < 11; r++) {
                    command.add("https://localhost:" + lab.port() + "/mapi/emsmdb/?MailboxId=user" + i + "@contoso.com&r=" + r);
                }
                curls.add(new ProcessBuilder(command).redirectErrorStream(true).start());
            }
            for (int i = 0; i < 20; i++) {
                Process p = curls.get(i);
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(out).isZero();
                Set<String> connections = new HashSet<>();
                int answers = 0;
                for (String line : out.split("\n")) {
                    if (line.startsWith("{")) {
                        JsonObject answer = new JsonObject(line);
                        assertThat(answer.getString("user")).as("user%d never sees another identity", i).isEqualTo("user" + i);
                        connections.add(answer.getString("backend") + "#" + answer.getInteger("connection"));
                        answers++;
                    } else if (line.matches("\\d{3}")) {
                        assertThat(line).as(out).isEqualTo("200");
                    }
                }
                assertThat(answers).as(out).isEqualTo(11);
                assertThat(connections).as("one backend connection carried all of user%d's requests", i).hasSize(1);
            }
        }
    }

    @Test
    void withoutPinningTheSameBackendRefusesTheHandshake() throws Exception {
        // The negative control: type 1 and type 3 on two different connections, as a pooling proxy would send them.
        try (Lab lab = new Lab(dir)) {
            String url = new NtlmBackend("EX1").start(lab.vertx);
            int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
            HttpClientAgent plain = lab.keep(lab.vertx.createHttpClient());
            HttpClientConnection a = plain.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port)).await(10, TimeUnit.SECONDS);
            HttpClientConnection b = plain.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port)).await(10, TimeUnit.SECONDS);
            NtlmClient ntlm = new NtlmClient("alice", "alice-password");
            Lab.Fetched challenge = send(a, "/ews/", "NTLM " + Base64.getEncoder().encodeToString(ntlm.negotiate()));
            byte[] type2 = Base64.getDecoder().decode(challenge.header("WWW-Authenticate").substring(5));
            Lab.Fetched answer = send(b, "/ews/", "NTLM " + Base64.getEncoder().encodeToString(ntlm.authenticate(type2)));
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.header("X-Refusal")).contains("no challenge");
            // And a wrong password is refused even on the right connection: the backend really verifies.
            HttpClientConnection c = plain.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port)).await(10, TimeUnit.SECONDS);
            NtlmClient wrong = new NtlmClient("alice", "not-her-password");
            Lab.Fetched ch = send(c, "/ews/", "NTLM " + Base64.getEncoder().encodeToString(wrong.negotiate()));
            byte[] t2 = Base64.getDecoder().decode(ch.header("WWW-Authenticate").substring(5));
            assertThat(send(c, "/ews/", "NTLM " + Base64.getEncoder().encodeToString(wrong.authenticate(t2))).status()).isEqualTo(401);
        }
    }

    @Test
    void twoUsersAuthenticatingConcurrentlyNeverSeeEachOthersIdentity() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(backends(lab, 1));
            List<Future<Void>> runs = new ArrayList<>();
            for (String user : List.of("alice", "bob")) {
                Promise<Void> done = Promise.promise();
                runs.add(done.future());
                new Thread(() -> {
                    try {
                        for (int round = 0; round < 5; round++) {
                            HttpClientConnection c = connect(lab, lab.port());
                            assertThat(new JsonObject(ntlmLogin(c, "/ews/Exchange.asmx", user, "NTLM").text()).getString("user")).isEqualTo(user);
                            for (int i = 0; i < 10; i++) {
                                Lab.Fetched f = send(c, "/ews/Exchange.asmx", null);
                                assertThat(f.status()).isEqualTo(200);
                                assertThat(new JsonObject(f.text()).getString("user")).isEqualTo(user);
                            }
                            c.close().await(10, TimeUnit.SECONDS);
                        }
                        done.complete();
                    } catch (Throwable t) {
                        done.fail(t);
                    }
                }).start();
            }
            Future.all(runs).await(120, TimeUnit.SECONDS);
            // A new connection is anonymous again: nobody inherits a closed pinned connection's identity.
            HttpClientConnection fresh = connect(lab, lab.port());
            assertThat(send(fresh, "/ews/Exchange.asmx", null).status()).isEqualTo(401);
        }
    }

    @Test
    void negotiateTokensArePinnedAndTheMutualTokenOnThe200PassesUntouched() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(backends(lab, 3));
            HttpClientConnection c = connect(lab, lab.port());
            String uri = "/mapi/emsmdb/?MailboxId=carol@contoso.com";
            Lab.Fetched first = send(c, uri, "Negotiate " + Base64.getEncoder().encodeToString("spnego-1:carol".getBytes(StandardCharsets.UTF_8)));
            assertThat(first.status()).isEqualTo(401);
            String challenge = new String(Base64.getDecoder().decode(first.header("WWW-Authenticate").substring(10)), StandardCharsets.UTF_8);
            assertThat(challenge).startsWith("challenge:");
            String answer = "spnego-3:" + challenge.substring(10);
            Lab.Fetched ok = send(c, uri, "Negotiate " + Base64.getEncoder().encodeToString(answer.getBytes(StandardCharsets.UTF_8)));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(new JsonObject(ok.text()).getString("user")).isEqualTo("carol");
            assertThat(new String(Base64.getDecoder().decode(ok.header("WWW-Authenticate").substring(10)), StandardCharsets.UTF_8))
                    .isEqualTo("mutual:" + challenge.substring(10));
            // NTLMSSP inside Negotiate (what Windows sends without a domain controller) is pinned too.
            HttpClientConnection d = connect(lab, lab.port());
            assertThat(new JsonObject(ntlmLogin(d, "/ews/", "alice", "Negotiate").text()).getString("user")).isEqualTo("alice");
            assertThat(new JsonObject(send(d, "/ews/", null).text()).getString("user")).isEqualTo("alice");
        }
    }

    @Test
    void anAnonymousFirstRequestsChallengerGetsTheHandshake() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(backends(lab, 3));
            for (int i = 0; i < 6; i++) {
                HttpClientConnection c = connect(lab, lab.port());
                Lab.Fetched anonymous = send(c, "/owa/", null);
                assertThat(anonymous.status()).isEqualTo(401);
                // No key: the anonymous request went to the least busy backend; the handshake must follow it.
                Lab.Fetched ok = ntlmLogin(c, "/owa/", "alice", "NTLM");
                assertThat(ok.status()).isEqualTo(200);
                assertThat(ok.header("X-Backend")).isEqualTo(anonymous.header("X-Backend"));
                c.close().await(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void basicAuthenticationIsNotPinned() throws Exception {
        try (Lab lab = new Lab(dir)) {
            NtlmBackend backend = new NtlmBackend("EX1");
            lab.startExgate(List.of(backend.start(lab.vertx)));
            String basic = "Basic " + Base64.getEncoder().encodeToString("bob:bob-password".getBytes(StandardCharsets.UTF_8));
            Set<Integer> backendConnections = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                HttpClientConnection c = connect(lab, lab.port());
                Lab.Fetched f = send(c, "/ews/", basic);
                assertThat(f.status()).isEqualTo(200);
                backendConnections.add(new JsonObject(f.text()).getInteger("connection"));
                c.close().await(10, TimeUnit.SECONDS);
            }
            // Pooled: ten client connections share at most one backend connection per event loop.
            assertThat(backendConnections.size()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void whenTheBackendClosesAPinnedConnectionTheClientConnectionCloses() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(backends(lab, 1));
            HttpClientConnection c = connect(lab, lab.port());
            Promise<Void> closed = Promise.promise();
            c.closeHandler(v -> closed.tryComplete());
            ntlmLogin(c, "/ews/", "alice", "NTLM");
            send(c, "/ews/close-me", null);
            closed.future().await(10, TimeUnit.SECONDS);
            HttpClientConnection again = connect(lab, lab.port());
            assertThat(send(again, "/ews/", null).status()).as("a new connection must authenticate afresh").isEqualTo(401);
            assertThat(ntlmLogin(again, "/ews/", "alice", "NTLM").status()).isEqualTo(200);
        }
    }

    @Test
    void aPinnedPairIsClosedAtItsRequestCap() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(backends(lab, 1), "pinning:\n  max-requests: 4\n");
            HttpClientConnection c = connect(lab, lab.port());
            Promise<Void> closed = Promise.promise();
            c.closeHandler(v -> closed.tryComplete());
            ntlmLogin(c, "/ews/", "alice", "NTLM");
            assertThat(send(c, "/ews/", null).status()).isEqualTo(200);
            assertThat(send(c, "/ews/", null).status()).isEqualTo(200);
            closed.future().await(10, TimeUnit.SECONDS);
        }
    }
}
