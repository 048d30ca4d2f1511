package io.exgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.tls.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true));
            System.setErr(new PrintStream(e, true));
            int code = Main.commandLine().execute(args);
            return new Result(code, o.toString(), e.toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void exitsZeroForAValidFileAndTwoWithTheReasonOtherwise() throws Exception {
        SelfSignedCertificate.write(dir, "c", List.of("outlook.example.com"), Duration.ofDays(1));
        Path good = Files.writeString(dir.resolve("good.yaml"), """
                listen: 0.0.0.0:443
                tls: { certificates: [ { cert: c.pem, key: c.key } ] }
                backends: [ { name: ex1, url: http://10.0.0.1 } ]
                """);
        Result ok = run("check-config", "--config", good.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("valid (listen 0.0.0.0:443, 1 backend, 1 certificate)");
        assertThat(ok.out()).contains("certificate c.pem: names [outlook.example.com]", "(in 0 days)",
                "WARNING: certificate " + dir.resolve("c.pem") + " expires in 0 days");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), Files.readString(good).replace("http://10.0.0.1", "10.0.0.1"));
        Result refused = run("check-config", "--config", bad.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains(bad + ": backends[0].url = '10.0.0.1': must be an http:// or https:// URL");
    }

    @Test
    void warnsAboutPublicNamesNoCertificateCovers() throws Exception {
        SelfSignedCertificate.write(dir, "c", List.of("outlook.example.com", "*.example.net"), Duration.ofDays(200));
        Path file = Files.writeString(dir.resolve("names.yaml"), """
                listen: 0.0.0.0:443
                tls:
                  certificates: [ { cert: c.pem, key: c.key } ]
                  names: [outlook.example.com, mail.example.net, autodiscover.example.com]
                backends: [ { name: ex1, url: http://10.0.0.1 } ]
                """);
        Result r = run("check-config", "--config", file.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("WARNING: tls.names lists autodiscover.example.com but no certificate covers it")
                .doesNotContain("lists outlook.example.com").doesNotContain("lists mail.example.net").doesNotContain("expires in");
    }

    @Test
    void runRefusesAnInvalidFileWithTheSameMessageAndExitCode() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "listen: 127.0.0.1:8443\nbogus: 1\n");
        Result refused = run("run", "--config", bad.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains(bad + ": bogus: unknown key");
        assertThat(run("check-config", "-c", bad.toString()).err()).isEqualTo(refused.err());
    }

    @Test
    void usageErrorsExitTwoAndHelpListsEveryCommand() {
        assertThat(run("check-config").code()).isEqualTo(2);
        Result help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("run", "check-config", "demo", "--version");
    }
}
