package io.exgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RendezvousHashTest {
    private static final Backend EX1 = new Backend("ex1", "https", "ex1.corp.example.com", 443);
    private static final Backend EX2 = new Backend("ex2", "https", "ex2.corp.example.com", 443);
    private static final Backend EX3 = new Backend("ex3", "https", "ex3.corp.example.com", 443);
    private static final Backend EX4 = new Backend("ex4", "https", "ex4.corp.example.com", 443);

    private static List<String> mailboxes(int n) {
        Random r = new Random(20261125);
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new UUID(r.nextLong(), r.nextLong()) + "@contoso.com").toList();
    }

    private static Map<String, Integer> spread(List<String> keys, List<WeightedBackend> backends) {
        Map<String, Integer> counts = new HashMap<>();
        for (String k : keys) {
            counts.merge(RendezvousHash.rank(k, backends).get(0).name(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void tenThousandMailboxesSpreadEvenlyOverThreeEqualBackends() {
        Map<String, Integer> counts = spread(mailboxes(10_000),
                List.of(new WeightedBackend(EX1, 1), new WeightedBackend(EX2, 1), new WeightedBackend(EX3, 1)));
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(3167, 3500));
    }

    @Test
    void weightsTwoOneOneHoldWithinFivePercent() {
        Map<String, Integer> counts = spread(mailboxes(10_000),
                List.of(new WeightedBackend(EX1, 2), new WeightedBackend(EX2, 1), new WeightedBackend(EX3, 1)));
        assertThat(counts.get("ex1")).isBetween(4750, 5250);
        assertThat(counts.get("ex2")).isBetween(2375, 2625);
        assertThat(counts.get("ex3")).isBetween(2375, 2625);
    }

    @Test
    void addingAFourthBackendMovesAboutAQuarterAndNothingBetweenTheOthers() {
        List<String> keys = mailboxes(10_000);
        List<WeightedBackend> three = List.of(new WeightedBackend(EX1, 1), new WeightedBackend(EX2, 1), new WeightedBackend(EX3, 1));
        List<WeightedBackend> four = List.of(new WeightedBackend(EX1, 1), new WeightedBackend(EX2, 1), new WeightedBackend(EX3, 1),
                new WeightedBackend(EX4, 1));
        int moved = 0;
        for (String k : keys) {
            Backend before = RendezvousHash.rank(k, three).get(0);
            Backend after = RendezvousHash.rank(k, four).get(0);
            if (!before.equals(after)) {
                moved++;
                assertThat(after).as("a key that moves may only move to the new backend").isEqualTo(EX4);
            }
        }
        assertThat(moved).isBetween(2375, 2625);
    }

    @Test
    void removingABackendMovesOnlyItsKeysToTheirNextChoice() {
        List<WeightedBackend> three = List.of(new WeightedBackend(EX1, 1), new WeightedBackend(EX2, 1), new WeightedBackend(EX3, 1));
        List<WeightedBackend> two = List.of(new WeightedBackend(EX1, 1), new WeightedBackend(EX3, 1));
        for (String k : mailboxes(2_000)) {
            List<Backend> rank = RendezvousHash.rank(k, three);
            Backend after = RendezvousHash.rank(k, two).get(0);
            assertThat(after).isEqualTo(rank.get(0).equals(EX2) ? rank.get(1) : rank.get(0));
        }
    }

    @Test
    void theOrderDependsOnNothingButTheKeyAndTheNames() {
        List<WeightedBackend> a = List.of(new WeightedBackend(EX1, 1), new WeightedBackend(EX2, 1), new WeightedBackend(EX3, 1));
        List<WeightedBackend> b = List.of(new WeightedBackend(EX3, 1), new WeightedBackend(EX1, 1), new WeightedBackend(EX2, 1));
        for (String k : mailboxes(500)) {
            assertThat(RendezvousHash.rank(k, a)).isEqualTo(RendezvousHash.rank(k, b));
        }
    }

    /** The hash as first shipped (getBytes per call): replicas of different versions must keep agreeing. */
    private static long firstShippedHash(String key, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte x : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ 0xff) * 0x100000001b3L;
        for (byte x : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Test
    void theHashIsTheOneFirstShippedForEveryKindOfKey() {
        java.util.List<String> keys = new java.util.ArrayList<>(java.util.List.of("", "a", "user@contoso.com",
                "d8e1f2a3-0b1c-4d5e-8f90-123456789abc@contoso.com", "müller@exämple.de", "用户@例子.公司", "mail\uD83D\uDCE7@x.com",
                "broken\uD800surrogate", "end\uDC00", "mbx01.contoso.com:6001"));
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2_000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = (char) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : 0x20 + random.nextInt(0x5f));
            }
            keys.add(new String(chars));
        }
        for (String key : keys) {
            for (String name : java.util.List.of("ex1", "EX-MBX-02.corp", "b")) {
                assertThat(RendezvousHash.hash(key, name)).as(key + " / " + name).isEqualTo(firstShippedHash(key, name));
            }
        }
    }
}
