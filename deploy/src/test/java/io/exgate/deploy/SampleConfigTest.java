package io.exgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.tls.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every shipped sample configuration passes the same validation as {@code exgate check-config}. */
class SampleConfigTest {
    @TempDir
    Path dir;

    @Test
    void theSampleConfigurationIsValidOnceItsCertificatesExist() throws Exception {
        Path sample = Path.of("config", "exgate.yaml");
        Path copy = Files.copy(sample, dir.resolve("exgate.yaml"));
        SelfSignedCertificate.Written site = SelfSignedCertificate.write(dir.resolve("certs"), "outlook",
                List.of("outlook.example.com", "autodiscover.example.com"), Duration.ofDays(1));
        Files.copy(site.cert(), dir.resolve("certs/corp-ca.pem"));
        ExgateConfig config = ConfigLoader.load(copy);
        assertThat(config.backends()).extracting(b -> b.backend().name()).containsExactly("ex1", "ex2");
        assertThat(config.listen().port()).isEqualTo(443);
        assertThat(config.admin()).isPresent();
    }
}
