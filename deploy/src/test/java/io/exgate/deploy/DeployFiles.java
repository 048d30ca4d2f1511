package io.exgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.tls.SelfSignedCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reading the deployment files: YAML navigation, sizes, and configurations loaded as exgate loads them. */
final class DeployFiles {
    /** Surefire runs in the module's folder, deploy/. */
    static final Path DEPLOY = Path.of("").toAbsolutePath();
    static final Path REPOSITORY = DEPLOY.getParent();
    static final Path DOCKERFILE = DEPLOY.resolve("container/Dockerfile");
    static final Path COMPOSE = DEPLOY.resolve("container/compose.yaml");
    static final Path LAB_CONFIG = DEPLOY.resolve("container/lab/exgate.yaml");
    static final Path LAB_MAILBOX = DEPLOY.resolve("container/lab/mailbox.conf");
    static final Path K8S_BASE = DEPLOY.resolve("kubernetes/base");
    static final Path K8S_CONFIG = K8S_BASE.resolve("exgate.yaml");
    static final Path K8S_OPERATOR = DEPLOY.resolve("kubernetes/components/prometheus-operator");
    static final Path MONITORING = DEPLOY.resolve("monitoring");
    static final Path SYSTEMD = DEPLOY.resolve("systemd");
    static final Path SAMPLE_CONFIG = DEPLOY.resolve("config/exgate.yaml");

    private DeployFiles() {
    }

    /** Every document of a YAML file (Kubernetes files may hold several), parsed safely as exgate does. */
    static List<Object> yamlDocuments(Path file) throws IOException {
        List<Object> docs = new ArrayList<>();
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        for (Object doc : new Yaml(new SafeConstructor(options)).loadAll(Files.readString(file, StandardCharsets.UTF_8))) {
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    /** A YAML file of exactly one mapping. */
    static Map<String, Object> yaml(Path file) throws IOException {
        List<Object> docs = yamlDocuments(file);
        assertThat(docs).as("%s holds one YAML document", file).hasSize(1);
        return asMap(docs.get(0), file.toString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value, String what) {
        assertThat(value).as(what + " is a mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> asList(Object value, String what) {
        assertThat(value).as(what + " is a list").isInstanceOf(List.class);
        return (List<Object>) value;
    }

    /** The value at a dotted path of mapping keys, e.g. {@code spec.template.spec}; fails when absent. */
    static Object at(Map<String, Object> root, String path) {
        Object current = root;
        for (String key : path.split("\\.")) {
            Map<String, Object> map = asMap(current, path);
            assertThat(map).as("%s has %s", path, key).containsKey(key);
            current = map.get(key);
        }
        return current;
    }

    static Map<String, Object> mapAt(Map<String, Object> root, String path) {
        return asMap(at(root, path), path);
    }

    static List<Object> listAt(Map<String, Object> root, String path) {
        return asList(at(root, path), path);
    }

    static String stringAt(Map<String, Object> root, String path) {
        return String.valueOf(at(root, path));
    }

    /** The list element whose {@code key} equals {@code value}, e.g. the container port named admin. */
    static Map<String, Object> named(List<Object> list, String key, Object value) {
        return list.stream().map(o -> asMap(o, key)).filter(m -> value.equals(m.get(key))).findFirst()
                .orElseThrow(() -> new AssertionError("no entry with " + key + " = " + value + " in " + list));
    }

    /** The port of a {@code host:port} listen address as the configuration writes it. */
    static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    static String host(String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }

    private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi|k|M|G)?");

    /** A Kubernetes quantity of bytes ({@code 2Gi}, {@code 64Mi}, {@code 500M}). */
    static long bytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity);
        assertThat(m.matches()).as("%s is a byte quantity", quantity).isTrue();
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return switch (unit) {
            case "Ki" -> n << 10;
            case "Mi" -> n << 20;
            case "Gi" -> n << 30;
            case "k" -> n * 1000;
            case "M" -> n * 1000_000;
            case "G" -> n * 1000_000_000;
            default -> n;
        };
    }

    private static final Pattern TIMESPAN = Pattern.compile("(\\d+)\\s*(ms|s|sec|min|m|h)?");

    /** A duration as systemd and compose write them: {@code 45s}, {@code 1min 30s}, {@code 90} (seconds). */
    static Duration timespan(String text) {
        Duration total = Duration.ZERO;
        Matcher m = TIMESPAN.matcher(text.trim());
        int end = 0;
        while (m.find()) {
            assertThat(text.trim().substring(end, m.start()).isBlank()).as("%s is a time span", text).isTrue();
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            total = total.plus(switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "min", "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        assertThat(end).as("%s is a time span", text).isEqualTo(text.trim().length());
        return total;
    }

    /**
     * Loads a configuration as exgate would, from a copy in {@code dir} whose absolute paths are
     * rewritten: each key of {@code moves} (an absolute folder in the container or pod) becomes the
     * folder under {@code dir} named by its value.
     */
    static ExgateConfig loadCopy(Path config, Path dir, Map<String, String> moves) throws Exception {
        return loadCopy(config, dir, moves, Map.of());
    }

    /** As {@link #loadCopy(Path, Path, Map)}, with each key of {@code edits} first replaced by its value, as text. */
    static ExgateConfig loadCopy(Path config, Path dir, Map<String, String> moves, Map<String, String> edits) throws Exception {
        String text = Files.readString(config, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> edit : edits.entrySet()) {
            assertThat(text).as("%s holds %s", config, edit.getKey()).contains(edit.getKey());
            text = text.replace(edit.getKey(), edit.getValue());
        }
        for (Map.Entry<String, String> move : moves.entrySet()) {
            text = text.replace(move.getKey(), dir.resolve(move.getValue()).toString());
        }
        Path copy = dir.resolve("exgate.yaml");
        Files.writeString(copy, text, StandardCharsets.UTF_8);
        return ConfigLoader.load(copy);
    }

    /** Where compose mounts a service's secrets (compose specification, services.secrets short syntax). */
    static final String COMPOSE_SECRETS = "/run/secrets";

    /** The compose file's top-level secrets: name → the file it is read from. */
    static Map<String, Path> labSecrets() throws IOException {
        Map<String, Path> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> secret : mapAt(yaml(COMPOSE), "secrets").entrySet()) {
            out.put(secret.getKey(), COMPOSE.getParent().resolve(stringAt(asMap(secret.getValue(), secret.getKey()), "file")).normalize());
        }
        return out;
    }

    /**
     * The lab's secrets copied to {@code dir/secrets/<name>}; returns the move that points the lab
     * configuration's {@value #COMPOSE_SECRETS} there (for {@link #loadCopy}).
     */
    static Map.Entry<String, String> writeLabSecrets(Path dir) throws IOException {
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        for (Map.Entry<String, Path> secret : labSecrets().entrySet()) {
            Files.copy(secret.getValue(), secrets.resolve(secret.getKey()));
        }
        return Map.entry(COMPOSE_SECRETS, "secrets");
    }

    /** The host of an admin.listen value as exgate reads it: a port alone is 127.0.0.1. */
    static boolean isLoopback(String adminListen) {
        if (adminListen.matches("\\d{1,5}")) {
            return true;
        }
        String host = host(adminListen).replace("[", "").replace("]", "");
        return host.startsWith("127.") || host.equals("::1") || host.equalsIgnoreCase("localhost");
    }

    /** A self-signed certificate and its key written as {@code <cert>} and {@code <key>} in {@code dir}. */
    static void writeTlsPair(Path dir, String cert, String key) throws IOException {
        SelfSignedCertificate.Written pair = SelfSignedCertificate.write(dir, "generated",
                List.of("outlook.example.com", "autodiscover.example.com"), Duration.ofDays(1));
        Files.move(pair.cert(), dir.resolve(cert));
        Files.move(pair.key(), dir.resolve(key));
    }

    /**
     * Runs the compose lab's {@code certs} service command on this machine, with its volume at
     * {@code dir}: the keytool of the JDK running the tests writes the lab's PKCS#12 file.
     */
    static Path writeLabCertificate(Path dir) throws Exception {
        Map<String, Object> certs = mapAt(yaml(COMPOSE), "services.certs");
        List<Object> entrypoint = listAt(certs, "entrypoint");
        assertThat(entrypoint).containsExactly("sh", "-c");
        List<Object> command = listAt(certs, "command");
        assertThat(command).hasSize(1);
        String volume = String.valueOf(listAt(certs, "volumes").get(0));
        String mount = volume.substring(volume.indexOf(':') + 1);
        Files.createDirectories(dir);
        String script = String.valueOf(command.get(0)).replace(mount, dir.toString());
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        pb.environment().put("PATH", javaBin + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("the certs service's command: %s", output).isZero();
        return dir;
    }
}
