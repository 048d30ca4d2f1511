package io.exgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.exgate.tls.SelfSignedCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring material in {@code monitoring/}: the alerting rules pass promtool (syntax and their unit
 * tests), the Grafana dashboard is well formed, and both ask only for metrics and labels that a running
 * exgate exports, so a renamed meter breaks this test instead of silently emptying a panel or an alert.
 */
class MonitoringTest {
    private static final Path RULES = Path.of("monitoring", "exgate-alerts.yml");
    private static final Path RULE_TESTS = Path.of("src", "test", "resources", "monitoring", "exgate-alerts-test.yml");
    private static final Path DASHBOARD = Path.of("monitoring", "exgate-dashboard.json");
    private static final Path SCRAPE_HOSTS = Path.of("monitoring", "prometheus-scrape-hosts.yml");
    private static final Path SCRAPE_KUBERNETES = Path.of("monitoring", "prometheus-scrape-kubernetes.yml");

    /** PromQL string literals: removed before looking for names, so label values are never taken for metrics. */
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern METRIC = Pattern.compile("(?<![A-Za-z0-9_:$])((?:exgate|jvm|process)_[A-Za-z0-9_:]*)");
    private static final Pattern SELECTOR = Pattern.compile("((?:exgate|jvm|process)_[A-Za-z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(?:=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    /** Labels Prometheus adds to every scraped series. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        assertThat(promtool("check", "rules", RULES.toString())).isEmpty();
    }

    @Test
    void theAlertsFireWhenAndOnlyWhenTheirUnitTestsSay() throws Exception {
        assertThat(promtool("test", "rules", RULE_TESTS.toString())).isEmpty();
    }

    @Test
    void everyAlertSaysHowUrgentItIsAndWhatToDo() throws Exception {
        JsonArray groups = rules().getJsonArray("groups");
        assertThat(groups).hasSize(1);
        JsonObject group = groups.getJsonObject(0);
        assertThat(group.getString("name")).isEqualTo("exgate");
        JsonArray rules = group.getJsonArray("rules");
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            JsonObject rule = rules.getJsonObject(i);
            String name = rule.getString("alert");
            assertThat(name).as("rule %d is an alert", i).isNotBlank();
            assertThat(names.add(name)).as("%s is unique", name).isTrue();
            assertThat(rule.getString("for")).as("%s: for", name).isNotBlank();
            assertThat(rule.getJsonObject("labels").getString("severity")).as("%s: severity", name).isIn("info", "warning", "critical");
            JsonObject annotations = rule.getJsonObject("annotations");
            assertThat(annotations.getString("summary")).as("%s: summary", name).isNotBlank();
            assertThat(annotations.getString("description")).as("%s: description", name).hasSizeGreaterThan(80);
        }
        assertThat(names).contains("ExgateDown", "ExgateBackendDown", "ExgateNoHealthyBackend", "ExgateHighErrorRatio",
                "ExgateHttpProxyLogDropped", "ExgateCertificateExpiringSoon", "ExgateCertificateExpiryCritical");
    }

    @Test
    void theDashboardIsAGrafanaDashboardWhosePanelsAllQueryPrometheus() throws Exception {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        assertThat(dashboard.getInteger("schemaVersion")).isGreaterThanOrEqualTo(36);
        assertThat(dashboard.getString("title")).isNotBlank();
        JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
        Map<String, JsonObject> byName = new HashMap<>();
        variables.forEach(v -> byName.put(((JsonObject) v).getString("name"), (JsonObject) v));
        assertThat(byName.get("datasource")).isNotNull();
        assertThat(byName.get("datasource").getString("type")).isEqualTo("datasource");
        assertThat(byName.get("datasource").getString("query")).isEqualTo("prometheus");
        assertThat(byName.get("instance")).isNotNull();

        List<JsonObject> panels = panels(dashboard);
        Set<Integer> ids = new HashSet<>();
        List<String> queries = new ArrayList<>();
        for (JsonObject panel : panels) {
            String title = panel.getString("title");
            assertThat(title).as("panel %s has a title", panel.getInteger("id")).isNotBlank();
            assertThat(ids.add(panel.getInteger("id"))).as("%s: unique id", title).isTrue();
            assertThat(panel.getJsonObject("gridPos")).as("%s: gridPos", title).isNotNull();
            if ("row".equals(panel.getString("type"))) {
                continue;
            }
            // The data source is the variable, so an import never binds the panels to a uid of ours.
            assertThat(panel.getJsonObject("datasource").getString("uid")).as("%s: datasource", title).isEqualTo("${datasource}");
            JsonArray targets = panel.getJsonArray("targets");
            assertThat(targets).as("%s: targets", title).isNotNull().isNotEmpty();
            for (int i = 0; i < targets.size(); i++) {
                String expr = targets.getJsonObject(i).getString("expr");
                assertThat(expr).as("%s: target %d has an expr", title, i).isNotBlank();
                assertThat(expr).as("%s: follows the instance variable", title).contains("instance=~\"$instance\"");
                queries.add(expr);
            }
        }
        // What the dashboard exists for: every one of these metrics has a panel.
        Set<String> shown = metricNames(queries);
        assertThat(shown).contains("exgate_requests_total", "exgate_request_duration_seconds_bucket", "exgate_backend_up",
                "exgate_backend_probe_latency_seconds", "exgate_active_notification_waits", "exgate_active_rpc_channels",
                "exgate_pinned_connections", "exgate_request_body_bytes_total", "exgate_response_body_bytes_total",
                "exgate_httpproxy_log_written_total", "exgate_httpproxy_log_dropped_total",
                "exgate_certificate_expiry_timestamp_seconds", "exgate_tls_handshake_failures_total", "jvm_memory_used_bytes");
        assertThat(queries).as("latency without the long polls").anyMatch(q -> q.contains("histogram_quantile")
                && q.contains("action!~\"NotificationWait"));

        // promtool parses PromQL only inside rule files: each query, with Grafana's variables filled in,
        // becomes a recording rule.
        StringBuilder recording = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            String expr = queries.get(i).replace("$__rate_interval", "5m").replace("$instance", ".*");
            recording.append("      - record: dashboard:query_").append(i).append("\n        expr: ").append(Json.encode(expr)).append('\n');
        }
        Path file = Files.writeString(dir.resolve("dashboard-queries.yml"), recording);
        assertThat(promtool("check", "rules", file.toString())).isEmpty();
    }

    @Test
    void everyMetricAndLabelTheRulesAndTheDashboardUseIsOneExgateExports() throws Exception {
        List<String> expressions = new ArrayList<>(ruleExpressions());
        expressions.addAll(dashboardExpressions());
        Set<String> used = metricNames(expressions);
        assertThat(used).hasSizeGreaterThan(10);

        Map<String, Set<String>> exported = exportedSeries(scrapeARunningExgate());
        for (String name : used) {
            assertThat(labelsOf(exported, name)).as("%s is exported by exgate (scraped: %s)", name, new TreeSet<>(exported.keySet()))
                    .isNotNull();
        }
        for (String expr : expressions) {
            String bare = QUOTED.matcher(expr).replaceAll("\"\"");
            Set<String> labels = new HashSet<>(TARGET_LABELS);
            Matcher selector = SELECTOR.matcher(bare);
            while (selector.find()) {
                Set<String> known = labelsOf(exported, selector.group(1));
                Matcher label = MATCHER_LABEL.matcher(selector.group(2));
                while (label.find()) {
                    assertThat(TARGET_LABELS.contains(label.group(1)) || known.contains(label.group(1)))
                            .as("%s has a label %s, in %s", selector.group(1), label.group(1), expr).isTrue();
                }
            }
            Matcher metric = METRIC.matcher(bare);
            while (metric.find()) {
                labels.addAll(labelsOf(exported, metric.group(1)));
            }
            // Aggregating by a label none of the expression's metrics has yields one unlabelled series: a silent typo.
            Matcher grouping = GROUPING.matcher(bare);
            while (grouping.find()) {
                for (String label : grouping.group(1).split(",")) {
                    assertThat(labels).as("grouping label in %s", expr).contains(label.strip());
                }
            }
        }
    }

    /** The one scrape job of a scrape example. */
    private static Map<String, Object> scrapeJob(Path example) throws Exception {
        Map<String, Object> config = DeployFiles.yaml(example);
        assertThat(config).as(example.toString()).containsOnlyKeys("scrape_configs");
        List<Object> jobs = DeployFiles.listAt(config, "scrape_configs");
        assertThat(jobs).as(example.toString()).hasSize(1);
        return DeployFiles.asMap(jobs.get(0), example.toString());
    }

    /** Writes a Prometheus configuration holding these scrape jobs. */
    private Path prometheusConfig(String name, List<Map<String, Object>> jobs) throws Exception {
        return Files.writeString(dir.resolve(name), new Yaml().dump(Map.of("scrape_configs", jobs)));
    }

    @Test
    void theScrapeExamplesSendTheAdminTokenToTheJobTheAlertsWatchAndPassPromtool() throws Exception {
        String alerts = Files.readString(RULES);
        for (Path example : List.of(SCRAPE_HOSTS, SCRAPE_KUBERNETES)) {
            Map<String, Object> job = scrapeJob(example);
            // ExgateDown watches up{job="exgate"}.
            assertThat(alerts).contains("up{job=\"" + job.get("job_name") + "\"}");
            assertThat(job).as(example.toString()).containsEntry("metrics_path", "/metrics");
            // exgate's admin listener, outside loopback, has a token: Bearer (the default type) from a file.
            Map<String, Object> authorization = DeployFiles.mapAt(job, "authorization");
            assertThat(authorization).as(example.toString()).containsOnlyKeys("credentials_file");
            assertThat(Path.of(String.valueOf(authorization.get("credentials_file")))).isAbsolute();
        }

        // promtool checks the hosts example whole, with its token file present.
        Map<String, Object> hosts = new HashMap<>(scrapeJob(SCRAPE_HOSTS));
        Path token = Files.writeString(dir.resolve("token"), "0123456789abcdef0123456789abcdef\n");
        hosts.put("authorization", Map.of("credentials_file", token.toString()));
        assertThat(promtool("check", "config", prometheusConfig("hosts.yml", List.of(hosts)).toString())).isEmpty();

        // The Kubernetes example keeps exactly the base's pods and their admin port.
        Map<String, Object> kubernetes = new HashMap<>(scrapeJob(SCRAPE_KUBERNETES));
        Map<String, Object> deployment = DeployFiles.yaml(DeployFiles.K8S_BASE.resolve("deployment.yaml"));
        Map<String, Object> container = DeployFiles.asMap(DeployFiles.listAt(deployment, "spec.template.spec.containers").get(0), "container");
        Map<String, Object> adminPort = DeployFiles.named(DeployFiles.listAt(container, "ports"), "containerPort",
                DeployFiles.port(DeployFiles.stringAt(DeployFiles.yaml(DeployFiles.K8S_CONFIG), "admin.listen")));
        Object podName = DeployFiles.mapAt(deployment, "spec.template.metadata.labels").get("app.kubernetes.io/name");
        assertThat(podName).isNotNull();
        List<Map<String, Object>> keeps = DeployFiles.listAt(kubernetes, "relabel_configs").stream()
                .map(r -> DeployFiles.asMap(r, "relabel_config")).filter(r -> "keep".equals(r.get("action"))).toList();
        assertThat(keeps).hasSize(1);
        assertThat(DeployFiles.listAt(keeps.get(0), "source_labels"))
                .containsExactly("__meta_kubernetes_pod_label_app_kubernetes_io_name", "__meta_kubernetes_pod_container_port_name");
        assertThat(keeps.get(0)).containsEntry("regex", podName + ";" + adminPort.get("name"));
        assertThat(DeployFiles.asMap(DeployFiles.listAt(kubernetes, "kubernetes_sd_configs").get(0), "kubernetes_sd_configs[0]"))
                .containsEntry("role", "pod");
        // Debian's Prometheus is built without Kubernetes discovery: promtool checks the rest of the job,
        // with the discovery swapped for a static target.
        kubernetes.remove("kubernetes_sd_configs");
        kubernetes.put("static_configs", List.of(Map.of("targets", List.of("10.0.0.1:9090"))));
        kubernetes.put("authorization", Map.of("credentials_file", token.toString()));
        assertThat(promtool("check", "config", prometheusConfig("kubernetes.yml", List.of(kubernetes)).toString())).isEmpty();
    }

    @Test
    void prometheusScrapesAnExgateWithATokenThroughTheHostsExampleAndNotWithoutIt() throws Exception {
        Optional<Path> prometheus = SystemdUnitTest.onPath("prometheus");
        // Installed with promtool by scripts/test (Debian package prometheus): required, never skipped.
        assertThat(prometheus).as("prometheus (Debian package prometheus) on PATH").isPresent();
        // As `openssl rand -hex 32 > admin-token` writes it: with a newline, which both ends ignore.
        String token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        Path tokenFile = Files.writeString(dir.resolve("admin-token"), token + "\n");
        Vertx vertx = Vertx.vertx();
        Exgate exgate = null;
        Process server = null;
        try {
            exgate = startExgate(vertx, "  token-file: admin-token");
            assertThat(exgate.adminPort()).isPresent();
            String target = "127.0.0.1:" + exgate.adminPort().get();

            // The example's job, aimed at this exgate, every second; and the same job without the token.
            Map<String, Object> withToken = new HashMap<>(scrapeJob(SCRAPE_HOSTS));
            withToken.put("authorization", Map.of("credentials_file", tokenFile.toString()));
            withToken.put("static_configs", List.of(Map.of("targets", List.of(target))));
            withToken.put("scrape_interval", "1s");
            withToken.put("scrape_timeout", "1s");
            Map<String, Object> withoutToken = new HashMap<>(withToken);
            withoutToken.remove("authorization");
            withoutToken.put("job_name", "exgate-without-token");
            Path config = prometheusConfig("prometheus.yml", List.of(withToken, withoutToken));

            int port;
            try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            server = new ProcessBuilder(prometheus.get().toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();

            HttpClient http = vertx.createHttpClient();
            Map<String, JsonObject> targets = Map.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                targets = scrapeTargets(http, port);
                if (targets.size() == 2 && targets.values().stream().noneMatch(t -> "unknown".equals(t.getString("health")))) {
                    break;
                }
                Thread.sleep(500);
            }
            http.close().await(10, TimeUnit.SECONDS); // also keeps it referenced: Vert.x closes an unreferenced client
            String log = Files.exists(dir.resolve("prometheus.log")) ? Files.readString(dir.resolve("prometheus.log")) : "";
            assertThat(targets).as(log).containsOnlyKeys("exgate", "exgate-without-token");
            assertThat(targets.get("exgate").getString("health")).as("%s", targets.get("exgate")).isEqualTo("up");
            assertThat(targets.get("exgate-without-token").getString("health")).isEqualTo("down");
            assertThat(targets.get("exgate-without-token").getString("lastError")).contains("401");
        } finally {
            if (server != null) {
                server.destroy();
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
            if (exgate != null) {
                exgate.stop().await(30, TimeUnit.SECONDS);
            }
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** Prometheus' active targets by job; empty while Prometheus is not answering yet. */
    private static Map<String, JsonObject> scrapeTargets(HttpClient http, int port) {
        try {
            Answer answer = send(http, new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                    .setURI("/api/v1/targets?state=active"), null);
            if (answer.status() != 200) {
                return Map.of();
            }
            Map<String, JsonObject> byJob = new HashMap<>();
            JsonArray active = new JsonObject(answer.body()).getJsonObject("data").getJsonArray("activeTargets");
            for (int i = 0; i < active.size(); i++) {
                JsonObject t = active.getJsonObject(i);
                byJob.put(t.getJsonObject("labels").getString("job"), t);
            }
            return byJob;
        } catch (Exception notYet) {
            return Map.of();
        }
    }

    /** Starts exgate in this JVM, both listeners on free loopback ports, in front of a simulated mailbox server. */
    private Exgate startExgate(Vertx vertx, String... adminLines) throws Exception {
        SelfSignedCertificate.write(dir.resolve("certs"), "outlook", List.of("localhost"), Duration.ofDays(2));
        int backendPort = new SimulatedMailboxServer(vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike())
                .start("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
        List<String> lines = new ArrayList<>(List.of(
                "listen: 127.0.0.1:0",
                "tls:",
                "  certificates:",
                "    - cert: certs/outlook.pem",
                "      key: certs/outlook.key",
                "admin:",
                "  listen: 127.0.0.1:0"));
        lines.addAll(List.of(adminLines));
        lines.addAll(List.of(
                "backends:",
                "  - name: ex1",
                "    url: http://127.0.0.1:" + backendPort,
                // No probes during the test: the backend starts up, as exgate assumes.
                "health:",
                "  interval: 1h",
                ""));
        Path config = Files.writeString(dir.resolve("exgate.yaml"), String.join("\n", lines));
        return Exgate.start(ConfigLoader.load(config)).await(20, TimeUnit.SECONDS);
    }

    /** Starts exgate in this JVM in front of a simulated mailbox server, makes some traffic, and returns its /metrics page. */
    private String scrapeARunningExgate() throws Exception {
        Vertx vertx = Vertx.vertx();
        Exgate exgate = null;
        try {
            exgate = startExgate(vertx);

            // Labelled series (per protocol, action, backend) exist only once a request has used them.
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                    .setDefaultHost("localhost").setDefaultPort(exgate.port()));
            send(client, new RequestOptions().setMethod(HttpMethod.GET).setURI("/owa/"), null);
            send(client, new RequestOptions().setMethod(HttpMethod.POST).setURI("/mapi/emsmdb/?MailboxId=a@contoso.com")
                    .putHeader("X-RequestType", "Execute"), Buffer.buffer("12345"));
            client.close().await(10, TimeUnit.SECONDS); // also keeps it referenced: Vert.x closes an unreferenced client

            // A drain and an enable: the state-change counter has series only after a change.
            HttpClient admin = vertx.createHttpClient();
            int adminPort = exgate.adminPort().orElseThrow();
            for (String action : List.of("drain", "enable")) {
                assertThat(send(admin, new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(adminPort)
                        .setURI("/api/backends/ex1/" + action), null).status()).isEqualTo(200);
            }
            Answer metrics = send(admin, new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(adminPort)
                    .setURI("/metrics"), null);
            admin.close().await(10, TimeUnit.SECONDS);
            assertThat(metrics.status()).isEqualTo(200);
            return metrics.body();
        } finally {
            if (exgate != null) {
                exgate.stop().await(30, TimeUnit.SECONDS);
            }
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private record Answer(int status, String body) {
    }

    /** The body is read inside the request's own future chain, so no byte arrives before anyone listens. */
    private static Answer send(HttpClient client, RequestOptions options, Buffer body) throws Exception {
        return client.request(options)
                .compose(req -> (body == null ? req.send() : req.send(body))
                        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString(StandardCharsets.UTF_8)))))
                .await(30, TimeUnit.SECONDS);
    }

    /** Metric name → label names, from the text exposition format. */
    private static Map<String, Set<String>> exportedSeries(String scrape) {
        Pattern label = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");
        Map<String, Set<String>> series = new HashMap<>();
        for (String line : scrape.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && brace < space ? brace : space;
            Set<String> labels = series.computeIfAbsent(line.substring(0, end), n -> new HashSet<>());
            if (end == brace) {
                Matcher m = label.matcher(line.substring(brace + 1, line.lastIndexOf('}')));
                while (m.find()) {
                    labels.add(m.group(1));
                }
            }
        }
        return series;
    }

    /** The labels of a metric as exported, or null when it is not; a histogram counts by its _bucket, _count and _sum. */
    private static Set<String> labelsOf(Map<String, Set<String>> exported, String name) {
        for (String suffix : List.of("", "_bucket", "_count", "_sum")) {
            Set<String> labels = exported.get(name + suffix);
            if (labels != null) {
                return labels;
            }
        }
        return null;
    }

    private static Set<String> metricNames(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions) {
            Matcher m = METRIC.matcher(QUOTED.matcher(expr).replaceAll("\"\""));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static JsonObject rules() throws Exception {
        Map<String, Object> yaml = new Yaml().load(Files.readString(RULES));
        return new JsonObject(yaml);
    }

    private static List<String> ruleExpressions() throws Exception {
        List<String> expressions = new ArrayList<>();
        JsonArray groups = rules().getJsonArray("groups");
        for (int g = 0; g < groups.size(); g++) {
            JsonArray rules = groups.getJsonObject(g).getJsonArray("rules");
            for (int r = 0; r < rules.size(); r++) {
                expressions.add(rules.getJsonObject(r).getString("expr"));
            }
        }
        return expressions;
    }

    /** Panel queries and the template variables' queries (label_values(exgate_build_info, instance)). */
    private static List<String> dashboardExpressions() throws Exception {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        List<String> expressions = new ArrayList<>();
        for (JsonObject panel : panels(dashboard)) {
            JsonArray targets = panel.getJsonArray("targets", new JsonArray());
            for (int i = 0; i < targets.size(); i++) {
                expressions.add(targets.getJsonObject(i).getString("expr"));
            }
        }
        JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
        for (int i = 0; i < variables.size(); i++) {
            JsonObject variable = variables.getJsonObject(i);
            if ("query".equals(variable.getString("type"))) {
                Object query = variable.getValue("query");
                expressions.add(query instanceof JsonObject q ? q.getString("query") : String.valueOf(query));
            }
        }
        return expressions;
    }

    /** Every panel, including those inside collapsed rows. */
    private static List<JsonObject> panels(JsonObject dashboard) {
        List<JsonObject> all = new ArrayList<>();
        JsonArray top = dashboard.getJsonArray("panels");
        for (int i = 0; i < top.size(); i++) {
            JsonObject panel = top.getJsonObject(i);
            all.add(panel);
            JsonArray nested = panel.getJsonArray("panels", new JsonArray());
            for (int j = 0; j < nested.size(); j++) {
                all.add(nested.getJsonObject(j));
            }
        }
        return all;
    }

    /** Runs promtool from deploy/; returns nothing when it succeeds, its exit code and output when it fails. */
    private static String promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finishes").isTrue();
        return process.exitValue() == 0 ? "" : "promtool exited with " + process.exitValue() + ":\n" + output;
    }
}
