package io.exgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemCertificateTest {
    @TempDir
    Path dir;

    @Test
    void loadsAChainAndAPkcs8KeyThatBelongTogether() throws Exception {
        SelfSignedCertificate.Written w = SelfSignedCertificate.write(dir, "outlook", List.of("outlook.example.com", "mail.example.com"), Duration.ofDays(1));
        PemCertificate c = PemCertificate.load(w.cert(), w.key());
        assertThat(c.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=outlook.example.com");
        assertThat(Files.readString(w.key())).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void acceptsAPkcs1RsaKey() throws Exception {
        Path cert = dir.resolve("rsa.pem");
        Path key = dir.resolve("rsa.key");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=rsa.example.com",
                "-days", "1", "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        // openssl 3 writes PKCS#8; convert to the traditional PKCS#1 form Windows exports often carry.
        Path pkcs1 = dir.resolve("rsa1.key");
        Process q = new ProcessBuilder("openssl", "rsa", "-in", key.toString(), "-traditional", "-out", pkcs1.toString())
                .redirectErrorStream(true).start();
        q.getInputStream().readAllBytes();
        assertThat(q.waitFor()).isZero();
        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(PemCertificate.load(cert, pkcs1).leaf().getSubjectX500Principal().getName()).isEqualTo("CN=rsa.example.com");
    }

    @Test
    void refusesAKeyOfAnotherCertificate() throws Exception {
        SelfSignedCertificate.Written a = SelfSignedCertificate.write(dir.resolve("a"), "a", List.of("a.example.com"), Duration.ofDays(1));
        SelfSignedCertificate.Written b = SelfSignedCertificate.write(dir.resolve("b"), "b", List.of("b.example.com"), Duration.ofDays(1));
        assertThatThrownBy(() -> PemCertificate.load(a.cert(), b.key()))
                .isInstanceOf(CertificateLoadException.class)
                .hasMessageContaining("does not belong to the certificate in " + a.cert());
    }

    @Test
    void namesTheFileThatIsMissingOrNotPem() throws Exception {
        SelfSignedCertificate.Written a = SelfSignedCertificate.write(dir, "a", List.of("a.example.com"), Duration.ofDays(1));
        assertThatThrownBy(() -> PemCertificate.load(dir.resolve("nope.pem"), a.key()))
                .hasMessage("certificate file " + dir.resolve("nope.pem") + " does not exist");
        Path text = Files.writeString(dir.resolve("text.pem"), "hello");
        assertThatThrownBy(() -> PemCertificate.load(text, a.key())).hasMessageContaining("holds no PEM certificate");
        assertThatThrownBy(() -> PemCertificate.load(a.cert(), text)).hasMessageContaining("holds no PEM private key");
    }

    @Test
    void refusesEncryptedKeysWithAClearMessage() throws Exception {
        Path pkcs8 = dir.resolve("enc8.key");
        run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-aes128", "-pass", "pass:secret",
                "-out", pkcs8.toString());
        Path pkcs1 = dir.resolve("enc1.key");
        run("openssl", "rsa", "-in", pkcs8.toString(), "-passin", "pass:secret", "-aes128", "-passout", "pass:secret",
                "-traditional", "-out", pkcs1.toString());
        SelfSignedCertificate.Written a = SelfSignedCertificate.write(dir, "a", List.of("a.example.com"), Duration.ofDays(1));
        assertThatThrownBy(() -> PemCertificate.load(a.cert(), pkcs8)).hasMessageContaining("is encrypted");
        assertThatThrownBy(() -> PemCertificate.load(a.cert(), pkcs1)).hasMessageContaining("is encrypted");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
