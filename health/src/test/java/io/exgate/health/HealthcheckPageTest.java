package io.exgate.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthcheckPageTest {

    private static final ProbeResult RESET = ProbeResult.failed("connection reset", Duration.ofMillis(1));

    private final Backend ex1 = new Backend("ex1", "https", "ex1.corp.example.com", 443);
    private final Backend ex2 = new Backend("ex2", "https", "ex2.corp.example.com", 443);
    private BackendStates states;
    private HealthcheckPage page;

    @BeforeEach
    void setUp() {
        states = new BackendStates(HealthSettings.defaults(), new MutableClock());
        states.track(ex1, VirtualDirectory.MAPI);
        states.track(ex2, VirtualDirectory.MAPI);
        states.track(ex1, VirtualDirectory.OWA);
        page = new HealthcheckPage(states, "exgate1.example.com");
    }

    private void down(Backend b, VirtualDirectory vdir) {
        states.recordProbe(b, vdir, RESET);
        states.recordProbe(b, vdir, RESET);
    }

    @Test
    void answersAsExchangeWhileABackendIsAvailable() {
        down(ex1, VirtualDirectory.MAPI);

        HealthcheckPage.Answer answer = page.answer(VirtualDirectory.MAPI);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("200 OK<br/>exgate1.example.com");
        assertThat(answer.contentType()).startsWith("text/html");
    }

    @Test
    void answers503WhenNoBackendIsAvailableForThatVirtualDirectoryOnly() {
        down(ex1, VirtualDirectory.MAPI);
        down(ex2, VirtualDirectory.MAPI);

        HealthcheckPage.Answer mapi = page.answer(VirtualDirectory.MAPI);

        assertThat(mapi.status()).isEqualTo(503);
        assertThat(mapi.contentType()).startsWith("text/plain");
        assertThat(mapi.body()).contains("no backend available for /mapi", "ex1 down", "ex2 down");
        assertThat(page.answer(VirtualDirectory.OWA).status()).isEqualTo(200);
    }

    @Test
    void aDrainingBackendStillCountsButAVirtualDirectoryWithoutBackendsDoesNot() {
        states.drain("ex1");

        assertThat(page.answer(VirtualDirectory.OWA).status()).isEqualTo(200);
        assertThat(page.answer(VirtualDirectory.ECP).status()).isEqualTo(503);
        assertThat(page.answer(VirtualDirectory.ECP).body()).contains("no backend serves /ecp");
    }

    @Test
    void maintenanceMakesEveryVirtualDirectoryAnswer503() {
        states.setMaintenance(true);

        for (VirtualDirectory vdir : new VirtualDirectory[] {VirtualDirectory.MAPI, VirtualDirectory.OWA}) {
            HealthcheckPage.Answer answer = page.answer(vdir);
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.body()).contains("maintenance");
        }

        states.setMaintenance(false);
        assertThat(page.answer(VirtualDirectory.MAPI).status()).isEqualTo(200);
    }
}
