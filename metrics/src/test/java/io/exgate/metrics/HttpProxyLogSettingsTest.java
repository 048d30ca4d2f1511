package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpProxyLogSettingsTest {
    private final Path dir = Path.of("logs");

    @Test
    void defaultsAreExchangesOwn() {
        HttpProxyLogSettings settings = HttpProxyLogSettings.defaults(dir, "0.1.0");
        assertThat(settings.directory()).isEqualTo(dir);
        assertThat(settings.maxFileSizeBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(settings.maxTotalSizeBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(settings.maxAge()).isEqualTo(Duration.ofDays(30));
        assertThat(settings.queueCapacity()).isEqualTo(65_536);
        assertThat(settings.version()).isEqualTo("0.1.0");
        assertThat(settings.folder("Mapi")).isEqualTo(dir.resolve("HttpProxy").resolve("Mapi"));
    }

    @Test
    void limitsThatCannotWorkAreRefused() {
        assertThatThrownBy(() -> new HttpProxyLogSettings(dir, 0, Duration.ofDays(1), 1, 1, "v"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFileSizeBytes");
        assertThatThrownBy(() -> new HttpProxyLogSettings(dir, 1, Duration.ZERO, 1, 1, "v"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAge");
        assertThatThrownBy(() -> new HttpProxyLogSettings(dir, 1, Duration.ofDays(1), -1, 1, "v"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTotalSizeBytes");
        assertThatThrownBy(() -> new HttpProxyLogSettings(dir, 1, Duration.ofDays(1), 1, 0, "v"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueCapacity");
    }

    @Test
    void aVersionWithALineBreakIsRefusedBecauseItWouldBreakTheHeader() {
        assertThatThrownBy(() -> HttpProxyLogSettings.defaults(dir, "1.0\r\n#Fields: x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
