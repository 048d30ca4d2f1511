package io.exgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.tls.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every shipped sample configuration passes the same validation as {@code exgate check-config}. */
class SampleConfigTest {
    /** The commented line of the sample that turns the token on. */
    static final String COMMENTED_TOKEN_FILE = "  # token-file: admin-token";

    @TempDir
    Path dir;

    Path sampleCopy(String text) throws Exception {
        Path copy = Files.writeString(dir.resolve("exgate.yaml"), text, StandardCharsets.UTF_8);
        SelfSignedCertificate.Written site = SelfSignedCertificate.write(dir.resolve("certs"), "outlook",
                List.of("outlook.example.com", "autodiscover.example.com"), Duration.ofDays(1));
        Files.copy(site.cert(), dir.resolve("certs/corp-ca.pem"));
        return copy;
    }

    @Test
    void theSampleConfigurationIsValidOnceItsCertificatesExist() throws Exception {
        ExgateConfig config = ConfigLoader.load(sampleCopy(Files.readString(DeployFiles.SAMPLE_CONFIG, StandardCharsets.UTF_8)));
        assertThat(config.backends()).extracting(b -> b.backend().name()).containsExactly("ex1", "ex2");
        assertThat(config.listen().port()).isEqualTo(443);
        // The admin listener stays on loopback, where it needs no token.
        assertThat(config.admin()).isPresent();
        assertThat(config.admin().get().listen().host()).isEqualTo("127.0.0.1");
        assertThat(config.admin().get().token()).isEmpty();
    }

    @Test
    void theSamplesCommentedTokenFileWorksOnceUncommented() throws Exception {
        String sample = Files.readString(DeployFiles.SAMPLE_CONFIG, StandardCharsets.UTF_8);
        assertThat(sample).contains(COMMENTED_TOKEN_FILE + "\n");
        Path copy = sampleCopy(sample.replace(COMMENTED_TOKEN_FILE, COMMENTED_TOKEN_FILE.replace("# ", "")));
        // As `openssl rand -hex 32 > admin-token` writes it, newline included.
        String token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        Files.writeString(dir.resolve("admin-token"), token + "\n", StandardCharsets.UTF_8);
        ExgateConfig config = ConfigLoader.load(copy);
        assertThat(config.admin().orElseThrow().token()).contains(token);
        // The comment around it points to the scrape example that sends it, which exists.
        assertThat(sample).contains("deploy/monitoring/prometheus-scrape-hosts.yml");
        assertThat(DeployFiles.MONITORING.resolve("prometheus-scrape-hosts.yml")).isRegularFile();
    }

    @Test
    void everyShippedConfigurationWhoseAdminListenerLeavesLoopbackRequiresAToken() throws Exception {
        int outside = 0;
        for (Path config : List.of(DeployFiles.SAMPLE_CONFIG, DeployFiles.LAB_CONFIG, DeployFiles.K8S_CONFIG)) {
            Map<String, Object> admin = DeployFiles.mapAt(DeployFiles.yaml(config), "admin");
            if (!DeployFiles.isLoopback(String.valueOf(admin.get("listen")))) {
                outside++;
                // From a file (a mounted secret), never inline in a shipped file.
                assertThat(admin).as("%s: admin.listen %s is not loopback", config, admin.get("listen"))
                        .containsKey("token-file").doesNotContainKey("token");
            }
        }
        // The container's and the pod's: probes and Prometheus come from outside.
        assertThat(outside).isEqualTo(2);
    }
}
