package io.exgate.metrics;

import static io.exgate.metrics.LogFiles.await;
import static io.exgate.metrics.LogFiles.files;
import static io.exgate.metrics.LogFiles.folder;
import static io.exgate.metrics.LogFiles.record;
import static io.exgate.metrics.LogFiles.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests run as root here, so permissions cannot make a folder unwritable: a file in its place does. */
class HttpProxyLogDiskFailureTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock("2024-03-10T12:00:00Z");

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    void aFolderReplacedByAFileDropsAndCountsLinesUntilItIsFixedThenWritingResumes() throws IOException {
        Path mapi = folder(dir, "Mapi");
        try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock)) {
            assertThat(log.log(record("Mapi", "before"))).isTrue();
            await("the first line written", () -> log.written() == 1);

            deleteTree(mapi);
            Files.writeString(mapi, "in the way");
            for (int i = 0; i < 3; i++) {
                assertThat(log.log(record("Mapi", "lost" + i))).isTrue(); // queued: the caller sees no error
            }
            await("the lines counted as dropped", () -> log.dropped() == 3);
            assertThat(log.written()).isEqualTo(1);

            // Other protocols are not affected by one folder's trouble.
            log.log(record("Ews", "elsewhere"));
            await("the other folder's line written", () -> log.written() == 2);

            Files.delete(mapi);
            log.log(record("Mapi", "after1"));
            log.log(record("Mapi", "after2"));
            await("writing resumed", () -> log.written() == 4);
        }
        assertThat(files(mapi)).singleElement().satisfies(file ->
                assertThat(rows(file)).extracting(row -> row.get("RequestId")).containsExactly("after1", "after2"));
    }

    @Test
    void aLogDirectoryThatCannotBeCreatedDropsLinesWithoutThrowing() throws IOException {
        Files.writeString(dir.resolve("HttpProxy"), "a file where the folder should be");
        try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock)) {
            assertThat(log.log(record("Owa", "a"))).isTrue();
            assertThat(log.log(record("Mapi", "b"))).isTrue();
            await("both dropped", () -> log.dropped() == 2);
            assertThat(log.written()).isZero();
        }
    }

    @Test
    void aFolderRemovedWhileItsFileIsOpenIsRecreatedAndNoLineIsLost() throws IOException {
        Path eas = folder(dir, "Eas");
        try (HttpProxyLog log = HttpProxyLog.open(HttpProxyLogSettings.defaults(dir, "1"), clock)) {
            log.log(record("Eas", "first"));
            await("the first line written", () -> log.written() == 1);

            deleteTree(dir.resolve("HttpProxy"));
            log.log(record("Eas", "second"));
            await("the second line written", () -> log.written() == 2);
            assertThat(log.dropped()).isZero();
        }
        assertThat(files(eas)).singleElement().satisfies(file ->
                assertThat(rows(file)).extracting(row -> row.get("RequestId")).containsExactly("second"));
    }
}
