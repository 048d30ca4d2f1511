package io.exgate.proxy.config;

import io.exgate.health.HealthSettings;
import io.exgate.health.ProbeSpec;
import io.exgate.routing.Backend;
import io.exgate.routing.MailboxMap;
import io.exgate.routing.Routes;
import io.exgate.routing.VirtualDirectory;
import io.exgate.routing.WeightedBackend;
import io.exgate.tls.BackendTls;
import io.exgate.tls.CertificateLoadException;
import io.exgate.tls.CertificateSource;
import io.exgate.tls.TlsPolicy;
import io.exgate.tls.PemCertificate;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads and validates exgate's YAML configuration once. Every refusal names the file, the key and
 * the value. Relative paths resolve against the folder of the file.
 */
public final class ConfigLoader {
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KB|MB|GB|KiB|MiB|GiB)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern BACKEND_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Set<String> TOP = Set.of("listen", "proxy-protocol", "transport", "tls", "admin", "backends", "routing", "routes", "health", "pinning", "timeouts", "limits", "logs");

    private final String file;
    private final Path baseDir;

    private ConfigLoader(Path path) {
        this.file = path.toString();
        Path parent = path.toAbsolutePath().getParent();
        this.baseDir = parent == null ? Path.of(".").toAbsolutePath() : parent;
    }

    public static ExgateConfig load(Path path) throws ConfigException {
        return new ConfigLoader(path).read(path);
    }

    private ExgateConfig read(Path path) throws ConfigException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "the configuration file does not exist");
        } catch (IOException e) {
            throw new ConfigException(file, "the configuration file cannot be read: " + e.getMessage());
        }
        Map<String, Object> root = parseYaml(text);
        checkKeys(root, "", TOP);

        ListenAddress listen = address(root, "listen", "listen", true);
        Object proxyProtocol = root.get("proxy-protocol");
        if (proxyProtocol != null && !(proxyProtocol instanceof Boolean)) {
            throw new ConfigException(file, "proxy-protocol", proxyProtocol, "must be true or false");
        }
        String transport = string(root, "transport", "transport", false);
        if (transport == null) {
            transport = "auto";
        } else if (!Set.of("auto", "io_uring", "epoll", "nio").contains(transport)) {
            throw new ConfigException(file, "transport", transport, "must be auto, io_uring, epoll or nio");
        }
        Map<String, Object> tls = section(root, "tls", "tls", true);
        checkKeys(tls, "tls.", Set.of("engine", "certificates", "protocols", "cipher-suites", "http2", "names"));
        String engine = string(tls, "engine", "tls.engine", false);
        if (engine == null) {
            engine = "auto";
        } else if (!Set.of("auto", "openssl", "jdk").contains(engine)) {
            throw new ConfigException(file, "tls.engine", engine, "must be auto, openssl or jdk");
        }
        List<CertificateSource> sources = new ArrayList<>();
        List<PemCertificate> certificates = certificates(tls, sources);
        TlsPolicy policy = new TlsPolicy(
                stringList(tls, "protocols", "tls.protocols", TlsPolicy.DEFAULT_PROTOCOLS, TlsPolicy.SUPPORTED_PROTOCOLS),
                stringList(tls, "cipher-suites", "tls.cipher-suites", TlsPolicy.DEFAULT_CIPHER_SUITES, null));
        Object http2Value = tls.get("http2");
        if (http2Value != null && !(http2Value instanceof Boolean)) {
            throw new ConfigException(file, "tls.http2", http2Value, "must be true or false");
        }
        List<String> names = stringList(tls, "names", "tls.names", List.of(), null);
        TlsSettings tlsSettings = new TlsSettings(engine, sources, certificates, policy, http2Value == null || (Boolean) http2Value,
                names);

        Optional<AdminSettings> admin = admin(section(root, "admin", "admin", false), listen);
        List<BackendSettings> backends = backends(root);
        RoutingSettings routing = routing(root, backends);
        PinningSettings pinning = pinning(section(root, "pinning", "pinning", false));
        HealthSettings health = health(section(root, "health", "health", false));
        Timeouts timeouts = timeouts(section(root, "timeouts", "timeouts", false));
        Limits limits = limits(section(root, "limits", "limits", false));

        LogSettings logSettings = logs(section(root, "logs", "logs", false));
        return new ExgateConfig(file, listen, proxyProtocol != null && (Boolean) proxyProtocol, transport, tlsSettings, admin, backends, routing, health, pinning, timeouts, limits, logSettings);
    }

    private Map<String, Object> parseYaml(String text) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        try {
            Object doc = new Yaml(new SafeConstructor(options)).load(text);
            if (doc == null) {
                throw new ConfigException(file, "the configuration file is empty");
            }
            if (!(doc instanceof Map<?, ?> map)) {
                throw new ConfigException(file, "the configuration must be a YAML mapping of keys (listen, tls, backends, ...)");
            }
            return stringKeys(map, "");
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1);
            throw new ConfigException(file, "is not valid YAML" + where + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException(file, "is not valid YAML: " + e.getMessage());
        }
    }

    private Map<String, Object> stringKeys(Map<?, ?> map, String prefix) throws ConfigException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new ConfigException(file, prefix + e.getKey(), null, "keys must be text");
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    private void checkKeys(Map<String, Object> map, String prefix, Set<String> allowed) throws ConfigException {
        for (String key : map.keySet()) {
            if (!allowed.contains(key)) {
                throw new ConfigException(file, prefix + key, null,
                        "unknown key (allowed here: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private Map<String, Object> section(Map<String, Object> parent, String key, String path, boolean required) throws ConfigException {
        Object value = parent.get(key);
        if (value == null) {
            if (required) {
                throw new ConfigException(file, path, null, "is required");
            }
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(file, path, value, "must be a mapping of keys");
        }
        return stringKeys(map, path + ".");
    }

    private String string(Map<String, Object> parent, String key, String path, boolean required) throws ConfigException {
        Object value = parent.get(key);
        if (value == null) {
            if (required) {
                throw new ConfigException(file, path, null, "is required");
            }
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            throw new ConfigException(file, path, value, "must be a single value");
        }
        String s = value.toString().trim();
        if (s.isEmpty()) {
            throw new ConfigException(file, path, value, "must not be empty");
        }
        return s;
    }

    private ListenAddress address(Map<String, Object> parent, String key, String path, boolean required) throws ConfigException {
        String text = string(parent, key, path, required);
        ListenAddress address = ListenAddress.parse(text);
        if (address == null) {
            throw new ConfigException(file, path, text, "is not an address: write host:port, e.g. 0.0.0.0:443 or [::]:443");
        }
        return address;
    }

    private Path existingFile(String value, String path) throws ConfigException {
        Path p = baseDir.resolve(value).normalize();
        if (!Files.exists(p)) {
            throw new ConfigException(file, path, value, "file " + p + " does not exist");
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new ConfigException(file, path, value, "file " + p + " is not a readable file");
        }
        return p;
    }

    private List<PemCertificate> certificates(Map<String, Object> tls, List<CertificateSource> sources) throws ConfigException {
        Object list = tls.get("certificates");
        if (!(list instanceof List<?> entries) || entries.isEmpty()) {
            throw new ConfigException(file, "tls.certificates", list, "must list at least one certificate (cert: and key:, or pfx:)");
        }
        List<PemCertificate> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String path = "tls.certificates[" + i + "]";
            if (!(entries.get(i) instanceof Map<?, ?> raw)) {
                throw new ConfigException(file, path, entries.get(i), "must be a mapping with cert: and key:, or pfx:");
            }
            Map<String, Object> entry = stringKeys(raw, path + ".");
            checkKeys(entry, path + ".", Set.of("cert", "key", "key-password", "pfx", "password", "password-env", "password-file"));
            CertificateSource source;
            String described;
            if (entry.containsKey("pfx")) {
                if (entry.containsKey("cert") || entry.containsKey("key")) {
                    throw new ConfigException(file, path, null, "give either pfx: or cert: and key:, not both");
                }
                String pfx = string(entry, "pfx", path + ".pfx", true);
                String passwordFile = string(entry, "password-file", path + ".password-file", false);
                source = new CertificateSource.Pkcs12File(existingFile(pfx, path + ".pfx"),
                        entry.get("password") == null ? null : String.valueOf(entry.get("password")),
                        string(entry, "password-env", path + ".password-env", false),
                        passwordFile == null ? null : existingFile(passwordFile, path + ".password-file"));
                described = pfx;
            } else {
                String cert = string(entry, "cert", path + ".cert", true);
                String key = string(entry, "key", path + ".key", true);
                source = new CertificateSource.PemFiles(existingFile(cert, path + ".cert"), existingFile(key, path + ".key"),
                        entry.get("key-password") == null ? null : String.valueOf(entry.get("key-password")));
                described = cert + ", " + key;
            }
            try {
                out.add(source.load());
            } catch (CertificateLoadException e) {
                throw new ConfigException(file, path, described, e.getMessage());
            }
            sources.add(source);
        }
        return out;
    }

    private List<String> stringList(Map<String, Object> section, String key, String path, List<String> fallback, List<String> allowed)
            throws ConfigException {
        Object value = section.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw new ConfigException(file, path, value, "must be a non-empty list");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            String v = String.valueOf(o).strip();
            if (allowed != null && !allowed.contains(v)) {
                throw new ConfigException(file, path, v, "is not one of " + String.join(", ", allowed));
            }
            out.add(v);
        }
        return out;
    }

    private List<BackendSettings> backends(Map<String, Object> root) throws ConfigException {
        Object list = root.get("backends");
        if (!(list instanceof List<?> entries) || entries.isEmpty()) {
            throw new ConfigException(file, "backends", list, "must list at least one backend (name: and url:)");
        }
        List<BackendSettings> out = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String path = "backends[" + i + "]";
            if (!(entries.get(i) instanceof Map<?, ?> raw)) {
                throw new ConfigException(file, path, entries.get(i), "must be a mapping with name: and url:");
            }
            Map<String, Object> entry = stringKeys(raw, path + ".");
            checkKeys(entry, path + ".", Set.of("name", "url", "weight", "tls"));
            String name = string(entry, "name", path + ".name", true);
            if (!BACKEND_NAME.matcher(name).matches()) {
                throw new ConfigException(file, path + ".name", name, "must be letters, digits, '.', '_' or '-' (at most 63)");
            }
            Integer earlier = names.putIfAbsent(name.toLowerCase(Locale.ROOT), i);
            if (earlier != null) {
                throw new ConfigException(file, path + ".name", name, "duplicates the name of backends[" + earlier + "]");
            }
            String url = string(entry, "url", path + ".url", true);
            Backend backend = backendUrl(name, url, path + ".url");
            int weight = weight(entry.get("weight"), path + ".weight", 1);
            boolean verify = true;
            Optional<Buffer> ca = Optional.empty();
            Map<String, Object> tls = section(entry, "tls", path + ".tls", false);
            if (tls != null) {
                if (!backend.tls()) {
                    throw new ConfigException(file, path + ".tls", tls, "TLS settings need an https:// url");
                }
                checkKeys(tls, path + ".tls.", Set.of("verify", "ca", "fingerprint"));
                Object v = tls.get("verify");
                if (v != null) {
                    if (!(v instanceof Boolean b)) {
                        throw new ConfigException(file, path + ".tls.verify", v, "must be true or false");
                    }
                    verify = b;
                }
                String caValue = string(tls, "ca", path + ".tls.ca", false);
                if (caValue != null) {
                    if (!verify) {
                        throw new ConfigException(file, path + ".tls.ca", caValue, "makes no sense with verify: false");
                    }
                    ca = Optional.of(caFile(caValue, path + ".tls.ca"));
                }
            }
            Optional<String> fingerprint = Optional.empty();
            if (tls != null && tls.get("fingerprint") != null) {
                String f = string(tls, "fingerprint", path + ".tls.fingerprint", true);
                try {
                    BackendTls.checkFingerprint(f);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(file, path + ".tls.fingerprint", f, "is not a SHA-256 fingerprint (64 hex digits, colons allowed)");
                }
                if (!verify) {
                    throw new ConfigException(file, path + ".tls.fingerprint", f, "makes no sense with verify: false");
                }
                fingerprint = Optional.of(f);
            }
            out.add(new BackendSettings(backend, weight, verify, ca, fingerprint));
        }
        return out;
    }

    private int weight(Object value, String path, int fallback) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Integer w) || w < 1 || w > 100) {
            throw new ConfigException(file, path, value, "must be a whole number from 1 to 100");
        }
        return w;
    }

    private RoutingSettings routing(Map<String, Object> root, List<BackendSettings> backends) throws ConfigException {
        Optional<String> secret = Optional.empty();
        Optional<Path> mapFile = Optional.empty();
        MailboxMap map = MailboxMap.EMPTY;
        Set<String> names = new java.util.LinkedHashSet<>();
        backends.forEach(b -> names.add(b.backend().name()));
        Map<String, Object> section = section(root, "routing", "routing", false);
        if (section != null) {
            checkKeys(section, "routing.", Set.of("cookie-secret", "cookie-secret-file", "mailbox-map"));
            String s = string(section, "cookie-secret", "routing.cookie-secret", false);
            String secretKey = "routing.cookie-secret";
            if (section.containsKey("cookie-secret-file")) {
                if (s != null) {
                    throw new ConfigException(file, "routing", null, "give either cookie-secret: or cookie-secret-file:, not both");
                }
                secretKey = "routing.cookie-secret-file";
                String name = string(section, "cookie-secret-file", secretKey, true);
                try {
                    // A Kubernetes Secret or a file only exgate's user can read; a trailing newline is not part of it.
                    s = Files.readString(existingFile(name, secretKey), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new ConfigException(file, secretKey, name, "cannot be read: " + e.getMessage());
                }
            }
            if (s != null) {
                if (s.getBytes(StandardCharsets.UTF_8).length < 16) {
                    // The value itself is a secret: it is not repeated in the message.
                    throw new ConfigException(file, secretKey, null, "must be at least 16 characters long");
                }
                secret = Optional.of(s);
            }
            String m = string(section, "mailbox-map", "routing.mailbox-map", false);
            if (m != null) {
                Path p = existingFile(m, "routing.mailbox-map");
                try {
                    map = MailboxMap.parse(p.toString(), Files.readString(p, StandardCharsets.UTF_8), names);
                } catch (MailboxMap.MailboxMapException e) {
                    throw new ConfigException(file, "routing.mailbox-map", m, e.getMessage());
                } catch (IOException e) {
                    throw new ConfigException(file, "routing.mailbox-map", m, "cannot be read: " + e.getMessage());
                }
                mapFile = Optional.of(p);
            }
        }
        return new RoutingSettings(secret, mapFile, map, routes(root, backends));
    }

    /** {@code routes: { mapi: [ex1, ex2], owa: { ex1: 2, ex3: 1 } }}; a directory left out gets every backend. */
    private Routes routes(Map<String, Object> root, List<BackendSettings> backends) throws ConfigException {
        Map<String, VirtualDirectory> dirs = directoryNames();
        List<WeightedBackend> all = backends.stream().map(b -> new WeightedBackend(b.backend(), b.weight())).toList();
        Map<VirtualDirectory, List<WeightedBackend>> byDir = new java.util.EnumMap<>(VirtualDirectory.class);
        for (VirtualDirectory v : VirtualDirectory.values()) {
            byDir.put(v, all);
        }
        Map<String, Object> section = section(root, "routes", "routes", false);
        if (section != null) {
            checkKeys(section, "routes.", dirs.keySet());
            for (Map.Entry<String, Object> e : section.entrySet()) {
                String path = "routes." + e.getKey();
                List<WeightedBackend> chosen = new ArrayList<>();
                if (e.getValue() instanceof List<?> list) {
                    for (Object name : list) {
                        BackendSettings b = backendNamed(backends, String.valueOf(name), path);
                        chosen.add(new WeightedBackend(b.backend(), b.weight()));
                    }
                } else if (e.getValue() instanceof Map<?, ?> weights) {
                    for (Map.Entry<?, ?> w : weights.entrySet()) {
                        BackendSettings b = backendNamed(backends, String.valueOf(w.getKey()), path);
                        chosen.add(new WeightedBackend(b.backend(), weight(w.getValue(), path + "." + w.getKey(), 1)));
                    }
                } else {
                    throw new ConfigException(file, path, e.getValue(), "must list backend names, or map backend names to weights");
                }
                if (chosen.isEmpty()) {
                    throw new ConfigException(file, path, e.getValue(), "must name at least one backend");
                }
                if (chosen.stream().map(w -> w.backend().name()).distinct().count() != chosen.size()) {
                    throw new ConfigException(file, path, e.getValue(), "names a backend twice");
                }
                byDir.put(dirs.get(e.getKey()), chosen);
            }
        }
        return new Routes(backends.stream().map(BackendSettings::backend).toList(), byDir);
    }

    private BackendSettings backendNamed(List<BackendSettings> backends, String name, String path) throws ConfigException {
        for (BackendSettings b : backends) {
            if (b.backend().name().equalsIgnoreCase(name)) {
                return b;
            }
        }
        throw new ConfigException(file, path, name, "is not a configured backend name");
    }

    private Backend backendUrl(String name, String url, String path) throws ConfigException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException(file, path, url, "is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new ConfigException(file, path, url, "must be an http:// or https:// URL");
        }
        String host = uri.getHost();
        if (host == null || uri.getUserInfo() != null) {
            throw new ConfigException(file, path, url, "must name a host, e.g. https://ex1.example.local");
        }
        if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigException(file, path, url, "must be scheme://host[:port] only: exgate keeps the request's own path");
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        } else if (!ListenAddress.validHost(host)) {
            throw new ConfigException(file, path, url, "has an invalid host name");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (port < 1 || port > 65535) {
            throw new ConfigException(file, path, url, "has an invalid port");
        }
        return new Backend(name, scheme, host, port);
    }

    private Buffer caFile(String value, String path) throws ConfigException {
        Path p = existingFile(value, path);
        try {
            byte[] bytes = Files.readAllBytes(p);
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes)).isEmpty()) {
                throw new ConfigException(file, path, value, "holds no certificate");
            }
            return Buffer.buffer(bytes);
        } catch (IOException | CertificateException e) {
            throw new ConfigException(file, path, value, "is not a PEM CA certificate file: " + e.getMessage());
        }
    }

    private LogSettings logs(Map<String, Object> logs) throws ConfigException {
        Path directory = baseDir.resolve("logs");
        if (logs == null) {
            return new LogSettings(directory, LogSettings.DEFAULT_MAX_FILE_SIZE, LogSettings.DEFAULT_MAX_AGE, LogSettings.DEFAULT_MAX_TOTAL_SIZE,
                    false);
        }
        checkKeys(logs, "logs.", Set.of("directory", "max-file-size", "max-age", "max-total-size", "anonymous-401"));
        String dir = string(logs, "directory", "logs.directory", false);
        if (dir != null) {
            directory = baseDir.resolve(dir).normalize();
            if (Files.exists(directory) && !Files.isDirectory(directory)) {
                throw new ConfigException(file, "logs.directory", dir, "exists and is not a directory");
            }
        }
        Object anonymous = logs.get("anonymous-401");
        if (anonymous != null && !(anonymous instanceof Boolean)) {
            throw new ConfigException(file, "logs.anonymous-401", anonymous, "must be true or false");
        }
        return new LogSettings(directory,
                size(logs, "max-file-size", LogSettings.DEFAULT_MAX_FILE_SIZE),
                logs.get("max-age") == null ? LogSettings.DEFAULT_MAX_AGE : durationValue(logs, "max-age", "logs.max-age"),
                size(logs, "max-total-size", LogSettings.DEFAULT_MAX_TOTAL_SIZE),
                anonymous != null && (Boolean) anonymous);
    }

    private long size(Map<String, Object> section, String key, long fallback) throws ConfigException {
        return size(section, key, "logs." + key, fallback);
    }

    private long size(Map<String, Object> section, String key, String path, long fallback) throws ConfigException {
        String text = string(section, key, path, false);
        if (text == null) {
            return fallback;
        }
        Matcher m = SIZE.matcher(text.replace(" ", ""));
        if (!m.matches()) {
            throw new ConfigException(file, path, text, "is not a size: write a number and a unit (B, KB, MB, GB), e.g. 10MB");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "KB", "KIB" -> 1024L;
            case "MB", "MIB" -> 1024L * 1024;
            case "GB", "GIB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        if (n <= 0) {
            throw new ConfigException(file, path, text, "must be more than zero");
        }
        return n * unit;
    }

    private HealthSettings health(Map<String, Object> section) throws ConfigException {
        HealthSettings h = HealthSettings.defaults();
        if (section == null) {
            return h;
        }
        checkKeys(section, "health.", Set.of("interval", "timeout", "rise", "fall", "eject-after", "eject-cooldown", "drain-timeout",
                "probes"));
        if (section.get("interval") != null) {
            h = h.withInterval(durationValue(section, "interval", "health.interval"));
        }
        if (section.get("timeout") != null) {
            h = h.withTimeout(durationValue(section, "timeout", "health.timeout"));
        }
        int rise = section.get("rise") == null ? h.rise() : positive(section.get("rise"), "health.rise");
        int fall = section.get("fall") == null ? h.fall() : positive(section.get("fall"), "health.fall");
        h = h.withRiseFall(rise, fall);
        int ejectAfter = section.get("eject-after") == null ? h.ejectAfter() : count(section.get("eject-after"), "health.eject-after");
        Duration cooldown = section.get("eject-cooldown") == null ? h.ejectCooldown()
                : durationValue(section, "eject-cooldown", "health.eject-cooldown");
        h = h.withEjection(ejectAfter, cooldown);
        if (section.get("drain-timeout") != null) {
            h = h.withDrainTimeout(durationValue(section, "drain-timeout", "health.drain-timeout"));
        }
        Map<String, Object> probes = section(section, "probes", "health.probes", false);
        if (probes != null) {
            Map<String, VirtualDirectory> dirs = directoryNames();
            checkKeys(probes, "health.probes.", dirs.keySet());
            for (String vdirName : probes.keySet()) {
                String path = "health.probes." + vdirName;
                Map<String, Object> p = section(probes, vdirName, path, true);
                checkKeys(p, path + ".", Set.of("path", "status", "body-prefix"));
                VirtualDirectory v = dirs.get(vdirName);
                ProbeSpec base = ProbeSpec.healthcheck(v);
                String probePath = p.get("path") == null ? base.path() : string(p, "path", path + ".path", true);
                if (!probePath.startsWith("/")) {
                    throw new ConfigException(file, path + ".path", probePath, "must start with /");
                }
                int status = p.get("status") == null ? base.expectedStatus() : positive(p.get("status"), path + ".status");
                Object prefix = p.get("body-prefix");
                String bodyPrefix = p.containsKey("body-prefix") ? (prefix == null || prefix.toString().isEmpty() ? null : prefix.toString())
                        : base.expectedBodyPrefix();
                h = h.withProbe(v, new ProbeSpec(probePath, status, bodyPrefix));
            }
        }
        return h;
    }

    private int positive(Object value, String path) throws ConfigException {
        if (!(value instanceof Integer n) || n < 1) {
            throw new ConfigException(file, path, value, "must be a whole number of at least 1");
        }
        return n;
    }

    private static Map<String, VirtualDirectory> directoryNames() {
        Map<String, VirtualDirectory> dirs = new LinkedHashMap<>();
        for (VirtualDirectory v : VirtualDirectory.values()) {
            dirs.put(v == VirtualDirectory.ACTIVESYNC ? "activesync" : v.path().substring(1).toLowerCase(Locale.ROOT), v);
        }
        return dirs;
    }

    private PinningSettings pinning(Map<String, Object> section) throws ConfigException {
        if (section == null) {
            return PinningSettings.UNLIMITED;
        }
        checkKeys(section, "pinning.", Set.of("max-age", "max-requests", "max-per-client"));
        Duration maxAge = section.get("max-age") == null ? Duration.ZERO : durationValue(section, "max-age", "pinning.max-age");
        return new PinningSettings(maxAge, count(section.get("max-requests"), "pinning.max-requests"),
                count(section.get("max-per-client"), "pinning.max-per-client"));
    }

    private int count(Object value, String path) throws ConfigException {
        if (value == null) {
            return 0;
        }
        if (!(value instanceof Integer n) || n < 0) {
            throw new ConfigException(file, path, value, "must be a whole number, 0 for no cap");
        }
        return n;
    }

    private Optional<AdminSettings> admin(Map<String, Object> section, ListenAddress listen) throws ConfigException {
        if (section == null) {
            return Optional.empty();
        }
        checkKeys(section, "admin.", Set.of("listen", "token", "token-file"));
        String text = string(section, "listen", "admin.listen", true);
        // A port alone binds loopback: the admin surface is never public unless an address says so.
        ListenAddress address = text.matches("\\d{1,5}") ? ListenAddress.parse("127.0.0.1:" + text) : address(section, "listen", "admin.listen", true);
        if (address == null) {
            throw new ConfigException(file, "admin.listen", text, "is not a port");
        }
        if (address.port() == listen.port() && address.port() != 0
                && (address.host().equals(listen.host()) || isWildcard(address.host()) || isWildcard(listen.host()))) {
            throw new ConfigException(file, "admin.listen", text, "shares the public listener's port " + listen.port()
                    + "; the admin API must have a listener of its own");
        }
        if (section.containsKey("token") && section.containsKey("token-file")) {
            throw new ConfigException(file, "admin", null, "give either token: or token-file:, not both");
        }
        String token = section.containsKey("token") ? string(section, "token", "admin.token", true) : null;
        if (section.containsKey("token-file")) {
            String name = string(section, "token-file", "admin.token-file", true);
            Path p = existingFile(name, "admin.token-file");
            try {
                token = Files.readString(p, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigException(file, "admin.token-file", name, "cannot be read: " + e.getMessage());
            }
            if (token.isEmpty()) {
                throw new ConfigException(file, "admin.token-file", name, "is empty");
            }
        }
        if (token != null && (token.length() < 16 || !token.matches("[A-Za-z0-9._~+/=-]+"))) {
            // Say what is wrong without echoing the secret into a log.
            throw new ConfigException(file, section.containsKey("token") ? "admin.token" : "admin.token-file", "(hidden)",
                    "must be at least 16 characters of A-Z a-z 0-9 . _ ~ + / = -");
        }
        return Optional.of(new AdminSettings(address, Optional.ofNullable(token)));
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::");
    }

    private Limits limits(Map<String, Object> section) throws ConfigException {
        if (section == null) {
            return Limits.defaults();
        }
        checkKeys(section, "limits.", Set.of("max-connections", "max-header-size", "max-header-count", "max-request-line"));
        int connections = wholeNumber(section, "max-connections", Limits.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
        long headerSize = size(section, "max-header-size", "limits.max-header-size", Limits.DEFAULT_MAX_HEADER_SIZE);
        if (headerSize < 4096 || headerSize > 1024 * 1024) {
            throw new ConfigException(file, "limits.max-header-size", section.get("max-header-size"), "must be between 4KB and 1MB");
        }
        int headerCount = wholeNumber(section, "max-header-count", Limits.DEFAULT_MAX_HEADER_COUNT, 10, 10_000);
        long line = size(section, "max-request-line", "limits.max-request-line", Limits.DEFAULT_MAX_REQUEST_LINE);
        if (line < 1024 || line > 1024 * 1024) {
            throw new ConfigException(file, "limits.max-request-line", section.get("max-request-line"), "must be between 1KB and 1MB");
        }
        return new Limits(connections, (int) headerSize, headerCount, (int) line);
    }

    private int wholeNumber(Map<String, Object> section, String key, int fallback, int min, int max) throws ConfigException {
        Object value = section.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Integer n) || n < min || n > max) {
            throw new ConfigException(file, "limits." + key, value, "must be a whole number from " + min + " to " + max);
        }
        return n;
    }

    private Duration positive(Duration d, Map<String, Object> section, String key) throws ConfigException {
        if (d.isZero()) {
            throw new ConfigException(file, "timeouts." + key, section.get(key), "must be more than zero");
        }
        return d;
    }

    private Timeouts timeouts(Map<String, Object> section) throws ConfigException {
        if (section == null) {
            return new Timeouts(Timeouts.DEFAULT_CONNECT, Timeouts.DEFAULT_IDLE, Timeouts.DEFAULT_BACKEND_KEEP_ALIVE,
                    Timeouts.DEFAULT_SHUTDOWN, Timeouts.DEFAULT_REQUEST_HEADER);
        }
        checkKeys(section, "timeouts.", Set.of("connect", "idle", "backend-keep-alive", "shutdown", "request-header"));
        return new Timeouts(
                duration(section, "connect", Timeouts.DEFAULT_CONNECT),
                duration(section, "idle", Timeouts.DEFAULT_IDLE),
                duration(section, "backend-keep-alive", Timeouts.DEFAULT_BACKEND_KEEP_ALIVE),
                duration(section, "shutdown", Timeouts.DEFAULT_SHUTDOWN),
                positive(duration(section, "request-header", Timeouts.DEFAULT_REQUEST_HEADER), section, "request-header"));
    }

    private Duration duration(Map<String, Object> section, String key, Duration fallback) throws ConfigException {
        return section.get(key) == null ? fallback : durationValue(section, key, "timeouts." + key);
    }

    private Duration durationValue(Map<String, Object> section, String key, String path) throws ConfigException {
        String text = string(section, key, path, true);
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new ConfigException(file, path, text, "is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 5s or 15m");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() && !key.equals("shutdown")) {
            throw new ConfigException(file, path, text, "must be more than zero");
        }
        if (d.compareTo(Duration.ofDays(7)) > 0) {
            throw new ConfigException(file, path, text, "must be at most 7d");
        }
        return d;
    }
}
