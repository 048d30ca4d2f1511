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

/** https backends: verified against a given CA, or, for labs, not verified at all. */
class BackendTlsTest {
    @TempDir
    Path dir;

    private String httpsBackend(Lab lab, SelfSignedCertificate.Written cert) throws Exception {
        var server = lab.vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.cert().toString()).setKeyPath(cert.key().toString())))
                .requestHandler(r -> r.response().putHeader("X-BEServer", "EX-TLS").end("over tls"));
        return "https://localhost:" + server.listen().await(10, TimeUnit.SECONDS).actualPort();
    }

    /** exgate with one https backend whose {@code tls:} setting is given. */
    private static void startWithBackendTls(Lab lab, String url, String tls) throws Exception {
        Path config = lab.writeConfig("127.0.0.1:0", List.of(url), "");
        Files.writeString(config, Files.readString(config).replace("    url: " + url + "\n", "    url: " + url + "\n    tls: " + tls + "\n"));
        lab.startFromFile(config);
    }

    @Test
    void anHttpsBackendWhoseCertificateIsNotTrustedGets502() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SelfSignedCertificate.Written cert = SelfSignedCertificate.write(dir.resolve("backend"), "ex1",
                    List.of("localhost"), Duration.ofDays(1));
            lab.startExgate(List.of(httpsBackend(lab, cert)), "");
            // The system trust store does not know a lab's self-signed certificate: verification is on by default.
            Lab.Fetched r = lab.fetch(HttpMethod.GET, "/owa/");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).startsWith("502 Bad Gateway");
        }
    }

    @Test
    void anHttpsBackendIsReachedWhenItsCaIsTrusted() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SelfSignedCertificate.Written cert = SelfSignedCertificate.write(dir.resolve("backend2"), "ex1",
                    List.of("localhost"), Duration.ofDays(1));
            startWithBackendTls(lab, httpsBackend(lab, cert), "{ ca: backend2/ex1.pem }");
            Lab.Fetched r = lab.fetch(HttpMethod.GET, "/owa/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("over tls");
        }
    }

    @Test
    void verifyFalseReachesALabBackendWithASelfSignedCertificate() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SelfSignedCertificate.Written cert = SelfSignedCertificate.write(dir.resolve("backend"), "ex1",
                    List.of("some-other-name.lab"), Duration.ofDays(1));
            startWithBackendTls(lab, httpsBackend(lab, cert), "{ verify: false }");
            Lab.Fetched r = lab.fetch(HttpMethod.GET, "/ews/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-BEServer")).isEqualTo("EX-TLS");
        }
    }
}
