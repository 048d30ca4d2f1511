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
    void encryptedKeysLoadWithTheirPassphraseAndAreRefusedClearlyWithout() throws Exception {
        Path pkcs8 = dir.resolve("enc8.key");
        Path cert = dir.resolve("enc.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-subj", "/CN=enc.example.com", "-days", "1",
                "-passout", "pass:secret", "-keyout", pkcs8.toString(), "-out", cert.toString());
        Path pkcs1 = dir.resolve("enc1.key");
        run("openssl", "rsa", "-in", pkcs8.toString(), "-passin", "pass:secret", "-aes128", "-passout", "pass:secret",
                "-traditional", "-out", pkcs1.toString());
        for (Path key : List.of(pkcs8, pkcs1)) {
            assertThatThrownBy(() -> PemCertificate.load(cert, key)).hasMessageContaining("is encrypted: give its passphrase as key-password");
            assertThatThrownBy(() -> PemCertificate.load(cert, key, "wrong".toCharArray())).hasMessageContaining("cannot be decrypted");
            PemCertificate c = PemCertificate.load(cert, key, "secret".toCharArray());
            assertThat(c.keyPem().toString()).as("handed to the TLS engine decrypted").startsWith("-----BEGIN PRIVATE KEY-----");
        }
    }

    @Test
    void aPfxLoadsWithItsPasswordAndAWrongPasswordIsNamed() throws Exception {
        SelfSignedCertificate.Written w = SelfSignedCertificate.write(dir, "p", List.of("outlook.example.com"), Duration.ofDays(1));
        Path pfx = dir.resolve("outlook.pfx");
        run("openssl", "pkcs12", "-export", "-in", w.cert().toString(), "-inkey", w.key().toString(), "-out", pfx.toString(),
                "-passout", "pass:Pfx-1");
        PemCertificate c = PemCertificate.loadPkcs12(pfx, "Pfx-1".toCharArray());
        assertThat(CertificateNames.of(c.leaf())).containsExactly("outlook.example.com");
        assertThat(new CertificateSource.Pkcs12File(pfx, "Pfx-1", null, null).load().leaf()).isEqualTo(c.leaf());
        assertThatThrownBy(() -> PemCertificate.loadPkcs12(pfx, "nope".toCharArray()))
                .hasMessageContaining("PFX file " + pfx + " cannot be opened (wrong password");
        assertThatThrownBy(() -> new CertificateSource.Pkcs12File(pfx, null, "EXGATE_TEST_UNSET_VARIABLE", null).load())
                .hasMessageContaining("environment variable EXGATE_TEST_UNSET_VARIABLE");
    }

    @Test
    void wildcardNamesCoverExactlyOneLabel() {
        List<String> names = List.of("outlook.example.com", "*.mail.example.com");
        assertThat(CertificateNames.covers(names, "OUTLOOK.example.com")).isTrue();
        assertThat(CertificateNames.covers(names, "owa.mail.example.com")).isTrue();
        assertThat(CertificateNames.covers(names, "mail.example.com")).isFalse();
        assertThat(CertificateNames.covers(names, "a.b.mail.example.com")).isFalse();
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
