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
}
