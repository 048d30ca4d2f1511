package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.exgate.tls.BackendTls;
import io.exgate.tls.PemCertificate;
import io.exgate.tls.SelfSignedCertificate;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates as administrators have them: several names, SNI, PFX, live renewal, HTTP/2, backend pinning. */
class TlsCertificatesTest {
    @TempDir
    Path dir;

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** The subject CN of the certificate a new handshake sees, as openssl prints it. */
    private static String subjectSeen(int port, String serverName) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        if (serverName == null) {
            cmd.add("-noservername");
        } else {
            cmd.addAll(List.of("-servername", serverName));
        }
        String out = run(cmd.toArray(String[]::new));
        for (String line : out.split("\n")) {
            if (line.startsWith("subject=")) {
                return line.substring(line.indexOf("CN") + 5).trim();
            }
        }
        throw new AssertionError("no certificate in:\n" + out);
    }

    private String simulator(Lab lab) throws Exception {
        return lab.simulator(new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike()));
    }

    private Path config(String tls, String backendUrl, String extra) throws Exception {
        return Files.writeString(dir.resolve("exgate.yaml"), "listen: 127.0.0.1:0\n" + tls
                + "admin:\n  listen: 127.0.0.1:0\nbackends:\n  - name: ex1\n    url: " + backendUrl + "\n" + extra);
    }

    @Test
    void sniPicksTheCertificateForEachNameAndAWildcardAndNoSniGetsTheFirst() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SelfSignedCertificate.write(dir.resolve("c"), "a", List.of("autodiscover.example.com"), Duration.ofDays(2));
            SelfSignedCertificate.write(dir.resolve("c"), "m", List.of("mail.example.com"), Duration.ofDays(2));
            SelfSignedCertificate.write(dir.resolve("c"), "w", List.of("*.wild.example.com"), Duration.ofDays(2));
            lab.startFromFile(config("""
                    tls:
                      certificates:
                        - { cert: certs/outlook.pem, key: certs/outlook.key }
                        - { cert: c/a.pem, key: c/a.key }
                        - { cert: c/m.pem, key: c/m.key }
                        - { cert: c/w.pem, key: c/w.key }
                    """, simulator(lab), ""));
            assertThat(subjectSeen(lab.port(), "autodiscover.example.com")).isEqualTo("autodiscover.example.com");
            assertThat(subjectSeen(lab.port(), "mail.example.com")).isEqualTo("mail.example.com");
            assertThat(subjectSeen(lab.port(), "outlook.example.com")).isEqualTo("localhost");
            assertThat(subjectSeen(lab.port(), "owa.wild.example.com")).isEqualTo("*.wild.example.com");
            assertThat(subjectSeen(lab.port(), null)).isEqualTo("localhost");
        }
    }

    @Test
    void aPfxWithItsPasswordInAFileLoads() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SelfSignedCertificate.Written w = SelfSignedCertificate.write(dir.resolve("p"), "pfx", List.of("pfx.example.com"), Duration.ofDays(2));
            String out = run("openssl", "pkcs12", "-export", "-in", w.cert().toString(), "-inkey", w.key().toString(),
                    "-out", dir.resolve("p/outlook.pfx").toString(), "-passout", "pass:Pfx-Secret-1");
            assertThat(Files.exists(dir.resolve("p/outlook.pfx"))).as(out).isTrue();
            Files.writeString(dir.resolve("p/password.txt"), "Pfx-Secret-1\n");
            lab.startFromFile(config("""
                    tls:
                      certificates:
                        - { pfx: p/outlook.pfx, password-file: p/password.txt }
                    """, simulator(lab), ""));
            assertThat(subjectSeen(lab.port(), "pfx.example.com")).isEqualTo("pfx.example.com");
            assertThat(lab.fetch(HttpMethod.GET, "/owa/healthcheck.htm").status()).isEqualTo(200);
        }
    }

    @Test
    void replacedCertificateFilesServeNewHandshakesWhileOpenConnectionsGoOn() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startFromFile(config("tls:\n  certificates:\n    - { cert: certs/outlook.pem, key: certs/outlook.key }\n",
                    simulator(lab), ""));
            HttpClientAgent agent = lab.keep(lab.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)));
            HttpClientConnection before = agent.connect(new HttpConnectOptions().setHost("localhost").setPort(lab.port()).setSsl(true))
                    .await(10, TimeUnit.SECONDS);
            assertThat(subjectSeen(lab.port(), "outlook.example.com")).isEqualTo("localhost");

            SelfSignedCertificate.Written renewed = SelfSignedCertificate.write(dir.resolve("new"), "outlook",
                    List.of("renewed.example.com"), Duration.ofDays(90));
            Files.copy(renewed.key(), dir.resolve("certs/outlook.key"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.cert(), dir.resolve("certs/outlook.pem"), StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String seen = "localhost";
            while (!seen.equals("renewed.example.com") && System.nanoTime() < deadline) {
                Thread.sleep(300);
                seen = subjectSeen(lab.port(), "outlook.example.com");
            }
            assertThat(seen).isEqualTo("renewed.example.com");
            int status = before.request(HttpMethod.GET, "/owa/healthcheck.htm").compose(r -> r.send().map(resp -> resp.statusCode()))
                    .await(10, TimeUnit.SECONDS);
            assertThat(status).as("the connection opened before the renewal still works").isEqualTo(200);
        }
    }

    @Test
    void aCorruptReplacementIsRefusedAndTheOldCertificateKeepsServing() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startFromFile(config("tls:\n  certificates:\n    - { cert: certs/outlook.pem, key: certs/outlook.key }\n",
                    simulator(lab), ""));
            Files.writeString(dir.resolve("certs/outlook.pem"), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
            Lab.Fetched reload = lab.fetchAdmin(HttpMethod.POST, "/api/tls/reload");
            assertThat(reload.status()).isEqualTo(422);
            assertThat(reload.text()).contains("\"reloaded\":false", "outlook.pem");
            Thread.sleep(5_000);
            assertThat(subjectSeen(lab.port(), "outlook.example.com")).isEqualTo("localhost");
            assertThat(lab.fetch(HttpMethod.GET, "/owa/healthcheck.htm").status()).isEqualTo(200);
        }
    }

    @Test
    void curlNegotiatesHttp2AndHttp11RemainsAvailable() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(List.of(simulator(lab)));
            String url = "https://localhost:" + lab.port() + "/owa/healthcheck.htm";
            assertThat(run("curl", "-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", url)).isEqualTo("2 200");
            assertThat(run("curl", "-sk", "--http1.1", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", url)).isEqualTo("1.1 200");
            // A POST with a body over HTTP/2 reaches the backend as HTTP/1.1 with its Host.
            String echo = run("curl", "-sk", "--http2", "--data-binary", "hello", "https://localhost:" + lab.port() + "/ews/echo");
            assertThat(echo).contains("\"bodyBytes\" : 5", "\"Host\" : \"localhost:" + lab.port() + "\"");
        }
    }

    @Test
    void ntlmOverHttp2IsAnsweredHttp11RequiredAndCurlRetriesOverHttp11() throws Exception {
        try (Lab lab = new Lab(dir)) {
            NtlmBackend.PASSWORDS.put("dave", "dave-password");
            lab.startExgate(List.of(new NtlmBackend("EX1").start(lab.vertx)));
            String out = run("curl", "-sk", "--http2", "--ntlm", "-u", "dave:dave-password", "-w", "\n%{http_version} %{http_code}",
                    "https://localhost:" + lab.port() + "/ews/");
            assertThat(out).contains("\"user\":\"dave\"").endsWith("1.1 200");
        }
    }

    @Test
    void aPinnedBackendFingerprintAcceptsThatBackendAndRefusesAnother() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SelfSignedCertificate.Written right = SelfSignedCertificate.write(dir.resolve("b"), "right", List.of("ex1.lab"), Duration.ofDays(2));
            SelfSignedCertificate.Written other = SelfSignedCertificate.write(dir.resolve("b"), "other", List.of("ex1.lab"), Duration.ofDays(2));
            String fingerprint = BackendTls.fingerprint(PemCertificate.load(right.cert(), right.key()).leaf());
            String good = httpsBackend(lab, right);
            String bad = httpsBackend(lab, other);
            lab.startFromFile(config("tls:\n  certificates:\n    - { cert: certs/outlook.pem, key: certs/outlook.key }\n", good,
                    "    tls: { fingerprint: \"sha256:" + fingerprint + "\" }\n"));
            assertThat(lab.fetch(HttpMethod.GET, "/owa/").text()).isEqualTo("over tls");
            lab.close();
        }
        try (Lab lab = new Lab(dir)) {
            SelfSignedCertificate.Written right = SelfSignedCertificate.write(dir.resolve("b2"), "right", List.of("ex1.lab"), Duration.ofDays(2));
            SelfSignedCertificate.Written other = SelfSignedCertificate.write(dir.resolve("b2"), "other", List.of("ex1.lab"), Duration.ofDays(2));
            String fingerprint = BackendTls.fingerprint(PemCertificate.load(right.cert(), right.key()).leaf());
            lab.startFromFile(config("tls:\n  certificates:\n    - { cert: certs/outlook.pem, key: certs/outlook.key }\n",
                    httpsBackend(lab, other), "    tls: { fingerprint: \"" + fingerprint + "\" }\n"));
            assertThat(lab.fetch(HttpMethod.GET, "/owa/").status()).isEqualTo(502);
        }
    }

    private static String httpsBackend(Lab lab, SelfSignedCertificate.Written cert) throws Exception {
        var server = lab.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.cert().toString()).setKeyPath(cert.key().toString())))
                .requestHandler(r -> r.response().end("over tls"));
        return "https://127.0.0.1:" + server.listen().await(10, TimeUnit.SECONDS).actualPort();
    }
}
