package io.exgate.deploy;

import static io.exgate.deploy.DeployFiles.COMPOSE;
import static io.exgate.deploy.DeployFiles.DOCKERFILE;
import static io.exgate.deploy.DeployFiles.K8S_CONFIG;
import static io.exgate.deploy.DeployFiles.LAB_CONFIG;
import static io.exgate.deploy.DeployFiles.LAB_MAILBOX;
import static io.exgate.deploy.DeployFiles.REPOSITORY;
import static io.exgate.deploy.DeployFiles.at;
import static io.exgate.deploy.DeployFiles.listAt;
import static io.exgate.deploy.DeployFiles.mapAt;
import static io.exgate.deploy.DeployFiles.port;
import static io.exgate.deploy.DeployFiles.stringAt;
import static io.exgate.deploy.DeployFiles.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.config.ExgateConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.LoaderOptions;

/** The Dockerfile, the compose lab and its files, read as text and YAML and checked against each other. */
class ContainerFilesTest {
    static final String JAR = "/opt/exgate/exgate.jar";
    static final String CONFIG = "/etc/exgate/exgate.yaml";

    @TempDir
    Path dir;

    /** One Dockerfile instruction: keyword and arguments, continuation lines joined, comments dropped. */
    record Instruction(String keyword, String args) {
        /** The arguments of an exec-form instruction ({@code ["a", "b"]}) as a list. */
        List<String> json() {
            Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(args);
            return DeployFiles.asList(parsed, keyword).stream().map(String::valueOf).toList();
        }
    }

    static List<Instruction> dockerfile() throws IOException {
        List<Instruction> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String text = pending.toString().strip();
            pending.setLength(0);
            if (!text.isEmpty()) {
                int space = text.indexOf(' ');
                out.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
            }
        }
        return out;
    }

    /** The instructions of the last stage: what the runtime image is. */
    static List<Instruction> runtimeStage() throws IOException {
        List<Instruction> all = dockerfile();
        int last = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        return all.subList(last, all.size());
    }

    static Instruction only(List<Instruction> stage, String keyword) {
        List<Instruction> found = stage.stream().filter(i -> i.keyword().equals(keyword)).toList();
        assertThat(found).as("one %s", keyword).hasSize(1);
        return found.get(0);
    }

    @Test
    void theImageIsBuiltByMavenInAStageOfItsOwnAndRunsOnAJre17() throws IOException {
        List<Instruction> all = dockerfile();
        List<Instruction> froms = all.stream().filter(i -> i.keyword().equals("FROM")).toList();
        assertThat(froms).hasSizeGreaterThanOrEqualTo(2);
        assertThat(froms.get(0).args()).containsPattern("(?i)maven.*17").containsPattern("(?i) AS build$");
        assertThat(froms.get(froms.size() - 1).args()).contains("17-jre");
        assertThat(all.stream().filter(i -> i.keyword().equals("RUN")).map(Instruction::args))
                .anySatisfy(run -> assertThat(run).contains("mvn -B").contains("-DskipTests").contains("package")
                        .contains("proxy/target/exgate.jar"));
        assertThat(only(runtimeStage(), "COPY").args()).startsWith("--from=build ").endsWith(" " + JAR);
    }

    @Test
    void theRuntimeImageRunsTheJarAsAFixedNonRootUser() throws IOException {
        List<Instruction> runtime = runtimeStage();
        String user = only(runtime, "USER").args();
        // Numeric, as Kubernetes' runAsNonRoot needs to verify it.
        assertThat(user).matches("\\d+(:\\d+)?");
        assertThat(Integer.parseInt(user.split(":")[0])).isPositive();

        List<String> entrypoint = only(runtime, "ENTRYPOINT").json();
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size())).containsExactly("-jar", JAR);
        assertThat(entrypoint).anySatisfy(flag -> assertThat(flag).startsWith("-XX:MaxRAMPercentage="));

        assertThat(only(runtime, "CMD").json()).containsExactly("run", "--config", CONFIG);
        assertThat(only(runtime, "VOLUME").json()).contains("/var/log/exgate");
        assertThat(runtime).noneMatch(i -> i.keyword().equals("HEALTHCHECK"));
    }

    @Test
    void theExposedPortsAreThoseOfTheConfigurationsWrittenForTheImage() throws IOException {
        Set<Integer> exposed = new HashSet<>();
        for (String p : only(runtimeStage(), "EXPOSE").args().split("\\s+")) {
            exposed.add(Integer.parseInt(p.replace("/tcp", "")));
        }
        // The compose lab and the Kubernetes ConfigMap both run this image.
        for (Path config : List.of(LAB_CONFIG, K8S_CONFIG)) {
            Map<String, Object> c = yaml(config);
            assertThat(exposed).as(config.toString())
                    .containsExactlyInAnyOrder(port(stringAt(c, "listen")), port(stringAt(c, "admin.listen")));
        }
    }

    @Test
    void theComposeLabBuildsThisDockerfileAndMountsWhatTheImageExpects() throws IOException {
        Map<String, Object> compose = yaml(COMPOSE);
        Map<String, Object> services = mapAt(compose, "services");
        assertThat(services).containsOnlyKeys("certs", "ex1", "ex2", "exgate");
        Map<String, Object> exgate = mapAt(services, "exgate");
        Path context = COMPOSE.getParent().resolve(stringAt(exgate, "build.context")).normalize();
        assertThat(context).isEqualTo(REPOSITORY);
        assertThat(context.resolve(stringAt(exgate, "build.dockerfile"))).isEqualTo(DOCKERFILE);
        // compose runs the image's own CMD, so the configuration goes where that CMD reads it.
        assertThat(exgate).doesNotContainKeys("command", "entrypoint");

        Map<String, String> mounts = new java.util.LinkedHashMap<>();
        for (Object v : listAt(exgate, "volumes")) {
            String[] parts = String.valueOf(v).split(":");
            mounts.put(parts[1], parts[0]);
        }
        assertThat(mounts).containsKey(CONFIG);
        assertThat(COMPOSE.getParent().resolve(mounts.get(CONFIG)).normalize()).isEqualTo(LAB_CONFIG);

        Map<String, Object> lab = yaml(LAB_CONFIG);
        assertThat(mounts).containsEntry(stringAt(lab, "logs.directory"), "exgate-logs");
        Map<String, Object> certificate = DeployFiles.asMap(listAt(lab, "tls.certificates").get(0), "tls.certificates[0]");
        String pfx = Path.of(CONFIG).getParent().resolve(String.valueOf(certificate.get("pfx"))).toString();
        assertThat(mounts).containsEntry(Path.of(pfx).getParent().toString(), "lab-certs");
        assertThat(listAt(mapAt(services, "certs"), "volumes")).containsExactly("lab-certs:/certs");
        assertThat(String.valueOf(listAt(mapAt(services, "certs"), "command").get(0))).contains("/certs/" + Path.of(pfx).getFileName());
        assertThat(mapAt(compose, "volumes")).containsKeys("lab-certs", "exgate-logs");

        // Published: the HTTPS listener, and the admin listener on the host's loopback only.
        List<String> ports = listAt(exgate, "ports").stream().map(String::valueOf).toList();
        assertThat(ports).contains(port(stringAt(lab, "listen")) + ":" + port(stringAt(lab, "listen")),
                "127.0.0.1:" + port(stringAt(lab, "admin.listen")) + ":" + port(stringAt(lab, "admin.listen")));
        assertThat(DeployFiles.host(stringAt(lab, "admin.listen"))).isEqualTo("0.0.0.0");

        // The backends are the lab's simulated mailbox servers, reached by their service names.
        for (Object b : listAt(lab, "backends")) {
            Map<String, Object> backend = DeployFiles.asMap(b, "backend");
            String host = java.net.URI.create(String.valueOf(backend.get("url"))).getHost();
            assertThat(services).containsKey(host);
            Map<String, Object> mailbox = mapAt(services, host);
            assertThat(listAt(mailbox, "volumes")).containsExactly("./lab/mailbox.conf:/etc/nginx/conf.d/default.conf:ro");
            assertThat(COMPOSE.getParent().resolve("lab/mailbox.conf")).isEqualTo(LAB_MAILBOX);
        }
        assertThat(exgate.get("depends_on")).asString().contains("certs", "service_completed_successfully");

        // The admin listener is reachable from the compose network, so it has a token: compose's secret,
        // mounted read-only where compose mounts secrets, which is the file the lab configuration reads.
        String tokenFile = stringAt(lab, "admin.token-file");
        Path mounted = Path.of(tokenFile);
        assertThat(mounted.getParent()).isEqualTo(Path.of(DeployFiles.COMPOSE_SECRETS));
        String secret = mounted.getFileName().toString();
        assertThat(listAt(exgate, "secrets")).containsExactly(secret);
        assertThat(DeployFiles.labSecrets()).containsOnlyKeys(secret);
        Path token = DeployFiles.labSecrets().get(secret);
        assertThat(token).isRegularFile().startsWith(COMPOSE.getParent().resolve("lab"));
        // Marked as what it is: a public token for the lab.
        assertThat(Files.readString(token, StandardCharsets.UTF_8).strip()).contains("lab").contains("not-for-production");
        assertThat(Files.readString(LAB_CONFIG, StandardCharsets.UTF_8)).contains("LAB ONLY");
        assertThat(Files.readString(COMPOSE, StandardCharsets.UTF_8)).contains("LAB ONLY");
        // The commented curl call to the admin API sends it.
        assertThat(Files.readString(COMPOSE, StandardCharsets.UTF_8))
                .contains("Authorization: Bearer $(cat " + REPOSITORY.relativize(token) + ")");
    }

    @Test
    void composeWaitsLongerThanTheDrainBeforeKilling() throws Exception {
        Path certs = DeployFiles.writeLabCertificate(dir.resolve("certs"));
        Map.Entry<String, String> secrets = DeployFiles.writeLabSecrets(dir);
        ExgateConfig lab = DeployFiles.loadCopy(LAB_CONFIG, certs.getParent(),
                Map.of("/var/log/exgate", "logs", secrets.getKey(), secrets.getValue()));
        assertThat(DeployFiles.timespan(stringAt(mapAt(yaml(COMPOSE), "services.exgate"), "stop_grace_period")))
                .isGreaterThan(lab.timeouts().shutdown());
    }

    @Test
    void theLabConfigurationIsValidWithTheCertificateItsCertsServiceWrites() throws Exception {
        // The certs service's own keytool command line, run here: exgate must accept its PKCS#12 file.
        Path certs = DeployFiles.writeLabCertificate(dir.resolve("certs"));
        assertThat(certs.resolve("lab.p12")).isRegularFile();
        // compose's secrets, where compose mounts them.
        Map.Entry<String, String> secrets = DeployFiles.writeLabSecrets(dir);
        ExgateConfig config = DeployFiles.loadCopy(LAB_CONFIG, dir, Map.of("/var/log/exgate", "logs", secrets.getKey(), secrets.getValue()));
        assertThat(config.backends()).extracting(b -> b.backend().name()).containsExactly("ex1", "ex2");
        assertThat(config.listen().port()).isEqualTo(8443);
        assertThat(config.admin()).isPresent();
        // 0.0.0.0 in the container: the token, read from the secret's file (its newline left out).
        assertThat(config.admin().orElseThrow().token())
                .contains(Files.readString(DeployFiles.labSecrets().values().iterator().next(), StandardCharsets.UTF_8).strip());
        assertThat(config.certificates()).hasSize(1);
        assertThat(config.routing().cookieSecret()).isPresent();
    }

    @Test
    void theSimulatedMailboxServersAnswerHealthchecksAsExchangeDoes() throws IOException {
        String conf = Files.readString(LAB_MAILBOX, StandardCharsets.UTF_8);
        Matcher location = Pattern.compile("location ~\\*\\s+(\\S+)\\s*\\{\\s*(?:[^}]*?;\\s*)*?return 200 \"([^\"]*)\";").matcher(conf);
        assertThat(location.find()).as("a case-insensitive regex location that returns 200").isTrue();
        Pattern paths = Pattern.compile(location.group(1), Pattern.CASE_INSENSITIVE);
        // exgate's default probe path is /<vdir>/healthcheck.htm, for every virtual directory.
        for (String vdir : List.of("mapi", "rpc", "owa", "ews", "autodiscover", "Microsoft-Server-ActiveSync", "oab", "ecp", "powershell")) {
            assertThat(paths.matcher("/" + vdir + "/healthcheck.htm").find()).as(vdir).isTrue();
        }
        assertThat(paths.matcher("/owa/auth/logon.aspx").find()).isFalse();
        // exgate's probes need the body to start with "200 OK".
        assertThat(location.group(2)).startsWith("200 OK<br/>");
    }

    @Test
    void theBuildContextLeavesOutBuildOutput() throws IOException {
        List<String> ignored = Files.readAllLines(DOCKERFILE.resolveSibling("Dockerfile.dockerignore"), StandardCharsets.UTF_8);
        assertThat(ignored).contains("**/target", ".git");
        assertThat(at(yaml(COMPOSE), "services.exgate.image")).isEqualTo("exgate:lab");
    }
}
