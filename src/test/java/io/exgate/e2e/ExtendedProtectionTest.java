package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.tls.SelfSignedCertificate;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bridging with the same certificate keeps Extended Protection working; exgate says when a backend's differs. */
class ExtendedProtectionTest {
    @TempDir
    Path dir;

    private static String httpsBackend(Lab lab, Path cert, Path key) throws Exception {
        var server = lab.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString())))
                .requestHandler(r -> r.response().end("ok"));
        return "https://127.0.0.1:" + server.listen().await(10, TimeUnit.SECONDS).actualPort();
    }

    @Test
    void aBackendWithExgatesCertificateMatchesAndOneWithAnotherIsReported() throws Exception {
        try (Lab lab = new Lab(dir)) {
            String bridged = httpsBackend(lab, dir.resolve("certs/outlook.pem"), dir.resolve("certs/outlook.key"));
            SelfSignedCertificate.Written other = SelfSignedCertificate.write(dir.resolve("other"), "ex2", List.of("outlook.example.com"),
                    Duration.ofDays(2));
            String offloaded = httpsBackend(lab, other.cert(), other.key());
            Path config = lab.writeConfig("127.0.0.1:0", List.of(bridged, offloaded), "");
            Files.writeString(config, Files.readString(config).replace("    url: " + bridged + "\n", "    url: " + bridged
                    + "\n    tls: { verify: false }\n").replace("    url: " + offloaded + "\n", "    url: " + offloaded
                    + "\n    tls: { verify: false }\n").replace("  certificates:", "  names: [outlook.example.com]\n  certificates:"));

            ExgateProcess check = ExgateProcess.runToEnd("check-config", "--config", config.toString());
            assertThat(check.process.exitValue()).isZero();
            assertThat(check.text()).contains("backend ex1: presents exgate's certificate for outlook.example.com (bridging)")
                    .contains("WARNING: backend ex2: presents ").contains("but exgate presents");

            lab.startFromFile(config);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            String metrics = "";
            while (!metrics.contains("exgate_backend_certificate_match{backend=\"ex2\"}") && System.nanoTime() < deadline) {
                Thread.sleep(200);
                metrics = lab.fetchAdmin(HttpMethod.GET, "/metrics").text();
            }
            assertThat(metrics).contains("exgate_backend_certificate_match{backend=\"ex1\"} 1.0",
                    "exgate_backend_certificate_match{backend=\"ex2\"} 0.0");
        }
    }
}
