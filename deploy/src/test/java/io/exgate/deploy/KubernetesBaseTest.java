package io.exgate.deploy;

import static io.exgate.deploy.DeployFiles.DEPLOY;
import static io.exgate.deploy.DeployFiles.K8S_BASE;
import static io.exgate.deploy.DeployFiles.K8S_CONFIG;
import static io.exgate.deploy.DeployFiles.asMap;
import static io.exgate.deploy.DeployFiles.at;
import static io.exgate.deploy.DeployFiles.listAt;
import static io.exgate.deploy.DeployFiles.mapAt;
import static io.exgate.deploy.DeployFiles.named;
import static io.exgate.deploy.DeployFiles.stringAt;
import static io.exgate.deploy.DeployFiles.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.config.ExgateConfig;
import io.exgate.routing.VirtualDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kustomize base: every file parses, the kustomization names only files that exist, and the
 * manifests agree with the exgate configuration they mount (ports, probe paths, certificate paths,
 * log folder, drain time) and with the image (user, arguments).
 */
class KubernetesBaseTest {
    static final String SECRET_MOUNT = "/etc/exgate/certs";

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

    ExgateConfig loadConfig() throws Exception {
        // The pod's absolute paths, moved into the test's folder; the certificate files as the Secret names them.
        Path certs = dir.resolve("certs");
        Files.createDirectories(certs);
        DeployFiles.writeTlsPair(certs, "tls.crt", "tls.key");
        return DeployFiles.loadCopy(K8S_CONFIG, dir, Map.of(SECRET_MOUNT, "certs", "/var/log/exgate", "logs"));
    }

    @Test
    void everyYamlFileParsesAndEveryManifestHasAnApiVersionAndAKind() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            files = walk.filter(p -> !p.startsWith(DEPLOY.resolve("target")) && p.toString().endsWith(".yaml")).toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(13);
        for (Path file : files) {
            List<Object> docs = DeployFiles.yamlDocuments(file);
            assertThat(docs).as(file.toString()).isNotEmpty();
            if (file.startsWith(DEPLOY.resolve("kubernetes")) && !file.getFileName().toString().equals("exgate.yaml")) {
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
        Map<String, Object> generator = asMap(listAt(kustomization, "configMapGenerator").get(0), "configMapGenerator[0]");
        for (Object f : DeployFiles.asList(generator.get("files"), "files")) {
            listed.add(K8S_BASE.resolve(String.valueOf(f)));
        }
        assertThat(listed).allSatisfy(p -> assertThat(p).isRegularFile());
        try (Stream<Path> files = Files.list(K8S_BASE)) {
            // Every manifest in the folder is applied: none forgotten in the list.
            assertThat(files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml")))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
        Path component = DEPLOY.resolve("kubernetes/components/prometheus-operator");
        Map<String, Object> c = yaml(component.resolve("kustomization.yaml"));
        assertThat(c.get("kind")).isEqualTo("Component");
        assertThat(listAt(c, "resources")).allSatisfy(r -> assertThat(component.resolve(String.valueOf(r))).isRegularFile());
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
        // Prometheus scrapes /metrics on the admin port.
        Map<String, Object> annotations = mapAt(deployment, "spec.template.metadata.annotations");
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(admin))
                .containsEntry("prometheus.io/path", "/metrics");
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
        Map<String, Object> monitor = yaml(DEPLOY.resolve("kubernetes/components/prometheus-operator/servicemonitor.yaml"));
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
}
