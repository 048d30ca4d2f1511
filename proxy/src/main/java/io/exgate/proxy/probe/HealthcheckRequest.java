package io.exgate.proxy.probe;

import io.exgate.routing.VirtualDirectory;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code GET /<vdir>/healthcheck.htm}, anonymous, as balancers probe Exchange, and what the answer says about who served it. */
final class HealthcheckRequest {
    /** Exchange's own diagnostics: which front end and back end handled the request. */
    static final List<String> SERVER_HEADERS = List.of("X-FEServer", "X-BEServer", "X-CalculatedBETarget", "X-DiagInfo");
    private static final String BODY_SERVER_MARK = "200 OK<br/>";

    private HealthcheckRequest() {
    }

    static HealthcheckResult check(FrontDoor door, InetSocketAddress address, VirtualDirectory vdir) {
        String path = vdir.path() + "/healthcheck.htm";
        Answer answer = door.send(address, WireRequest.of("GET", path).header("Accept", "*/*"));
        if (!answer.answered()) {
            return new HealthcheckResult(vdir, path, 0, "", answer.millis(), "", "", Map.of(), answer.error());
        }
        WireResponse r = answer.response();
        Map<String, String> servers = new LinkedHashMap<>();
        for (String name : SERVER_HEADERS) {
            r.header(name).ifPresent(v -> servers.put(name, Printable.of(v, 200)));
        }
        return new HealthcheckResult(vdir, path, r.status(), Printable.of(r.reason(), 60), r.millis(),
                Printable.of(r.bodyStart(), 64), serverName(r.bodyStart()).orElse(""), servers, null);
    }

    /** {@code 200 OK<br/>EX1.contoso.com}: the name up to the next tag or space (Exchange adds nothing after it). */
    static Optional<String> serverName(String body) {
        if (!body.startsWith(BODY_SERVER_MARK)) {
            return Optional.empty();
        }
        String rest = body.substring(BODY_SERVER_MARK.length());
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '<' && !Character.isWhitespace(rest.charAt(end))) {
            end++;
        }
        return end == 0 ? Optional.empty() : Optional.of(Printable.of(rest.substring(0, end), 255));
    }
}
