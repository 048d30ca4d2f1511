package io.exgate.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
    @TempDir
    Path dir;

    @Test
    void sniLooksNamesUpOnlyWhenThereIsMoreThanOneCertificateToPickFrom() throws Exception {
        PemCertificate a = certificate("a", "outlook.example.com");
        PemCertificate b = certificate("b", "mail.example.org");
        assertThat(ServerTls.sslOptions(List.of(a), TlsPolicy.defaults(), false).isSni()).isFalse();
        assertThat(ServerTls.sslOptions(List.of(a, b), TlsPolicy.defaults(), false).isSni()).isTrue();
    }

    @Test
    void openSslIsHandedEachCertificatesKeyMaterialOnceNotOnEveryHandshake() throws Exception {
        ServerSSLOptions options = ServerTls.sslOptions(
                List.of(certificate("a", "outlook.example.com"), certificate("b", "mail.example.org")), TlsPolicy.defaults(), false);
        // Vert.x works on copies of the options: the copy must keep the behaviour.
        KeyCertOptions keyCerts = options.copy().getKeyCertOptions();
        Vertx vertx = Vertx.vertx();
        try {
            assertThat(keyCerts.getKeyManagerFactory(vertx)).isInstanceOf(OpenSslCachingX509KeyManagerFactory.class);
            Function<String, KeyManagerFactory> byName = keyCerts.keyManagerFactoryMapper(vertx);
            KeyManagerFactory outlook = byName.apply("outlook.example.com");
            assertThat(outlook).isInstanceOf(OpenSslCachingX509KeyManagerFactory.class);
            assertThat(byName.apply("outlook.example.com")).isSameAs(outlook); // one cache per certificate
            assertThat(byName.apply("mail.example.org")).isNotSameAs(outlook);
            assertThat(byName.apply("unknown.example.net")).isNull(); // the default certificate answers those
        } finally {
            vertx.close().await();
        }
    }

    private PemCertificate certificate(String name, String dnsName) throws Exception {
        SelfSignedCertificate.Written w = SelfSignedCertificate.write(dir.resolve(name), name, List.of(dnsName), Duration.ofDays(1));
        return PemCertificate.load(w.cert(), w.key());
    }
}
