package io.exgate.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class IsoInstantTest {
    @Test
    void writesWhatInstantToStringWrites() {
        long second = Instant.parse("2026-11-25T13:44:28Z").getEpochSecond();
        int[] nanos = {0, 1, 999, 1_000, 388_614_000, 388_000_000, 100_000_000, 999_999_999, 5_000_000, 120};
        for (int n : nanos) {
            Instant t = Instant.ofEpochSecond(second, n);
            assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(0, 4_102_444_800L), r.nextInt(1_000_000_000));
            assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
        }
        assertThat(IsoInstant.format(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00Z");
    }
}
