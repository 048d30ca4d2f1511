package io.exgate.metrics;

import static io.exgate.metrics.LogFiles.allRows;
import static io.exgate.metrics.LogFiles.folder;
import static io.exgate.metrics.LogFiles.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class HttpProxyLogQueueTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock("2024-03-10T12:00:00Z");

    private HttpProxyLogSettings withQueue(int capacity) {
        return new HttpProxyLogSettings(dir, HttpProxyLogSettings.DEFAULT_MAX_FILE_SIZE,
                HttpProxyLogSettings.DEFAULT_MAX_AGE, HttpProxyLogSettings.DEFAULT_MAX_TOTAL_SIZE, capacity, "1");
    }

    @Test
    @Timeout(30) // a log() that blocked would hang here instead
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        HttpProxyLog log = HttpProxyLog.openPaused(withQueue(10), clock); // the writer is not taking anything
        int accepted = 0;
        for (int i = 0; i < 1000; i++) {
            if (log.log(record("Mapi", "r" + i))) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(10);
        assertThat(log.dropped()).isEqualTo(990);
        assertThat(log.written()).isZero();

        assertThat(log.close(Duration.ofSeconds(10))).isTrue();
        assertThat(log.written()).isEqualTo(10);
        assertThat(log.written() + log.dropped()).isEqualTo(1000);
        assertThat(allRows(folder(dir, "Mapi"))).extracting(row -> row.get("RequestId"))
                .containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
    }

    @Test
    void closeWritesEveryLineQueuedBeforeIt() {
        HttpProxyLog log = HttpProxyLog.open(withQueue(100_000), clock);
        for (int i = 0; i < 20_000; i++) {
            assertThat(log.log(record(i % 2 == 0 ? "Mapi" : "Ews", "r" + i))).isTrue();
        }
        log.close();
        assertThat(log.written()).isEqualTo(20_000);
        assertThat(log.dropped()).isZero();
        assertThat(allRows(folder(dir, "Mapi"))).hasSize(10_000);
        assertThat(allRows(folder(dir, "Ews"))).hasSize(10_000);
    }

    @Test
    void aLineLoggedAfterCloseIsRefusedAndCounted() {
        HttpProxyLog log = HttpProxyLog.open(withQueue(10), clock);
        log.close();
        assertThat(log.log(record("Mapi", "late"))).isFalse();
        assertThat(log.dropped()).isEqualTo(1);
        assertThat(log.written()).isZero();
    }

    @Test
    @Timeout(60)
    void everyLineIsEitherWrittenOrCountedAsDroppedEvenWhenCloseRacesWithLoggers() throws InterruptedException {
        HttpProxyLog log = HttpProxyLog.open(withQueue(64), clock);
        AtomicLong attempts = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(4);
        List<Thread> loggers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String protocol = HttpProxyLogRecord.PROTOCOL_FOLDERS.get(t);
            Thread logger = new Thread(() -> {
                running.countDown();
                for (int i = 0; !stop.get(); i++) {
                    log.log(record(protocol, "r" + i));
                    attempts.incrementAndGet();
                }
            });
            logger.start();
            loggers.add(logger);
        }
        running.await();
        LogFiles.await("some lines written", () -> log.written() > 1000);
        assertThat(log.close(Duration.ofSeconds(30))).isTrue();
        stop.set(true);
        for (Thread logger : loggers) {
            logger.join();
        }
        assertThat(log.written() + log.dropped()).isEqualTo(attempts.get());
        long rows = 0;
        for (int t = 0; t < 4; t++) {
            rows += allRows(folder(dir, HttpProxyLogRecord.PROTOCOL_FOLDERS.get(t))).size();
        }
        assertThat(rows).isEqualTo(log.written());
    }
}
