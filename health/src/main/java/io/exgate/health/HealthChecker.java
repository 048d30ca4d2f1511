package io.exgate.health;

import io.exgate.routing.Backend;
import io.exgate.routing.VirtualDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every backend on every virtual directory in use and feeds the results into
 * {@link BackendStates}. One timer chain per backend × virtual directory: the next probe is set up
 * only when the previous one finished, so a slow probe is never overlapped.
 */
public final class HealthChecker {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final Vertx vertx;
    private final BackendStates states;
    private final HealthSettings settings;
    private final Map<VirtualDirectory, List<Backend>> targets;
    private final Function<Backend, HttpClientOptions> clientOptions;
    private final String hostHeader;
    private final Map<String, HttpClient> clients = new LinkedHashMap<>();
    private final List<ProbeLoop> loops = new ArrayList<>();
    private boolean started;
    private boolean running;

    /**
     * @param targets       the backends to probe per virtual directory in use
     * @param clientOptions a backend's client options (its TLS trust, SNI, ...); keep-alive is
     *                      turned off on a copy, so every probe opens a fresh connection and finds
     *                      a dead server
     * @param hostHeader    the public name sent as {@code Host}, e.g. {@code outlook.example.com};
     *                      null sends each backend's own host
     */
    public HealthChecker(Vertx vertx, BackendStates states, Map<VirtualDirectory, List<Backend>> targets,
            Function<Backend, HttpClientOptions> clientOptions, String hostHeader) {
        this.vertx = Objects.requireNonNull(vertx);
        this.states = Objects.requireNonNull(states);
        this.settings = states.settings();
        this.targets = Map.copyOf(targets);
        this.clientOptions = Objects.requireNonNull(clientOptions);
        this.hostHeader = hostHeader;
        // Known from the start, so the API and healthcheck.htm list them before the first probe.
        this.targets.forEach((vdir, backends) -> backends.forEach(b -> states.track(b, vdir)));
    }

    /** Starts probing; the first probe of each pair comes at a random point of the first interval. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("a health checker starts once");
        }
        started = true;
        running = true;
        Map<String, Integer> vdirsPerBackend = new LinkedHashMap<>();
        targets.values().forEach(list -> list.forEach(b -> vdirsPerBackend.merge(b.name(), 1, Integer::sum)));
        for (Map.Entry<VirtualDirectory, List<Backend>> target : targets.entrySet()) {
            for (Backend backend : target.getValue()) {
                HttpClient client = clients.computeIfAbsent(backend.name(),
                        name -> createClient(backend, vdirsPerBackend.get(name)));
                loops.add(new ProbeLoop(backend, target.getKey(), new HealthProbe(vertx, client, settings.timeout())));
            }
        }
        long interval = settings.interval().toMillis();
        loops.forEach(loop -> loop.schedule(1 + ThreadLocalRandom.current().nextLong(interval)));
        LOG.info("health checks started: {} probes every {} ms, timeout {} ms, rise {}, fall {}", loops.size(),
                interval, settings.timeout().toMillis(), settings.rise(), settings.fall());
    }

    /** Cancels the timers and closes the probe clients; a probe in flight is not recorded. */
    public synchronized Future<Void> stop() {
        running = false;
        loops.forEach(ProbeLoop::cancel);
        List<Future<Void>> closed = clients.values().stream().map(HttpClient::close).toList();
        clients.clear();
        return Future.join(closed).mapEmpty();
    }

    private HttpClient createClient(Backend backend, int vdirs) {
        HttpClientOptions options = new HttpClientOptions(clientOptions.apply(backend)).setKeepAlive(false);
        // One connection per virtual directory probed: they never wait for each other.
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(Math.max(1, vdirs)));
    }

    private synchronized boolean running() {
        return running;
    }

    /** The timer chain of one backend × virtual directory. */
    private final class ProbeLoop {
        private final Backend backend;
        private final VirtualDirectory vdir;
        private final ProbeSpec spec;
        private final HealthProbe probe;
        private long timerId = -1;

        ProbeLoop(Backend backend, VirtualDirectory vdir, HealthProbe probe) {
            this.backend = backend;
            this.vdir = vdir;
            this.spec = settings.probeFor(vdir);
            this.probe = probe;
        }

        void schedule(long delayMs) {
            synchronized (HealthChecker.this) {
                if (running) {
                    timerId = vertx.setTimer(Math.max(1, delayMs), id -> run());
                }
            }
        }

        void cancel() {
            synchronized (HealthChecker.this) {
                if (timerId >= 0) {
                    vertx.cancelTimer(timerId);
                }
            }
        }

        private void run() {
            if (!running()) {
                return;
            }
            long startedNanos = System.nanoTime();
            probe.probe(backend, spec, hostHeader).onComplete(done -> {
                try {
                    if (running()) {
                        ProbeResult result = done.succeeded() ? done.result()
                                : ProbeResult.failed(String.valueOf(done.cause()), Duration.ZERO);
                        states.recordProbe(backend, vdir, result);
                    }
                } finally {
                    long elapsedMs = (System.nanoTime() - startedNanos) / 1_000_000;
                    schedule(nextDelay() - elapsedMs);
                }
            });
        }

        /** The interval ± jitter, so probes of many backends do not arrive in step. */
        private long nextDelay() {
            double spread = settings.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
            return Math.round(settings.interval().toMillis() * (1 + spread));
        }
    }
}
