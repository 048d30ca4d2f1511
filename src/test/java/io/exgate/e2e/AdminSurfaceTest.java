package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API lives on its own listener, needs the bearer token when one is set, and is 404 on the public listener. */
class AdminSurfaceTest {
    private static final String TOKEN = "lab-admin-token-0123456789";
    @TempDir
    static Path dir;
    static Lab lab;
    /** HTTP/1.1 as Prometheus, curl and kubelet probes speak it (the JDK client would upgrade to h2c). */
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        lab = new Lab(dir);
        SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike());
        Path config = lab.writeConfig("127.0.0.1:0", List.of(lab.simulator(ex1)), "");
        Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        Files.writeString(config, Files.readString(config).replace("admin:\n  listen: 127.0.0.1:0\n",
                "admin:\n  listen: 127.0.0.1:0\n  token-file: admin.token\n"));
        lab.startFromFile(config);
    }

    @AfterAll
    static void stop() throws Exception {
        lab.close();
    }

    private static HttpResponse<String> admin(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lab.exgate().adminPort().orElseThrow() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void adminPathsOnThePublicListenerAre404AndChangeNothing() throws Exception {
        for (String path : List.of("/metrics", "/status", "/live", "/ready", "/api/backends", "/api/stats")) {
            try (RawHttps s = new RawHttps(lab.port())) {
                s.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n");
                assertThat(s.readResponse().status()).as(path).isEqualTo(404);
            }
        }
        try (RawHttps s = new RawHttps(lab.port())) {
            s.send("POST /api/maintenance HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 0\r\n\r\n");
            assertThat(s.readResponse().status()).isEqualTo(404);
        }
        assertThat(lab.exgate().backendStates().inMaintenance()).isFalse();
    }

    @Test
    void everyAdminCallButLiveAndReadyNeedsTheBearerToken() throws Exception {
        for (String path : List.of("/metrics", "/status", "/api/backends", "/api/stats")) {
            HttpResponse<String> none = admin("GET", path, null);
            assertThat(none.statusCode()).as(path + " without a token").isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"exgate admin\"");
            assertThat(admin("GET", path, "Bearer wrong-token-0123456789").statusCode()).as(path + " with a wrong token").isEqualTo(401);
            assertThat(admin("GET", path, "Bearer " + TOKEN).statusCode()).as(path + " with the token").isEqualTo(200);
        }
        assertThat(admin("GET", "/live", null).statusCode()).isEqualTo(200);
        assertThat(admin("GET", "/ready", null).statusCode()).isEqualTo(200);

        assertThat(admin("POST", "/api/maintenance", null).statusCode()).isEqualTo(401);
        assertThat(lab.exgate().backendStates().inMaintenance()).as("a refused call changes nothing").isFalse();
        assertThat(admin("POST", "/api/maintenance", "bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(lab.exgate().backendStates().inMaintenance()).isTrue();
        assertThat(admin("DELETE", "/api/maintenance", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }
}
