package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hop-by-hop headers stay on their own connection, in both directions. */
class HeaderHygieneTest {
    @TempDir
    Path dir;

    @Test
    void hopByHopHeadersAreRemovedBothWaysIncludingThoseNamedInConnection() throws Exception {
        try (Lab lab = new Lab(dir)) {
            String backend = lab.backend(request -> {
                JsonObject received = new JsonObject();
                request.headers().forEach(e -> received.put(e.getKey().toLowerCase(), e.getValue()));
                request.response()
                        .putHeader("Connection", "X-Backend-Secret")
                        .putHeader("X-Backend-Secret", "internal")
                        .putHeader("Keep-Alive", "timeout=5")
                        .putHeader("Proxy-Authenticate", "Basic realm=x")
                        .putHeader("Upgrade", "h2c")
                        .putHeader("X-BEServer", "EX9")
                        .putHeader("X-CalculatedBETarget", "ex9.example.local")
                        .putHeader("Content-Type", "application/json")
                        .end(received.encode());
            });
            lab.startExgate(List.of(backend));
            try (RawHttps raw = new RawHttps(lab.port())) {
                raw.send("GET /ews/exchange.asmx HTTP/1.1\r\nHost: outlook.example.com\r\n"
                        + "Connection: keep-alive, X-Client-Secret\r\nX-Client-Secret: 1\r\nKeep-Alive: 300\r\n"
                        + "TE: trailers\r\nProxy-Authorization: Basic eDp5\r\nProxy-Connection: keep-alive\r\n"
                        + "Upgrade: websocket\r\nX-Client-Visible: yes\r\n\r\n");
                RawHttps.Response r = raw.readResponse();
                assertThat(r.status()).isEqualTo(200);
                JsonObject received = new JsonObject(r.body());
                assertThat(received.fieldNames()).doesNotContain("x-client-secret", "keep-alive", "te", "proxy-authorization",
                        "proxy-connection", "upgrade", "via");
                assertThat(received.getString("connection")).isNull();
                assertThat(received.getString("x-client-visible")).isEqualTo("yes");
                assertThat(r.headers()).doesNotContainKeys("x-backend-secret", "keep-alive", "proxy-authenticate", "upgrade", "connection");
                // Exchange's diagnostic headers pass unchanged.
                assertThat(r.header("X-BEServer")).isEqualTo("EX9");
                assertThat(r.header("X-CalculatedBETarget")).isEqualTo("ex9.example.local");
            }
        }
    }
}
