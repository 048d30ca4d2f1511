package io.exgate.health;

import io.exgate.bench.PerRequestBenchmark;
import io.exgate.routing.Backend;
import io.exgate.routing.BackendHealth;
import io.exgate.routing.ExchangeProtocol;
import io.exgate.routing.VirtualDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * What health costs one proxied request: the router asks for the admission of every backend of the
 * protocol's route (10 probed mailbox servers here), then the answer is reported as a passive success.
 * RouteBenchmark leaves this out (its health says every backend is up without looking).
 */
public class BackendStatesBenchmark extends PerRequestBenchmark {
    private BackendStates states;
    private Backend[] backends;
    private int i;

    @Setup
    public void setUp() {
        states = new BackendStates(HealthSettings.defaults());
        List<Backend> list = new ArrayList<>();
        for (int k = 1; k <= 10; k++) {
            String name = String.format("mbx%02d", k);
            list.add(new Backend(name, "https", name + ".corp.contoso.com", 444));
        }
        backends = list.toArray(Backend[]::new);
        for (Backend b : backends) {
            states.track(b, VirtualDirectory.MAPI);
            for (int p = 0; p < 3; p++) {
                states.recordProbe(b, VirtualDirectory.MAPI,
                        new ProbeResult(true, 200, "200 OK", Duration.ofMillis(2), b.name(), null));
            }
        }
    }

    @Benchmark
    public int admitAllThenReportSuccess() {
        int admitted = 0;
        for (Backend b : backends) {
            if (states.admission(b, ExchangeProtocol.MAPI) == BackendHealth.Admission.ALL) {
                admitted++;
            }
        }
        i = (i + 1) % backends.length;
        states.recordPassive(backends[i], VirtualDirectory.MAPI, false);
        return admitted;
    }
}
