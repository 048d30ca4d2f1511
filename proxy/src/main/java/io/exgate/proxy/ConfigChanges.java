package io.exgate.proxy;

import io.exgate.proxy.config.BackendSettings;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.routing.VirtualDirectory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a configuration reload changes, in words an operator reads in the log and the API's answer. */
record ConfigChanges(List<String> applied, List<String> needRestart, boolean logsChanged) {

    static ConfigChanges between(ExgateConfig before, ExgateConfig after) {
        List<String> applied = new ArrayList<>();
        Map<String, BackendSettings> old = byName(before);
        Map<String, BackendSettings> now = byName(after);
        now.forEach((name, b) -> {
            BackendSettings was = old.get(name);
            if (was == null) {
                applied.add("backend " + name + " added (" + b.backend().url() + ")");
            } else if (!was.backend().equals(b.backend()) || was.verify() != b.verify() || !was.ca().equals(b.ca())
                    || !was.fingerprint().equals(b.fingerprint())) {
                applied.add("backend " + name + " changed (" + was.backend().url() + " -> " + b.backend().url() + ")");
            } else if (was.weight() != b.weight()) {
                applied.add("backend " + name + " weight " + was.weight() + " -> " + b.weight());
            }
        });
        old.keySet().stream().filter(name -> !now.containsKey(name))
                .forEach(name -> applied.add("backend " + name + " removed (requests on it finish within health.drain-timeout)"));
        List<String> routed = new ArrayList<>();
        for (VirtualDirectory v : VirtualDirectory.values()) {
            if (!before.routing().routes().forDirectory(v).equals(after.routing().routes().forDirectory(v))) {
                routed.add(v.path());
            }
        }
        if (!routed.isEmpty()) {
            applied.add("backends or weights changed for " + String.join(", ", routed));
        }
        if (!before.routing().mailboxMap().equals(after.routing().mailboxMap())) {
            applied.add("routing.mailbox-map changed");
        }
        if (!before.routing().cookieSecret().equals(after.routing().cookieSecret())) {
            applied.add("routing.cookie-secret changed (cookies signed with the old one are ignored)");
        }
        if (!before.health().equals(after.health())) {
            applied.add("health settings changed");
        }
        if (!sameBackendTimeouts(before, after)) {
            applied.add("timeouts changed (new requests and new backend connections)");
        }
        boolean logs = !before.logs().directory().equals(after.logs().directory()) || before.logs().maxFileSize() != after.logs().maxFileSize()
                || !before.logs().maxAge().equals(after.logs().maxAge()) || before.logs().maxTotalSize() != after.logs().maxTotalSize();
        if (logs) {
            applied.add("logs changed (" + after.logs().directory() + ")");
        }
        List<String> restart = new ArrayList<>();
        restartIfChanged(restart, "listen", before.listen(), after.listen());
        restartIfChanged(restart, "proxy-protocol", before.proxyProtocol(), after.proxyProtocol());
        restartIfChanged(restart, "transport", before.transport(), after.transport());
        restartIfChanged(restart, "tls", List.of(before.tls().engine(), before.tls().sources(), before.tls().policy(), before.tls().http2(),
                before.tls().names()), List.of(after.tls().engine(), after.tls().sources(), after.tls().policy(), after.tls().http2(),
                after.tls().names()));
        restartIfChanged(restart, "admin", before.admin(), after.admin());
        restartIfChanged(restart, "limits", before.limits(), after.limits());
        restartIfChanged(restart, "pinning", before.pinning(), after.pinning());
        restartIfChanged(restart, "logs.anonymous-401", before.logs().anonymous401(), after.logs().anonymous401());
        restartIfChanged(restart, "timeouts.request-header", before.timeouts().requestHeader(), after.timeouts().requestHeader());
        return new ConfigChanges(List.copyOf(applied), List.copyOf(restart), logs);
    }

    /** One line per change; {@code no changes} when the file says what is in service already. */
    String describe() {
        List<String> lines = new ArrayList<>(applied);
        if (!needRestart.isEmpty()) {
            lines.add("not applied until restart: " + String.join(", ", needRestart));
        }
        return lines.isEmpty() ? "no changes" : String.join("\n", lines);
    }

    private static boolean sameBackendTimeouts(ExgateConfig a, ExgateConfig b) {
        return a.timeouts().connect().equals(b.timeouts().connect()) && a.timeouts().idle().equals(b.timeouts().idle())
                && a.timeouts().backendKeepAlive().equals(b.timeouts().backendKeepAlive())
                && a.timeouts().shutdown().equals(b.timeouts().shutdown());
    }

    private static void restartIfChanged(List<String> restart, String key, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            restart.add(key);
        }
    }

    private static Map<String, BackendSettings> byName(ExgateConfig config) {
        Map<String, BackendSettings> map = new LinkedHashMap<>();
        config.backends().forEach(b -> map.put(b.backend().name(), b));
        return map;
    }
}
