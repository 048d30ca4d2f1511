package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The public listener's TLS, checked with openssl s_client as an administrator would. */
class TlsFrontEndTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "tls.engine: {0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void refusesTls10And11AndAcceptsTls12And13WithForwardSecrecy(String engine) throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.tlsEngine = engine;
            lab.startExgate(List.of(lab.simulator(new SimulatedMailboxServer(lab.vertx, "ex1",
                    SimulatedMailboxServer.Settings.exchangeLike()))));
            assertThat(lab.exgate().engine().name()).isEqualToIgnoringCase(engine);
            for (String old : List.of("-tls1", "-tls1_1")) {
                String out = sClient(lab.port(), old, "-cipher", "DEFAULT:@SECLEVEL=0");
                // The server's alert, not the client's own refusal: the old version really was offered.
                assertThat(out).as(old).contains("alert protocol version").doesNotContain("CONNECTION ESTABLISHED");
            }
            String tls12 = sClient(lab.port(), "-tls1_2");
            assertThat(tls12).contains("CONNECTION ESTABLISHED", "Protocol version: TLSv1.2");
            assertThat(tls12).containsPattern("Ciphersuite: ECDHE-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)");
            assertThat(sClient(lab.port(), "-tls1_3")).contains("CONNECTION ESTABLISHED", "Protocol version: TLSv1.3");
            // A CBC suite is not on offer even when the client asks for nothing else.
            assertThat(sClient(lab.port(), "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA"))
                    .doesNotContain("CONNECTION ESTABLISHED");
        }
    }

    private static String sClient(int port, String... options) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "outlook.example.com", "-brief"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
