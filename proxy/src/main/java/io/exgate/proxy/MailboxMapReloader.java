package io.exgate.proxy;

import io.exgate.routing.MailboxMap;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code routing.mailbox-map} current: the file's size and time are checked every few seconds
 * through Vert.x's asynchronous file system, and a changed file is read and parsed off the event
 * loop. A broken file is refused with its line number; the map in service stays.
 */
final class MailboxMapReloader {
    private static final Logger LOG = LoggerFactory.getLogger(MailboxMapReloader.class);
    static final long PERIOD_MILLIS = 2_000;

    private final Vertx vertx;
    private final Path file;
    private final Set<String> backends;
    private final AtomicReference<MailboxMap> current;
    private long seenModified;
    private long seenSize;
    private boolean checking;
    private long timer = -1;

    MailboxMapReloader(Vertx vertx, Path file, Set<String> backends, AtomicReference<MailboxMap> current) {
        this.vertx = vertx;
        this.file = file;
        this.backends = backends;
        this.current = current;
    }

    void start() {
        vertx.fileSystem().props(file.toString()).onComplete(ar -> {
            if (ar.succeeded()) {
                seenModified = ar.result().lastModifiedTime();
                seenSize = ar.result().size();
            }
            timer = vertx.setPeriodic(PERIOD_MILLIS, id -> check());
        });
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void check() {
        if (checking) {
            return;
        }
        checking = true;
        vertx.fileSystem().props(file.toString())
                .compose(props -> changed(props) ? reload(props) : io.vertx.core.Future.<Void>succeededFuture())
                .onComplete(ar -> {
                    checking = false;
                    if (ar.failed()) {
                        LOG.warn("mailbox map {} cannot be read ({}); the map in service stays", file, ar.cause().getMessage());
                    }
                });
    }

    private boolean changed(FileProps props) {
        return props.lastModifiedTime() != seenModified || props.size() != seenSize;
    }

    private io.vertx.core.Future<Void> reload(FileProps props) {
        seenModified = props.lastModifiedTime();
        seenSize = props.size();
        return vertx.fileSystem().readFile(file.toString())
                .compose(bytes -> vertx.executeBlocking(() -> MailboxMap.parse(file.toString(), bytes.toString(StandardCharsets.UTF_8), backends)))
                .onSuccess(map -> {
                    current.set(map);
                    LOG.info("mailbox map {} reloaded: {} entries", file, map.size());
                })
                .onFailure(e -> LOG.warn("mailbox map {} refused, the map in service stays: {}", file, e.getMessage()))
                .<Void>mapEmpty()
                .recover(e -> io.vertx.core.Future.<Void>succeededFuture());
    }
}
