package io.exgate.proxy.probe;

import io.exgate.proxy.ExgateVersion;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP/1.1 request as written on the wire; never with credentials. */
record WireRequest(String method, String path, Map<String, String> headers) {
    static final String USER_AGENT = "exgate-probe/" + ExgateVersion.get().replace(' ', '-');

    static WireRequest of(String method, String path) {
        return new WireRequest(method, path, new LinkedHashMap<>());
    }

    WireRequest header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    byte[] bytes(Target target) {
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target.authority()).append("\r\n")
                .append("User-Agent: ").append(USER_AGENT).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
