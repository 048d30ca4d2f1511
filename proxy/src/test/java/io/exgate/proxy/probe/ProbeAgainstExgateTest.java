package io.exgate.proxy.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.tls.SelfSignedCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe against exgate itself, started in-process from a configuration file, in front of a plain-HTTP mailbox server. */
class ProbeAgainstExgateTest {
    private static final String HOST = "outlook.example.com";

    @TempDir
    Path dir;

    @Test
    void exgateAnswersHealthchecksItselfAndRelaysTheBackendsChallenges() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (ExchangeLikeServer backend = ExchangeLikeServer.plain(vertx)) {
            SelfSignedCertificate.write(dir, "front", List.of(HOST, "autodiscover.example.com"), Duration.ofDays(120));
            Path config = Files.writeString(dir.resolve("exgate.yaml"), """
                    listen: 127.0.0.1:0
                    tls:
                      certificates:
                        - cert: front.pem
                          key: front.key
                    backends:
                      - name: ex1
                        url: http://127.0.0.1:%d
                    health:
                      interval: 1h
                    """.formatted(backend.port()));
            Exgate exgate = Exgate.start(ConfigLoader.load(config)).await(20, TimeUnit.SECONDS);
            try {
                String url = "https://" + HOST + ":" + exgate.port();
                String[] common = {url, "--resolve", HOST + ":127.0.0.1", "--ca", dir.resolve("front.pem").toString()};
                ProbeRun r = ProbeRun.of(common);

                assertThat(r.code()).as(r.out() + r.err()).isZero();
                assertThat(r.line("tcp")).contains("connected to 127.0.0.1:" + exgate.port());
                assertThat(r.line("tls")).containsPattern("TLSv1\\.[23] TLS_");
                assertThat(r.line("name")).contains(HOST + " covered");
                assertThat(r.line("expiry")).contains("in 119 days");
                assertThat(r.line("OCSP staple")).endsWith("none");
                // healthcheck.htm is exgate's own answer, naming exgate's host, never forwarded.
                String exgateHost = InetAddress.getLocalHost().getHostName();
                for (String vdir : List.of("mapi", "rpc", "owa", "ews", "autodiscover", "Microsoft-Server-ActiveSync", "oab", "ecp", "powershell")) {
                    assertThat(r.line("GET /" + vdir + "/healthcheck.htm")).contains(" 200 ", " healthy ", "200 OK<br/>" + exgateHost);
                }
                assertThat(backend.seen).noneMatch(s -> s.path().endsWith("healthcheck.htm"));
                // MAPI and RPC without credentials travel to the backend, whose two challenge lines come back apart.
                assertThat(r.line("MAPI POST /mapi/emsmdb/")).containsPattern(" 401 +\\d+ ms +Negotiate, NTLM$");
                assertThat(r.line("RPC RPC_IN_DATA /rpc/rpcproxy.dll")).containsPattern(" 401 +\\d+ ms +Negotiate, NTLM$");
                assertThat(backend.seen).extracting(ExchangeLikeServer.Seen::method).containsExactlyInAnyOrder("POST", "RPC_IN_DATA");
                assertThat(backend.seen).allSatisfy(s -> assertThat(s.headers()).doesNotContainKey("Authorization")
                        .containsEntry("Host", HOST + ":" + exgate.port()));
                assertThat(r.line("RESULT")).isEqualTo("RESULT  OK (exit 0)");

                // With the backend gone, exgate's own answers stay 200 (backends start up and probes are an hour
                // apart) but MAPI and RPC now get exgate's 502, which is critical.
                backend.close();
                ProbeRun down = ProbeRun.of(url, "--resolve", HOST + ":127.0.0.1", "--ca", dir.resolve("front.pem").toString(),
                        "--json", "--vdirs", "mapi,rpc");
                JsonObject json = new JsonObject(down.out());
                assertThat(down.code()).as(down.out()).isEqualTo(2);
                assertThat(json.getJsonArray("auth").getJsonObject(0).getInteger("status")).isEqualTo(502);
                assertThat(json.getJsonArray("findings").getJsonObject(0).getString("message"))
                        .startsWith("MAPI (POST /mapi/emsmdb/ without credentials): answered 502");
            } finally {
                exgate.stop().await(20, TimeUnit.SECONDS);
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
