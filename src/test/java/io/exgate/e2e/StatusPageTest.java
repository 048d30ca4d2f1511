package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status page in a real browser: it loads, shows every backend, and a drain click drains. */
class StatusPageTest {
    @TempDir
    Path dir;

    @Test
    void theStatusPageShowsEveryBackendAndADrainClickDrainsIt() throws Exception {
        try (Lab lab = new Lab(dir)) {
            lab.startExgate(List.of(
                    lab.simulator(new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike())),
                    lab.simulator(new SimulatedMailboxServer(lab.vertx, "ex2", SimulatedMailboxServer.Settings.exchangeLike()))));
            for (int i = 0; i < 5; i++) {
                lab.fetch(HttpMethod.GET, "/owa/");
            }
            Lab.Fetched page = lab.fetchAdmin(HttpMethod.GET, "/status");
            assertThat(page.header("Content-Type")).startsWith("text/html");
            assertThat(page.text()).doesNotContain("src=\"http", "href=\"http");
            int adminPort = lab.exgate().adminPort().orElseThrow();
            Path profile = Files.createDirectories(dir.resolve("chromium/profile"));
            try (HeadlessChromium chromium = new HeadlessChromium(profile, "http://127.0.0.1:" + adminPort + "/status")) {
                chromium.await("document.querySelectorAll('#backends tbody tr').length === 18", Duration.ofSeconds(20));
                assertThat(chromium.evaluate("[...document.querySelectorAll('#backends tbody tr')].map(r => r.dataset.backend)"
                        + ".filter((v, i, a) => a.indexOf(v) === i).join(',')")).isEqualTo("ex1,ex2");
                assertThat(chromium.evaluate("document.querySelector('#protocols').innerText")).asString().contains("OWA");
                chromium.evaluate("document.querySelector('tr[data-backend=\"ex1\"] button.drain').click()");
                chromium.await("[...document.querySelectorAll('tr[data-backend=\"ex1\"] td.draining')].length === 9", Duration.ofSeconds(20));
                assertThat(lab.exgate().backendStates().isDraining("ex1")).isTrue();
            }
        }
    }
}
