package io.exgate.deploy;

import static io.exgate.deploy.DeployFiles.SAMPLE_CONFIG;
import static io.exgate.deploy.DeployFiles.SYSTEMD;
import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.config.ExgateConfig;
import io.exgate.proxy.config.Timeouts;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd unit, read as systemd reads it, against the sample configuration it runs; and systemd's own verdict. */
class SystemdUnitTest {
    static final Path UNIT = SYSTEMD.resolve("exgate.service");

    /** section → key → values in order (systemd keys may repeat). */
    static Map<String, Map<String, List<String>>> unit;

    @TempDir
    Path dir;

    @BeforeAll
    static void parse() throws IOException {
        unit = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        String pending = "";
        for (String raw : Files.readAllLines(UNIT, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending += line.substring(0, line.length() - 1) + " ";
                continue;
            }
            line = pending + line;
            pending = "";
            if (line.startsWith("[")) {
                assertThat(line).endsWith("]");
                section = unit.computeIfAbsent(line.substring(1, line.length() - 1), s -> new LinkedHashMap<>());
                continue;
            }
            assertThat(section).as("%s comes after a [section]", line).isNotNull();
            int eq = line.indexOf('=');
            assertThat(eq).as("%s is key=value", line).isPositive();
            section.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>()).add(line.substring(eq + 1).strip());
        }
    }

    static Optional<String> service(String key) {
        List<String> values = unit.get("Service").get(key);
        return values == null ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    static String required(String key) {
        return service(key).orElseThrow(() -> new AssertionError("[Service] has no " + key + "="));
    }

    ExgateConfig sample() throws Exception {
        // The sample's certificate paths are relative, its log folder absolute.
        Path certs = dir.resolve("certs");
        DeployFiles.writeTlsPair(certs, "outlook.pem", "outlook.key");
        Files.copy(certs.resolve("outlook.pem"), certs.resolve("corp-ca.pem"));
        return DeployFiles.loadCopy(SAMPLE_CONFIG, dir, Map.of("/var/log/exgate", "logs"));
    }

    @Test
    void itRunsTheJarWithTheConfigurationAsADedicatedUser() throws IOException {
        assertThat(unit).containsKeys("Unit", "Service", "Install");
        assertThat(required("ExecStart")).startsWith("/usr/bin/java ")
                .endsWith(" -jar " + ContainerFilesTest.JAR + " run --config " + ContainerFilesTest.CONFIG);
        assertThat(required("User")).isEqualTo("exgate");
        assertThat(required("Restart")).isEqualTo("on-failure");
        // 2 is an invalid configuration: restarting cannot help.
        assertThat(required("RestartPreventExitStatus")).isEqualTo("2");
        assertThat(unit.get("Install").get("WantedBy")).containsExactly("multi-user.target");

        // The user exists through sysusers.d, and owns the log folder through tmpfiles.d.
        List<String> sysusers = meaningfulLines(SYSTEMD.resolve("exgate.sysusers.conf"));
        assertThat(sysusers).hasSize(1);
        assertThat(sysusers.get(0).split("\\s+")).startsWith("u", "exgate");
        assertThat(meaningfulLines(SYSTEMD.resolve("exgate.tmpfiles.conf")))
                .anySatisfy(l -> assertThat(l.split("\\s+")).containsExactly("d", "/var/log/exgate", "0750", "exgate", "exgate", "-"))
                .allSatisfy(l -> assertThat(l).matches("d\\s+/\\S+\\s+0[0-7]{3}\\s+\\S+\\s+\\S+\\s+-"));
    }

    @Test
    void sighupReloadsAndSigtermDrainsForLongerThanTheConfiguredShutdown() throws Exception {
        assertThat(required("ExecReload")).isEqualTo("/bin/kill -HUP $MAINPID");
        assertThat(required("KillSignal")).isEqualTo("SIGTERM");
        var stop = DeployFiles.timespan(required("TimeoutStopSec"));
        assertThat(stop).isGreaterThan(Timeouts.DEFAULT_SHUTDOWN).isGreaterThan(sample().timeouts().shutdown());
    }

    @Test
    void itBindsPort443WithOneCapabilityInsideASandbox() throws Exception {
        ExgateConfig sample = sample();
        assertThat(sample.listen().port()).isLessThan(1024);
        assertThat(required("AmbientCapabilities")).isEqualTo("CAP_NET_BIND_SERVICE");
        assertThat(required("CapabilityBoundingSet")).isEqualTo("CAP_NET_BIND_SERVICE");
        assertThat(required("NoNewPrivileges")).isEqualTo("yes");
        assertThat(required("ProtectSystem")).isEqualTo("strict");
        assertThat(required("ProtectHome")).isEqualTo("yes");
        assertThat(required("PrivateTmp")).isEqualTo("yes");
        // With ProtectSystem=strict only these are writable: the sample's log folder must be one.
        assertThat(required("ReadWritePaths").split("\\s+")).contains("/var/log/exgate");
        assertThat(sample.logDirectory()).isEqualTo(dir.resolve("logs"));
        assertThat(Files.readString(SAMPLE_CONFIG, StandardCharsets.UTF_8)).contains("directory: /var/log/exgate");
        // The JIT writes code and then runs it: this would crash the JVM.
        assertThat(service("MemoryDenyWriteExecute")).isEmpty();
    }

    @Test
    void systemdAnalyzeVerifiesTheUnit() throws Exception {
        // Installed by scripts/test (Debian package systemd): required, never skipped.
        Optional<Path> analyze = onPath("systemd-analyze");
        assertThat(analyze).as("systemd-analyze (Debian package systemd) on PATH").isPresent();
        String text = Files.readString(UNIT, StandardCharsets.UTF_8);
        // verify checks that ExecStart's program exists: where this JVM is not /usr/bin/java, check the rest.
        if (!Files.isExecutable(Path.of("/usr/bin/java"))) {
            text = text.replace("/usr/bin/java ", Path.of(System.getProperty("java.home"), "bin", "java") + " ");
        }
        Path copy = dir.resolve("exgate.service");
        Files.writeString(copy, text, StandardCharsets.UTF_8);
        Result result = run(analyze.get().toString(), "verify", copy.toString());
        assertThat(result.code()).as(result.output()).isZero();
        // Unknown keys and bad values are only warnings: any line about this unit fails the test.
        assertThat(result.output()).as(result.output()).doesNotContain("exgate.service");
    }

    @Test
    void systemdSysusersAcceptsTheUserFile() throws Exception {
        Optional<Path> sysusers = onPath("systemd-sysusers");
        assertThat(sysusers).as("systemd-sysusers (Debian package systemd) on PATH").isPresent();
        // --root and --dry-run: nothing of this machine is read or written.
        Result result = run(sysusers.get().toString(), "--dry-run", "--root=" + dir,
                SYSTEMD.resolve("exgate.sysusers.conf").toString());
        assertThat(result.code()).as(result.output()).isZero();
        assertThat(result.output()).contains("Creating user 'exgate'");
    }

    static List<String> meaningfulLines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    static Optional<Path> onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    record Result(int code, String output) {
    }

    static Result run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        return new Result(process.exitValue(), output);
    }
}
