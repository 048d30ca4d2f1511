package io.exgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import org.junit.jupiter.api.Test;

class TlsEngineTest {
    @Test
    void autoPrefersBoringSslFromNettyTcnative() {
        // netty-tcnative-boringssl-static ships the native library for linux-x86_64 and aarch64.
        assertThat(TlsEngine.resolve("auto")).isEqualTo(TlsEngine.OPENSSL);
        assertThat(TlsEngine.OPENSSL.options()).isInstanceOf(OpenSSLEngineOptions.class);
        assertThat(TlsEngine.OPENSSL.describe()).contains("BoringSSL");
    }

    @Test
    void jdkCanBeChosenAndUnknownNamesAreRefused() {
        assertThat(TlsEngine.resolve("jdk").options()).isInstanceOf(JdkSSLEngineOptions.class);
        assertThatThrownBy(() -> TlsEngine.resolve("gnutls")).hasMessageContaining("unknown TLS engine 'gnutls'");
    }
}
