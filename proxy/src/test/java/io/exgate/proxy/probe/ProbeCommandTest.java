package io.exgate.proxy.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.probe.ExchangeLikeServer.Behaviour;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeCommandTest {
    private static final String HOST = "outlook.example.com";
    private static Vertx vertx;

    @TempDir
    Path dir;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private ExchangeLikeServer server(String certName, List<String> names, Duration validity) throws Exception {
        return ExchangeLikeServer.tls(vertx, dir, certName, names, validity);
    }

    private ProbeRun probe(ExchangeLikeServer server, String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "https://" + HOST + ":" + server.port();
        args[1] = "--resolve";
        args[2] = HOST + ":127.0.0.1";
        System.arraycopy(options, 0, args, 3, options.length);
        return ProbeRun.of(args);
    }

    @Test
    void reportsEveryStepOfAHealthyFrontDoorAndExitsZero() throws Exception {
        try (ExchangeLikeServer server = server("front", List.of(HOST, "autodiscover.example.com"), Duration.ofDays(200))) {
            ProbeRun r = probe(server, "--ca", dir.resolve("front.pem").toString());

            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).startsWith("exgate probe https://" + HOST + ":" + server.port() + " at ");
            assertThat(r.line("dns")).contains(HOST + " -> 127.0.0.1 (from --resolve, DNS not asked)").endsWith(" ms");
            assertThat(r.line("tcp")).contains("connected to 127.0.0.1:" + server.port()).endsWith(" ms");
            assertThat(r.line("tls")).containsPattern("TLSv1\\.[23] TLS_\\w+ +\\d+ ms");
            assertThat(r.line("#")).contains("SUBJECT", "ISSUER", "NOT AFTER", "DAYS LEFT");
            assertThat(r.line("0  ")).contains("CN=" + HOST + "  CN=" + HOST).containsPattern("\\d{4}-\\d\\d-\\d\\dT[0-9:]+Z  199$");
            assertThat(r.line("name")).contains(HOST + " covered (certificate names: " + HOST + ", autodiscover.example.com)");
            assertThat(r.line("expiry")).contains("in 199 days (");
            assertThat(r.line("verification")).contains("trusted by CA file " + dir.resolve("front.pem"));
            assertThat(r.line("OCSP staple")).endsWith("none");
            assertThat(r.line("HEALTHCHECK")).contains("STATUS", "LATENCY", "HEALTH", "SERVER", "FIRST BYTES / ERROR", "HEADERS");
            for (String vdir : List.of("mapi", "rpc", "owa", "ews", "autodiscover", "Microsoft-Server-ActiveSync", "oab", "ecp", "powershell")) {
                assertThat(r.line("GET /" + vdir + "/healthcheck.htm")).containsPattern(
                        " 200 +\\d+ ms +healthy +EX1\\.lab\\.local +200 OK<br/>EX1\\.lab\\.local +X-FEServer=FE1 X-BEServer=EX1\\.lab\\.local$");
            }
            assertThat(r.line("MAPI POST /mapi/emsmdb/")).containsPattern(" 401 +\\d+ ms +Negotiate, NTLM$");
            assertThat(r.line("RPC RPC_IN_DATA /rpc/rpcproxy.dll")).containsPattern(" 401 +\\d+ ms +Negotiate, NTLM$");
            assertThat(r.line("RESULT")).isEqualTo("RESULT  OK (exit 0)");

            // On the wire: the name as SNI and Host, the protocols' own headers, never a credential.
            assertThat(server.seen).hasSize(11).allSatisfy(s -> {
                assertThat(s.sni()).isEqualTo(HOST);
                assertThat(s.headers()).containsEntry("Host", HOST + ":" + server.port()).doesNotContainKeys("Authorization", "Cookie");
                assertThat(s.headers().get("User-Agent")).startsWith("exgate-probe/");
            });
            ExchangeLikeServer.Seen mapi = server.seen.stream().filter(s -> s.method().equals("POST")).findFirst().orElseThrow();
            assertThat(mapi.path()).isEqualTo("/mapi/emsmdb/");
            assertThat(mapi.headers()).containsEntry("Content-Type", "application/mapi-http").containsEntry("X-RequestType", "Connect")
                    .containsEntry("Content-Length", "0").containsKeys("X-RequestId", "X-ClientInfo");
            ExchangeLikeServer.Seen rpc = server.seen.stream().filter(s -> s.method().equals("RPC_IN_DATA")).findFirst().orElseThrow();
            assertThat(rpc.path()).isEqualTo("/rpc/rpcproxy.dll");
            assertThat(rpc.headers()).containsEntry("Content-Length", "0");
        }
    }

    @Test
    void jsonOutputIsOneObjectWithEveryField() throws Exception {
        try (ExchangeLikeServer server = server("front", List.of("*.example.com"), Duration.ofDays(90))) {
            ProbeRun r = probe(server, "--ca", dir.resolve("front.pem").toString(), "--json", "--vdirs", "mapi,owa,rpc");

            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out().strip().lines()).hasSize(1);
            JsonObject json = new JsonObject(r.out());
            assertThat(json.getString("target")).isEqualTo("https://" + HOST + ":" + server.port());
            assertThat(json.getString("host")).isEqualTo(HOST);
            assertThat(json.getInteger("port")).isEqualTo(server.port());
            assertThat(json.getString("checkedAt")).endsWith("Z");
            assertThat(json.getString("result")).isEqualTo("OK");
            assertThat(json.getInteger("exitCode")).isZero();
            assertThat(json.getJsonArray("findings")).isEmpty();
            assertThat(json.getValue("skipped")).isNull();

            JsonObject dns = json.getJsonObject("dns");
            assertThat(dns.getString("source")).isEqualTo("resolve");
            assertThat(dns.getJsonArray("addresses")).containsExactly("127.0.0.1");
            assertThat(dns.getValue("error")).isNull();
            JsonObject tcp = json.getJsonObject("tcp");
            assertThat(tcp.getString("address")).isEqualTo("127.0.0.1:" + server.port());
            assertThat(tcp.getLong("millis")).isNotNegative();

            JsonObject tls = json.getJsonObject("tls");
            assertThat(tls.getString("protocol")).matches("TLSv1\\.[23]");
            assertThat(tls.getString("cipher")).startsWith("TLS_");
            assertThat(tls.getBoolean("nameCovered")).isTrue(); // *.example.com covers one label
            assertThat(tls.getLong("daysToExpiry")).isEqualTo(89);
            assertThat(tls.getString("ocspStapling")).isEqualTo("none");
            assertThat(tls.getString("verification")).isEqualTo("trusted");
            assertThat(tls.getValue("error")).isNull();
            JsonObject leaf = tls.getJsonArray("chain").getJsonObject(0);
            assertThat(leaf.getString("subject")).isEqualTo("CN=*.example.com");
            assertThat(leaf.getString("issuer")).isEqualTo("CN=*.example.com");
            assertThat(leaf.getString("notAfter")).endsWith("Z");
            assertThat(leaf.getJsonArray("names")).containsExactly("*.example.com");
            assertThat(leaf.getString("sha256")).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}|sha256:.*");

            JsonArray vdirs = json.getJsonArray("vdirs");
            assertThat(vdirs.stream().map(v -> ((JsonObject) v).getString("vdir")).toList()).containsExactly("mapi", "owa", "rpc");
            JsonObject owa = vdirs.getJsonObject(1);
            assertThat(owa.getString("path")).isEqualTo("/owa/healthcheck.htm");
            assertThat(owa.getInteger("status")).isEqualTo(200);
            assertThat(owa.getBoolean("healthy")).isTrue();
            assertThat(owa.getString("bodyStart")).isEqualTo("200 OK<br/>EX1.lab.local");
            assertThat(owa.getString("serverName")).isEqualTo("EX1.lab.local");
            assertThat(owa.getJsonObject("headers").getMap()).containsEntry("X-FEServer", "FE1").containsEntry("X-BEServer", "EX1.lab.local");
            assertThat(owa.getLong("millis")).isNotNegative();

            JsonArray auth = json.getJsonArray("auth");
            assertThat(auth).hasSize(2);
            assertThat(auth.getJsonObject(0).getString("protocol")).isEqualTo("MAPI");
            assertThat(auth.getJsonObject(0).getString("method")).isEqualTo("POST");
            assertThat(auth.getJsonObject(0).getInteger("status")).isEqualTo(401);
            assertThat(auth.getJsonObject(0).getJsonArray("schemes")).containsExactly("Negotiate", "NTLM");
            assertThat(auth.getJsonObject(1).getString("method")).isEqualTo("RPC_IN_DATA");
            assertThat(auth.getJsonObject(1).getJsonArray("schemes")).containsExactly("Negotiate", "NTLM");
        }
    }

    @Test
    void aNameTheCertificateDoesNotCoverIsCriticalAndNoRequestIsSent() throws Exception {
        try (ExchangeLikeServer server = server("other", List.of("mail.example.net"), Duration.ofDays(200))) {
            ProbeRun r = probe(server, "--ca", dir.resolve("other.pem").toString());

            assertThat(r.code()).as(r.out()).isEqualTo(2);
            assertThat(r.line("name")).contains(HOST + " NOT COVERED (certificate names: mail.example.net)");
            assertThat(r.out()).contains("HTTP checks skipped: the certificate is not trusted for " + HOST,
                    "CRITICAL  TLS: the certificate does not cover " + HOST + " (it names mail.example.net)");
            assertThat(server.seen).isEmpty();

            // --insecure goes on talking, and the name is still critical.
            ProbeRun insecure = probe(server, "--insecure", "--vdirs", "owa");
            assertThat(insecure.code()).isEqualTo(2);
            assertThat(insecure.line("GET /owa/healthcheck.htm")).contains("healthy");
            assertThat(insecure.line("verification")).contains("not verified (--insecure)");
            assertThat(insecure.out()).contains("CRITICAL  TLS: the certificate does not cover " + HOST);
        }
    }

    @Test
    void aWildcardCoversOneLabelOnly() throws Exception {
        try (ExchangeLikeServer server = server("wild", List.of("*.com"), Duration.ofDays(200))) {
            ProbeRun r = probe(server, "--insecure", "--vdirs", "owa");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.line("name")).contains("NOT COVERED (certificate names: *.com)");
        }
    }

    @Test
    void aCertificateExpiringWithinThirtyDaysIsAWarning() throws Exception {
        try (ExchangeLikeServer server = server("soon", List.of(HOST), Duration.ofDays(10))) {
            ProbeRun r = probe(server, "--ca", dir.resolve("soon.pem").toString());

            assertThat(r.code()).as(r.out()).isEqualTo(1);
            assertThat(r.line("expiry")).contains("in 9 days (");
            assertThat(r.line("RESULT")).isEqualTo("RESULT  WARNING (exit 1)");
            assertThat(r.out()).contains("WARNING  TLS: certificate #0 (CN=" + HOST + ") expires in 9 days (");
            assertThat(r.line("OCSP staple")).endsWith("none"); // and no finding for it
            assertThat(r.out().lines().filter(l -> l.startsWith("  WARNING") || l.startsWith("  CRITICAL"))).hasSize(1);
        }
    }

    @Test
    void anExpiredCertificateIsCritical() throws Exception {
        try (ExchangeLikeServer server = server("old", List.of(HOST), Duration.ofMinutes(-5))) {
            ProbeRun insecure = probe(server, "--insecure", "--vdirs", "owa");
            assertThat(insecure.code()).isEqualTo(2);
            assertThat(insecure.line("expiry")).contains("EXPIRED on ");
            assertThat(insecure.out()).contains("CRITICAL  TLS: certificate #0 (CN=" + HOST + ") expired on ");

            // The JDK does not check the validity of a trust anchor itself; the probe's own expiry check does.
            ProbeRun verified = probe(server, "--ca", dir.resolve("old.pem").toString(), "--vdirs", "owa");
            assertThat(verified.code()).isEqualTo(2);
            assertThat(verified.out()).contains("CRITICAL  TLS: certificate #0 (CN=" + HOST + ") expired on ");
        }
    }

    @Test
    void verificationAgainstTheJdkTrustStoreFailsForASelfSignedCertificateUnlessInsecure() throws Exception {
        try (ExchangeLikeServer server = server("front", List.of(HOST), Duration.ofDays(200))) {
            ProbeRun verified = probe(server);
            assertThat(verified.code()).isEqualTo(2);
            assertThat(verified.line("verification")).contains("FAILED: PKIX path building failed: unable to find valid certification path");
            assertThat(verified.out()).contains("CRITICAL  TLS: certificate not trusted: PKIX path building failed",
                    "HTTP checks skipped").doesNotContain("HEALTHCHECK");
            // The chain is reported all the same.
            assertThat(verified.line("0  ")).contains("CN=" + HOST);
            assertThat(server.seen).isEmpty();

            ProbeRun insecure = probe(server, "-k");
            assertThat(insecure.code()).as(insecure.out()).isZero();
            assertThat(insecure.line("verification")).isEqualTo("verification  not verified (--insecure)");
            assertThat(insecure.line("0  ")).contains("CN=" + HOST);
            assertThat(insecure.line("GET /mapi/healthcheck.htm")).contains("healthy");
        }
    }

    @Test
    void aFailingVirtualDirectoryIsCriticalWhateverTheWayItFails() throws Exception {
        try (ExchangeLikeServer server = server("front", List.of(HOST), Duration.ofDays(200))) {
            server.behave("owa", Behaviour.UNAVAILABLE).behave("ecp", Behaviour.CLOSE).behave("oab", Behaviour.OTHER_PAGE);
            ProbeRun r = probe(server, "--ca", dir.resolve("front.pem").toString());

            assertThat(r.code()).as(r.out()).isEqualTo(2);
            assertThat(r.line("GET /owa/healthcheck.htm")).containsPattern(" 503 +\\d+ ms +DOWN +- +Service Unavailable +-$");
            assertThat(r.line("GET /ecp/healthcheck.htm")).containsPattern(" - +\\d+ ms +DOWN +- +connection closed without an answer +-$");
            assertThat(r.line("GET /oab/healthcheck.htm")).containsPattern(" 200 +\\d+ ms +DOWN +- +<!DOCTYPE html>");
            assertThat(r.line("GET /mapi/healthcheck.htm")).contains("healthy");
            assertThat(r.line("RESULT")).isEqualTo("RESULT  CRITICAL (exit 2)");
            assertThat(r.out()).contains("CRITICAL  /owa/healthcheck.htm: answered 503 Service Unavailable",
                    "CRITICAL  /ecp/healthcheck.htm: connection closed without an answer",
                    "CRITICAL  /oab/healthcheck.htm: body does not start with '200 OK': '<!DOCTYPE html>");

            ProbeRun json = probe(server, "--ca", dir.resolve("front.pem").toString(), "--json", "--vdirs", "ecp");
            JsonObject ecp = new JsonObject(json.out()).getJsonArray("vdirs").getJsonObject(0);
            assertThat(ecp.getValue("status")).isNull();
            assertThat(ecp.getBoolean("healthy")).isFalse();
            assertThat(ecp.getString("error")).startsWith("connection ");
            assertThat(new JsonObject(json.out()).getString("result")).isEqualTo("CRITICAL");
        }
    }

    @Test
    void aResetIsHowExchangeSaysAProtocolIsDown() throws Exception {
        try (ResettingServer server = new ResettingServer(dir, HOST)) {
            ProbeRun r = ProbeRun.of("https://" + HOST + ":" + server.port(), "--resolve", HOST + ":127.0.0.1",
                    "--ca", dir.resolve("reset.pem").toString(), "--vdirs", "owa");
            assertThat(r.code()).as(r.out()).isEqualTo(2);
            assertThat(r.line("GET /owa/healthcheck.htm")).containsPattern(" - +\\d+ ms +DOWN +- +connection reset +-$");
            assertThat(r.out()).contains("CRITICAL  /owa/healthcheck.htm: connection reset");
        }
    }

    @Test
    void aStapledOcspResponseIsReported() throws Exception {
        try (StaplingFrontDoor server = new StaplingFrontDoor(dir, HOST)) {
            ProbeRun r = ProbeRun.of("https://" + HOST + ":" + server.port(), "--resolve", HOST + ":127.0.0.1",
                    "--ca", server.caFile().toString(), "--vdirs", "owa");
            assertThat(r.code()).as(r.out()).isZero();
            assertThat(server.ocspRequests.get()).isPositive();
            assertThat(r.line("OCSP staple")).containsPattern("stapled \\(\\d+ bytes\\)$");
            assertThat(r.line("0  ")).containsPattern("CN=" + HOST + " +CN=exgate probe test CA +\\S+Z +89$");
            assertThat(r.line("1  ")).containsPattern("CN=exgate probe test CA +CN=exgate probe test CA +\\S+Z +364$");
            assertThat(r.line("verification")).contains("trusted by CA file");
        }
    }

    @Test
    void tlsFailureAgainstAPlainHttpServerIsCritical() throws Exception {
        try (ExchangeLikeServer plain = ExchangeLikeServer.plain(vertx)) {
            ProbeRun r = probe(plain);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.line("tls")).contains("FAILED: ");
            assertThat(r.out()).contains("CRITICAL  TLS: handshake failed: ").doesNotContain("HEALTHCHECK");
        }
    }

    @Test
    void aSilentServerTimesOutWithinTheStepTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            ProbeRun r = ProbeRun.of("https://" + HOST + ":" + silent.getLocalPort(), "--resolve", HOST + ":127.0.0.1",
                    "--timeout", "300ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.line("tcp")).contains("connected to 127.0.0.1:" + silent.getLocalPort());
            assertThat(r.line("tls")).contains("FAILED: no answer within 300ms");
        }
    }

    @Test
    void aClosedPortAndAnUnknownNameAreCritical() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        ProbeRun refused = ProbeRun.of("https://" + HOST + ":" + closed, "--resolve", HOST + ":" + closed + ":127.0.0.1");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.line("tcp")).contains("FAILED: 127.0.0.1:" + closed + ": connection refused");
        assertThat(refused.out()).contains("CRITICAL  TCP: cannot connect: ");

        ProbeRun unknown = ProbeRun.of("https://no-such-host.invalid", "--timeout", "2s", "--json");
        assertThat(unknown.code()).isEqualTo(2);
        JsonObject json = new JsonObject(unknown.out());
        assertThat(json.getJsonObject("dns").getString("source")).isEqualTo("dns");
        assertThat(json.getJsonObject("dns").getString("error")).isNotBlank();
        assertThat(json.getValue("tcp")).isNull();
        assertThat(json.getValue("tls")).isNull();
        assertThat(json.getJsonArray("findings").getJsonObject(0).getString("message")).startsWith("DNS: cannot resolve no-such-host.invalid: ");
    }

    @Test
    void usageErrorsExitTwoWithAMessageAndNothingOnStandardOutput() {
        for (String[] args : List.of(
                new String[] {"http://outlook.example.com"},
                new String[] {"https://outlook.example.com", "--vdirs", "mapi,imap"},
                new String[] {"https://outlook.example.com", "--timeout", "5"},
                new String[] {"https://outlook.example.com", "--insecure", "--ca", "ca.pem"},
                new String[] {"https://outlook.example.com", "--resolve", "mail.example.com:127.0.0.1"},
                new String[] {"https://outlook.example.com", "--resolve", "outlook.example.com:not-an-ip"},
                new String[] {"https://outlook.example.com", "--ca", dir.resolve("missing.pem").toString()},
                new String[] {})) {
            ProbeRun r = ProbeRun.of(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.out()).as(String.join(" ", args)).isEmpty();
            assertThat(r.err()).as(String.join(" ", args)).contains("Usage: exgate probe");
        }
        assertThat(ProbeRun.of("http://x").err()).contains("only https:// front doors can be probed");
        assertThat(ProbeRun.of("https://x", "--vdirs", "imap").err()).contains("'imap' is not a virtual directory");
        assertThat(ProbeRun.of("https://x", "--ca", dir.resolve("missing.pem").toString()).err()).contains("missing.pem: no such file");
        assertThat(ProbeRun.of("https://x", "--resolve", "y:127.0.0.1").err()).contains("--resolve names y but the URL names x");
    }

    @Test
    void helpDescribesTheCommandAndExgateListsIt() {
        assertThat(ProbeRun.exgate("--help").out()).containsPattern("(?m)^ +probe +Check a mail front door from the outside, as an admin would\\.$");
        ProbeRun help = ProbeRun.of("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: exgate probe", "--vdirs", "--resolve", "--ca", "--insecure", "--json", "--timeout",
                "Exit codes: 0 all good");
    }
}
