package io.exgate.proxy;

import io.exgate.proxy.http.FrontendVerticle;
import io.exgate.tls.CertificateLoadException;
import io.exgate.tls.CertificateSource;
import io.exgate.tls.PemCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts renewed certificates into service without a restart: on a change of the files (checked every
 * two seconds, and only once they have stopped changing, so a half-copied file is not read), on
 * {@code POST /api/tls/reload} and on SIGHUP. New handshakes use the new certificates; open
 * connections are untouched. A file that does not load is refused and the old certificates stay.
 */
final class CertificateReloader {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);
    static final long PERIOD_MILLIS = 2_000;

    private final Vertx vertx;
    private final List<CertificateSource> sources;
    private final List<FrontendVerticle> listeners;
    private final Consumer<List<PemCertificate>> reloaded;
    private Map<Path, String> seen;
    private Map<Path, String> pending;
    private long timer = -1;

    CertificateReloader(Vertx vertx, List<CertificateSource> sources, List<FrontendVerticle> listeners,
                        Consumer<List<PemCertificate>> reloaded) {
        this.reloaded = reloaded;
        this.vertx = vertx;
        this.sources = List.copyOf(sources);
        this.listeners = listeners;
    }

    void watch() {
        vertx.executeBlocking(this::stamps).onSuccess(s -> {
            seen = s;
            timer = vertx.setPeriodic(PERIOD_MILLIS, id -> check());
        });
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Loads every certificate again off the event loop and hands them to every listener. */
    Future<String> reload(String trigger) {
        return vertx.executeBlocking(() -> {
            List<PemCertificate> loaded = new ArrayList<>();
            for (CertificateSource s : sources) {
                loaded.add(s.load());
            }
            return loaded;
        }).compose(certs -> Future.all(listeners.stream().map(l -> l.updateTls(certs)).toList()).map(v -> certs))
                .map(certs -> {
                    reloaded.accept(certs);
                    String what = certs.stream().map(c -> c.leaf().getSubjectX500Principal().getName() + " until " + c.leaf().getNotAfter()
                            .toInstant()).collect(Collectors.joining("; "));
                    LOG.info("TLS certificates reloaded ({}): {}", trigger, what);
                    return what;
                })
                .onFailure(e -> LOG.warn("TLS certificate reload ({}) refused, the certificates in service stay: {}", trigger,
                        e instanceof CertificateLoadException ? e.getMessage() : e.toString()));
    }

    private void check() {
        vertx.executeBlocking(this::stamps).onSuccess(now -> {
            if (now.equals(seen)) {
                pending = null;
            } else if (now.equals(pending)) {
                // Unchanged since the last look: the copy is complete.
                seen = now;
                pending = null;
                reload("files changed");
            } else {
                pending = now;
            }
        });
    }

    private Map<Path, String> stamps() {
        Map<Path, String> out = new HashMap<>();
        for (CertificateSource s : sources) {
            for (Path p : s.files()) {
                try {
                    out.put(p, Files.getLastModifiedTime(p).toMillis() + "/" + Files.size(p));
                } catch (IOException e) {
                    out.put(p, "missing");
                }
            }
        }
        return out;
    }
}
