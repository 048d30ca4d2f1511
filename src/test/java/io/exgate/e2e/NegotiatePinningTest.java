package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
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

/**
 * A real SPNEGO client through exgate: curl {@code --negotiate} with Debian's gss-ntlmssp and no
 * Kerberos, so GSS-API negotiates NTLMSSP inside SPNEGO, against backends that verify the NTLMv2
 * answer and bind the handshake to their TCP connection (NtlmBackend).
 */
class NegotiatePinningTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void users() {
        for (int i = 0; i < 6; i++) {
            NtlmBackend.PASSWORDS.put("neg" + i, "Neg-" + i + "-pa55word");
        }
    }

    /** One finished curl run: stdout (bodies and -w lines), stderr (-v trace) and the -D header dump. */
    private record Curl(int exit, String out, String trace, String headers) {
        List<JsonObject> answers() {
            return out.lines().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
        }

        /** The -w lines: "<http_code> <num_connects>" per URL. */
        List<String> codes() {
            return out.lines().filter(l -> l.matches("\\d{3} \\d+")).toList();
        }

        /** Every WWW-Authenticate value on a 200 answer, as curl received it. */
        List<String> wwwAuthenticateOn200() {
            List<String> values = new ArrayList<>();
            boolean in200 = false;
            for (String line : headers.split("\r\n")) {
                if (line.startsWith("HTTP/")) {
                    in200 = line.split(" ")[1].equals("200");
                } else if (in200 && line.regionMatches(true, 0, "WWW-Authenticate:", 0, 17)) {
                    values.add(line.substring(17).trim());
                }
            }
            return values;
        }

        String all() {
            return "exit " + exit + "\n" + out + "\n--- trace\n" + trace;
        }
    }

    /** A running curl and the folder holding its files. */
    private record Run(Process process, Path home) {}

    /** Starts curl --negotiate as {@code user}, gss-ntlmssp reading the password from its credentials file. */
    private Run startCurl(String user, String password, List<String> urls) throws Exception {
        return startCurl(user, password, List.of(), urls);
    }

    private Run startCurl(String user, String password, List<String> options, List<String> urls) throws Exception {
        Path home = Files.createTempDirectory(dir, user);
        Files.writeString(home.resolve("ntlm-users"), "LAB:" + user + ":" + password + "\n");
        Files.writeString(home.resolve("krb5.conf"), ""); // no realm and no ticket cache: SPNEGO can only offer NTLMSSP
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-v", "-k", "--negotiate", "-u", ":", "--max-time", "30",
                "-D", home.resolve("headers").toString(), "-w", "\\n%{http_code} %{num_connects}\\n"));
        command.addAll(options);
        command.addAll(urls);
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(home.resolve("out").toFile())
                .redirectError(home.resolve("trace").toFile());
        pb.environment().put("NTLM_USER_FILE", home.resolve("ntlm-users").toString());
        pb.environment().put("NTLMUSER", user);
        pb.environment().put("KRB5_CONFIG", home.resolve("krb5.conf").toString());
        pb.environment().put("KRB5CCNAME", "FILE:" + home.resolve("no-ccache"));
        return new Run(pb.start(), home);
    }

    private static Curl finish(Run run) throws Exception {
        Process p = run.process();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        Path home = run.home();
        Path headers = home.resolve("headers");
        Curl c = new Curl(done ? p.exitValue() : -1, Files.readString(home.resolve("out")), Files.readString(home.resolve("trace")),
                Files.exists(headers) ? Files.readString(headers) : "");
        assertThat(done).as("curl finished in time\n" + c.all()).isTrue();
        return c;
    }

    private Curl curl(String user, String password, List<String> urls) throws Exception {
        return finish(startCurl(user, password, urls));
    }

    @Test
    void curlNegotiateThroughExgateAuthenticatesOnceAndKeepsItsBackendConnection() throws Exception {
        try (Lab lab = new Lab(dir)) {
            List<NtlmBackend> backends = List.of(new NtlmBackend("EX1"), new NtlmBackend("EX2"), new NtlmBackend("EX3"));
            List<String> urls = new ArrayList<>();
            for (NtlmBackend b : backends) {
                urls.add(b.start(lab.vertx));
            }
            lab.startExgate(urls);
            // Several clients at once, so handshakes interleave across the three backends.
            List<Run> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                List<String> requests = new ArrayList<>();
                for (int r = 0; r < 5; r++) {
                    requests.add("https://localhost:" + lab.port() + "/mapi/emsmdb/?MailboxId=neg" + i + "@contoso.com&r=" + r);
                }
                // HTTP/1.1 from the start: after exgate's (and IIS's) HTTP_1_1_REQUIRED, curl 7.88 sends later URLs
                // unauthenticated on the old HTTP/2 connection (see the HTTP/2 test below).
                runs.add(startCurl("neg" + i, NtlmBackend.PASSWORDS.get("neg" + i), List.of("--http1.1"), requests));
            }
            List<String> mutualSent = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Curl c = finish(runs.get(i));
                assertThat(c.exit()).as(c.all()).isZero();
                assertThat(c.codes()).as(c.all()).hasSize(5).allMatch(l -> l.startsWith("200 "));
                // One TLS connection to exgate for all five requests...
                assertThat(c.codes().stream().mapToInt(l -> Integer.parseInt(l.split(" ")[1])).sum()).as(c.all()).isEqualTo(1);
                // ...two legs of SPNEGO on it and no Authorization afterwards: the connection stays authenticated.
                assertThat(c.trace().lines().filter(l -> l.startsWith("> Authorization: Negotiate ")).count()).as(c.all()).isEqualTo(2);
                Set<String> backendConnections = new HashSet<>();
                for (JsonObject answer : c.answers()) {
                    assertThat(answer.getString("user")).as("the backend verified neg%d's NTLMv2 answer", i).isEqualTo("neg" + i);
                    backendConnections.add(answer.getString("backend") + "#" + answer.getInteger("connection"));
                }
                assertThat(c.answers()).as(c.all()).hasSize(5);
                assertThat(backendConnections).as("one backend connection carried all of neg%d's requests\n%s", i, c.all()).hasSize(1);
                // The mutual-authentication token on the 200 is a well-formed accept-completed NegTokenResp...
                List<String> mutual = c.wwwAuthenticateOn200();
                assertThat(mutual).as(c.headers()).hasSize(1);
                Spnego.Resp resp = Spnego.parseResp(Base64.getDecoder().decode(mutual.get(0).substring("Negotiate ".length())));
                assertThat(resp.negState()).isEqualTo(Spnego.ACCEPT_COMPLETED);
                mutualSent.add(mutual.get(0));
            }
            // ...and each one curl saw is byte for byte one a backend sent.
            List<String> sent = backends.stream().flatMap(b -> b.mutualTokensSent.stream()).toList();
            assertThat(sent).hasSize(6);
            assertThat(mutualSent).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    void overHttp2CurlIsToldToUseHttp11AndAuthenticatesThere() throws Exception {
        try (Lab lab = new Lab(dir)) {
            NtlmBackend backend = new NtlmBackend("EX1");
            lab.startExgate(List.of(backend.start(lab.vertx)));
            Curl c = curl("neg2", NtlmBackend.PASSWORDS.get("neg2"), List.of("https://localhost:" + lab.port() + "/ews/Exchange.asmx"));
            // The first token went out on HTTP/2; exgate refused the stream, and curl did the handshake again on HTTP/1.1.
            assertThat(c.trace()).as(c.all()).contains("ALPN: server accepted h2").contains("HTTP_1_1_REQUIRED");
            assertThat(c.codes()).as(c.all()).containsExactly("200 2");
            assertThat(c.answers().get(0).getString("user")).isEqualTo("neg2");
            assertThat(c.wwwAuthenticateOn200()).as(c.all()).containsExactlyElementsOf(backend.mutualTokensSent);
        }
    }

    @Test
    void withoutPinningTheBackendRefusesTheSecondLeg() throws Exception {
        try (Lab lab = new Lab(dir)) {
            NtlmBackend backend = new NtlmBackend("EX1");
            String url = backend.start(lab.vertx);
            // Positive control: straight to the backend, both legs on one connection, curl authenticates.
            Curl direct = curl("neg0", NtlmBackend.PASSWORDS.get("neg0"), List.of(url + "/ews/"));
            assertThat(direct.codes()).as(direct.all()).containsExactly("200 1");
            assertThat(direct.answers().get(0).getString("user")).isEqualTo("neg0");
            // A relay that opens a new backend connection per request, as a pool without pinning may.
            HttpClientAgent fresh = lab.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
            String relay = lab.backend(req -> req.body().onSuccess(body -> {
                RequestOptions o = new RequestOptions().setAbsoluteURI(url + req.uri()).setMethod(req.method());
                req.headers().forEach((k, v) -> {
                    if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Connection")) {
                        o.addHeader(k, v);
                    }
                });
                fresh.request(o).compose(out -> out.send(body)).compose(resp -> resp.body().map(b -> {
                    MultiMap h = MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()).remove("Connection");
                    req.response().setStatusCode(resp.statusCode()).headers().addAll(h);
                    return req.response().end(b);
                })).onFailure(e -> req.response().setStatusCode(502).end(Buffer.buffer(e.toString())));
            }));
            int before = backend.connectionsAccepted();
            Curl pooled = curl("neg0", NtlmBackend.PASSWORDS.get("neg0"), List.of(relay + "/ews/"));
            assertThat(backend.connectionsAccepted() - before).as("one backend connection per leg").isEqualTo(2);
            assertThat(pooled.codes()).as(pooled.all()).containsExactly("401 1");
            assertThat(pooled.out()).as(pooled.all()).contains("SPNEGO NegTokenResp on a connection that received no challenge");
            // A wrong password is refused even on one connection: the backend verifies, it does not just parse.
            Curl wrong = curl("neg1", "not-neg1s-password", List.of(url + "/ews/"));
            assertThat(wrong.codes()).as(wrong.all()).containsExactly("401 1");
            assertThat(wrong.headers()).as(wrong.all()).contains("X-Refusal: refused");
            assertThat(backend.mutualTokensSent).hasSize(1);
        }
    }
}
