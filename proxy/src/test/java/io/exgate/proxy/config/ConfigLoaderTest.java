package io.exgate.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exgate.tls.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    private static final String VALID = """
            listen: 127.0.0.1:8443
            tls:
              certificates:
                - cert: certs/outlook.pem
                  key: certs/outlook.key
            admin:
              listen: 127.0.0.1:9090
            backends:
              - name: ex1
                url: http://127.0.0.1:8081
              - name: ex2
                url: https://ex2.lab.local:443
                tls: { verify: false }
            timeouts:
              connect: 5s
              idle: 15m
            logs:
              directory: logs
            """;

    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void certificate() throws Exception {
        SelfSignedCertificate.write(dir.resolve("certs"), "outlook", List.of("outlook.example.com"), Duration.ofDays(1));
        file = dir.resolve("exgate.yaml");
    }

    private ExgateConfig load(String yaml) throws ConfigException {
        try {
            Files.writeString(file, yaml);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return ConfigLoader.load(file);
    }

    @Test
    void readsTheDocumentedExampleWithPathsRelativeToTheFile() throws Exception {
        ExgateConfig c = load(VALID);
        assertThat(c.listen()).isEqualTo(new ListenAddress("127.0.0.1", 8443));
        assertThat(c.admin()).contains(new AdminSettings(new ListenAddress("127.0.0.1", 9090), java.util.Optional.empty()));
        assertThat(c.backends()).hasSize(2);
        assertThat(c.backends().get(0).backend().url()).isEqualTo("http://127.0.0.1:8081");
        assertThat(c.backends().get(1).backend().url()).isEqualTo("https://ex2.lab.local:443");
        assertThat(c.backends().get(1).verify()).isFalse();
        assertThat(c.certificates().get(0).certFile()).isEqualTo(dir.resolve("certs/outlook.pem"));
        assertThat(c.timeouts().connect()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.timeouts().idle()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.timeouts().backendKeepAlive()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.logDirectory()).isEqualTo(dir.resolve("logs"));
        assertThat(c.tls().engine()).isEqualTo("auto");
        assertThat(c.tls().http2()).isTrue();
        assertThat(c.tls().policy()).isEqualTo(io.exgate.tls.TlsPolicy.defaults());
    }

    @Test
    void defaultsApplyWhenOptionalSectionsAreLeftOut() throws Exception {
        ExgateConfig c = load("""
                listen: "[::1]:443"
                tls: { certificates: [ { cert: certs/outlook.pem, key: certs/outlook.key } ] }
                backends: [ { name: ex1, url: "https://ex1.example.local" } ]
                """);
        assertThat(c.listen()).isEqualTo(new ListenAddress("::1", 443));
        assertThat(c.admin()).isEmpty();
        assertThat(c.backends().get(0).backend().port()).isEqualTo(443);
        assertThat(c.backends().get(0).verify()).isTrue();
        assertThat(c.timeouts()).isEqualTo(new Timeouts(Timeouts.DEFAULT_CONNECT, Timeouts.DEFAULT_IDLE,
                Timeouts.DEFAULT_BACKEND_KEEP_ALIVE, Timeouts.DEFAULT_SHUTDOWN, Timeouts.DEFAULT_REQUEST_HEADER));
        assertThat(c.timeouts().requestHeader()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.limits()).isEqualTo(new Limits(20_000, 64 * 1024, 100, 16 * 1024));
        assertThat(c.transport()).as("the best transport this machine has").isEqualTo("auto");
    }

    @Test
    void readsTheEventLoopTransport() throws Exception {
        assertThat(load(VALID + "transport: epoll\n").transport()).isEqualTo("epoll");
        assertThat(load(VALID + "transport: io_uring\n").transport()).isEqualTo("io_uring");
    }

    @Test
    void readsLimitsTheHeaderTimeoutAndAnAdminTokenFromAFile() throws Exception {
        Files.writeString(dir.resolve("admin.token"), "s3cr3t-t0ken-for-the-admin-api\n");
        ExgateConfig c = load(VALID.replace("  listen: 127.0.0.1:9090", "  listen: 9090\n  token-file: admin.token")
                .replace("  idle: 15m", "  idle: 15m\n  request-header: 3s") + """
                limits:
                  max-connections: 500
                  max-header-size: 128KB
                  max-header-count: 60
                  max-request-line: 8KB
                """);
        assertThat(c.admin().get().listen()).as("a port alone binds loopback").isEqualTo(new ListenAddress("127.0.0.1", 9090));
        assertThat(c.admin().get().token()).contains("s3cr3t-t0ken-for-the-admin-api");
        assertThat(c.admin().get().toString()).doesNotContain("s3cr3t");
        assertThat(c.timeouts().requestHeader()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.limits()).isEqualTo(new Limits(500, 128 * 1024, 60, 8 * 1024));
    }

    @Test
    void readsTheCookieSecretFromAFile() throws Exception {
        Files.writeString(dir.resolve("cookie.secret"), "a-shared-secret-for-all-replicas\n");
        ExgateConfig c = load(VALID.replace("logs:", "routing:\n  cookie-secret-file: cookie.secret\nlogs:"));
        assertThat(c.routing().cookieSecret()).contains("a-shared-secret-for-all-replicas");
        Files.writeString(dir.resolve("short.secret"), "short\n");
        assertThatThrownBy(() -> load(VALID.replace("logs:", "routing:\n  cookie-secret-file: short.secret\nlogs:")))
                .hasMessageContaining("routing.cookie-secret-file: must be at least 16 characters long")
                .hasMessageNotContaining("short\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown top-level key | listen: 127.0.0.1:8443 | listne: 127.0.0.1:8443 | listne: unknown key (allowed here: admin, backends, health, limits, listen, logs, pinning, proxy-protocol, routes, routing, timeouts, tls, transport)",
        "unknown transport | listen: 127.0.0.1:8443 | listen: 127.0.0.1:8443\\ntransport: kqueue | transport = 'kqueue': must be auto, io_uring, epoll or nio",
        "bad listen address | listen: 127.0.0.1:8443 | listen: 127.0.0.1 | listen = '127.0.0.1': is not an address",
        "port out of range | listen: 127.0.0.1:8443 | listen: 127.0.0.1:70000 | listen = '127.0.0.1:70000': is not an address",
        "bad IPv4 | listen: 127.0.0.1:8443 | listen: 300.1.1.1:443 | listen = '300.1.1.1:443': is not an address",
        "missing cert file | cert: certs/outlook.pem | cert: certs/missing.pem | tls.certificates[0].cert = 'certs/missing.pem': file ",
        "duplicate backend | name: ex2 | name: EX1 | backends[1].name = 'EX1': duplicates the name of backends[0]",
        "backend url scheme | url: http://127.0.0.1:8081 | url: ftp://127.0.0.1:8081 | backends[0].url = 'ftp://127.0.0.1:8081': must be an http:// or https:// URL",
        "backend url with path | url: http://127.0.0.1:8081 | url: http://127.0.0.1:8081/owa | backends[0].url = 'http://127.0.0.1:8081/owa': must be scheme://host[:port] only",
        "tls on http backend | url: https://ex2.lab.local:443 | url: http://ex2.lab.local:80 | backends[1].tls = '{verify=false}': TLS settings need an https:// url",
        "verify not boolean | verify: false | verify: maybe | backends[1].tls.verify = 'maybe': must be true or false",
        "duration without unit | connect: 5s | connect: 5 | timeouts.connect = '5': is not a duration",
        "zero idle | idle: 15m | idle: 0s | timeouts.idle = '0s': must be more than zero",
        "unknown timeout | idle: 15m | idel: 15m | timeouts.idel: unknown key",
        "admin same as listen | listen: 127.0.0.1:9090 | listen: 127.0.0.1:8443 | admin.listen = '127.0.0.1:8443': shares the public listener's port 8443",
        "admin on the public port | listen: 127.0.0.1:9090 | listen: 0.0.0.0:8443 | admin.listen = '0.0.0.0:8443': shares the public listener's port 8443",
        "short admin token | listen: 127.0.0.1:9090 | listen: 127.0.0.1:9090\\n  token: abc | admin.token = '(hidden)': must be at least 16 characters",
        "token and token file | listen: 127.0.0.1:9090 | listen: 127.0.0.1:9090\\n  token: abcdefghijklmnopq\\n  token-file: x | admin: give either token: or token-file:",
        "zero header timeout | idle: 15m | idle: 15m\\n  request-header: 0s | timeouts.request-header = '0s': must be more than zero",
        "too few header fields | logs: | limits:\\n  max-header-count: 3\\nlogs: | limits.max-header-count = '3': must be a whole number from 10 to 10000",
        "header size unit | logs: | limits:\\n  max-header-size: 64\\nlogs: | limits.max-header-size = '64': is not a size",
        "connections not a number | logs: | limits:\\n  max-connections: many\\nlogs: | limits.max-connections = 'many': must be a whole number",
        "bad weight | name: ex1 | name: ex1\\n    weight: 0 | backends[0].weight = '0': must be a whole number from 1 to 100",
        "unknown route | logs: | routes:\\n  imap: [ex1]\\nlogs: | routes.imap: unknown key",
        "route to unknown backend | logs: | routes:\\n  mapi: [ex1, ex7]\\nlogs: | routes.mapi = 'ex7': is not a configured backend name",
        "short cookie secret | logs: | routing:\\n  cookie-secret: short\\nlogs: | routing.cookie-secret: must be at least 16 characters long",
        "missing mailbox map | logs: | routing:\\n  mailbox-map: nowhere.csv\\nlogs: | routing.mailbox-map = 'nowhere.csv': file ",
    })
    void refusesMistakesNamingFileKeyAndValue(String what, String from, String to, String expected) {
        String yaml = VALID.replace(from, to.replace("\\n", "\n"));
        assertThat(yaml).as("test setup for " + what).isNotEqualTo(VALID);
        assertThatThrownBy(() -> load(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(expected);
    }

    @Test
    void refusesAKeyThatDoesNotMatchItsCertificate() throws Exception {
        SelfSignedCertificate.write(dir.resolve("other"), "other", List.of("other.example.com"), Duration.ofDays(1));
        assertThatThrownBy(() -> load(VALID.replace("key: certs/outlook.key", "key: other/other.key")))
                .hasMessageContaining("tls.certificates[0]")
                .hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void refusesMissingRequiredSectionsAndBrokenYaml() {
        assertThatThrownBy(() -> load("listen: 127.0.0.1:8443\n")).hasMessage(file + ": tls: is required");
        assertThatThrownBy(() -> load(VALID.replaceAll("(?s)backends:.*?timeouts:", "backends: []\ntimeouts:")))
                .hasMessageContaining("backends = '[]': must list at least one backend");
        assertThatThrownBy(() -> load("listen: [oops\n")).hasMessageContaining("is not valid YAML at line");
        assertThatThrownBy(() -> load("listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n")).hasMessageContaining("is not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml")))
                .hasMessage(dir.resolve("absent.yaml") + ": the configuration file does not exist");
    }

    @Test
    void readsRoutesWeightsAndTheMailboxMap() throws Exception {
        Files.writeString(dir.resolve("mailboxes.csv"), "# guid or address or domain,backend\ncontoso.com,ex2\n");
        ExgateConfig c = load(VALID.replace("  - name: ex1\n", "  - name: ex1\n    weight: 3\n").replace("logs:", """
                routing:
                  cookie-secret: 0123456789abcdef0123
                  mailbox-map: mailboxes.csv
                routes:
                  mapi: [ex1]
                  owa: { ex1: 1, ex2: 5 }
                logs:"""));
        assertThat(c.routing().cookieSecret()).contains("0123456789abcdef0123");
        assertThat(c.routing().initialMap().size()).isEqualTo(1);
        var routes = c.routing().routes();
        assertThat(routes.forDirectory(io.exgate.routing.VirtualDirectory.MAPI))
                .extracting(w -> w.backend().name() + ":" + w.weight()).containsExactly("ex1:3");
        assertThat(routes.forDirectory(io.exgate.routing.VirtualDirectory.OWA))
                .extracting(w -> w.backend().name() + ":" + w.weight()).containsExactly("ex1:1", "ex2:5");
        assertThat(routes.forDirectory(io.exgate.routing.VirtualDirectory.EWS))
                .extracting(w -> w.backend().name() + ":" + w.weight()).containsExactly("ex1:3", "ex2:1");
    }

    @Test
    void refusesABrokenMailboxMapNamingItsLine() throws Exception {
        Files.writeString(dir.resolve("mailboxes.csv"), "alice@contoso.com,ex1\nbob@contoso.com,ex9\n");
        assertThatThrownBy(() -> load(VALID.replace("logs:", "routing:\n  mailbox-map: mailboxes.csv\nlogs:")))
                .hasMessageContaining("routing.mailbox-map = 'mailboxes.csv': " + dir.resolve("mailboxes.csv") + ":2: backend 'ex9' is not configured");
    }

    @Test
    void refusesACaFileThatIsNotACertificate() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        assertThatThrownBy(() -> load(VALID.replace("tls: { verify: false }", "tls: { ca: ca.pem }")))
                .hasMessageContaining("backends[1].tls.ca = 'ca.pem': is not a PEM CA certificate file");
    }
}
