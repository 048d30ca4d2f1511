package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the side-by-side benchmark (src/test/bench/run) working: its smoke run completes and reports
 * every scenario for every peer, without errors. It says nothing about speed and asserts none.
 */
class BenchmarkSmokeTest {
    private static final Path REPO = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();

    @Test
    void theBenchmarkSmokeRunReportsEveryScenarioForEveryPeer() throws Exception {
        Path results = REPO.resolve("target/bench");
        List<Path> before = tsvFiles(results);
        Process bench = new ProcessBuilder(REPO.resolve("src/test/bench/run").toString(), "--smoke", "--floor")
                .directory(REPO.toFile()).redirectErrorStream(true).start();
        bench.getOutputStream().close();
        String output = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bench.waitFor(10, TimeUnit.MINUTES)).as("the smoke run ends").isTrue();
        assertThat(bench.exitValue()).as(output).isZero();

        List<Path> after = tsvFiles(results);
        after.removeAll(before);
        assertThat(after).as("one new results file").hasSize(1);
        List<String> rows = Files.readAllLines(after.get(0), StandardCharsets.UTF_8);
        List<String> header = List.of(rows.get(0).split("\t"));
        int rate = header.indexOf("rate");
        int errors = header.indexOf("errors");
        int cpu = header.indexOf("cpu_s_per_10k");
        int user = header.indexOf("user_s_per_10k");
        for (String scenario : List.of("1 mapi execute", "2 handshake tls1.3", "2 handshake tls1.2", "3 stream up", "3 stream down")) {
            for (String peer : List.of("direct", "exgate", "nginx", "haproxy")) {
                String[] row = row(rows, scenario, peer);
                assertThat(Double.parseDouble(row[rate])).as(scenario + " / " + peer + " rate").isPositive();
                assertThat(row[errors]).as(scenario + " / " + peer + " errors").isIn("", "0");
                if (!scenario.startsWith("3")) {
                    // The user-space share of the CPU figure, which says where a gap between peers lies.
                    assertThat(Double.parseDouble(row[user])).as(scenario + " / " + peer + " user CPU")
                            .isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(Double.parseDouble(row[cpu]));
                }
            }
        }
        int full = header.indexOf("full_handshakes");
        int resumed = header.indexOf("resumed_handshakes");
        for (String peer : List.of("direct", "exgate", "nginx", "haproxy")) {
            // wrk resumes its TLS session on every reconnect unless fresh-tls.so drops it: scenario 2's
            // handshake rows count full handshakes only, its "resumed" row resumed ones (after the first
            // handshake of each of its connections).
            for (String scenario : List.of("2 handshake tls1.3", "2 handshake tls1.2", "2 resumed tls1.3")) {
                String[] row = row(rows, scenario, peer);
                boolean fresh = scenario.startsWith("2 handshake");
                assertThat(Long.parseLong(row[fresh ? full : resumed])).as(scenario + " / " + peer).isPositive();
                if (fresh) {
                    assertThat(row[resumed]).as(scenario + " / " + peer + " resumed").isEqualTo("0");
                }
            }
        }
        int jit = header.indexOf("jit_ms");
        int waiting = header.indexOf("loop_waiting_ms_per_s");
        for (String peer : List.of("exgate", "floor", "nginx")) {
            // A JVM's run says how much its JIT compiler took meanwhile (p99 follows it), and how long its event
            // loop waited for the core its other threads share; a native peer's has nothing to say.
            String[] row = row(rows, "1 mapi execute", peer);
            if (peer.equals("nginx")) {
                assertThat(row[jit]).as("nginx JIT").isEmpty();
                assertThat(row[waiting]).as("nginx event loop waiting").isEmpty();
            } else {
                assertThat(Double.parseDouble(row[jit])).as(peer + " JIT ms").isGreaterThanOrEqualTo(0);
                assertThat(Double.parseDouble(row[waiting])).as(peer + " event loop waiting").isGreaterThanOrEqualTo(0);
            }
        }
        // Which of exgate's threads took its CPU per request (the event loop, the log writer, the JIT compiler).
        assertThat(output).containsPattern("round 1 exgate +s1 .*event loop waited for the CPU \\d+\\.\\d ms/s; "
                + "CPU s/10k by thread: .*vert\\.x-eventloo \\d+\\.\\d+");
        for (String scenario : List.of("1 mapi execute", "2 handshake tls1.3", "2 handshake tls1.2")) {
            // The bare Netty relay answers like the proxies (it is in scenarios 1 and 2 only).
            String[] row = row(rows, scenario, "floor");
            assertThat(Double.parseDouble(row[rate])).as(scenario + " / floor rate").isPositive();
            assertThat(row[errors]).as(scenario + " / floor errors").isIn("", "0");
        }
        assertThat(rows).as("the floor takes no part in streaming").noneMatch(r -> r.startsWith("3 ") && r.split("\t")[1].equals("floor"));
        for (String scenario : List.of("4 half-rate, no polls", "4 first 2 s after 200 polls", "4 half-rate, 200 polls", "4 half-rate, polls closed")) {
            String[] row = row(rows, scenario, "exgate");
            assertThat(Double.parseDouble(row[rate])).as(scenario + " rate").isPositive();
        }
        assertThat(output).contains("200 NotificationWait long polls held (0 failed)");
        // The smoke takes one run with the polls held; a real run takes --s4-runs of them and their median.
        assertThat(output).containsPattern("with: the median of 1 runs, p99 \\d+\\.\\d+ ms;");
        // The polls cost exgate's core more than their own work: its event loop may wait for the core longer.
        assertThat(output).containsPattern("exgate's event loop waited for CPU 0 \\d+\\.\\d ms/s without the polls, \\d+\\.\\d ms/s with them");
        // The poll client and the sink run on the load CPU beside wrk: the report says what they took of it.
        assertThat(output).containsPattern("the long-poll client and the sink took \\d+ ms/s of CPU 1");
        // Other processes on the machine compete with the pinned peers: the report says how much CPU they took.
        assertThat(output).containsPattern("processes outside the benchmark took \\d+ ms/s of CPU without the polls "
                + "and \\d+ ms/s with them \\(top: [^)]* \\d+");
        // A VM's host may take its CPUs away: the report says how much of the proxy's it stole, and the two
        // baselines without polls, far apart when the machine changed during the scenario.
        assertThat(output).containsPattern("p99 without the polls: \\d+\\.\\d\\d ms before them, \\d+\\.\\d\\d ms after[^;]*; "
                + "the host stole \\d+ ms/s of CPU 0 without the polls and \\d+ ms/s with them");
        // The verdict: one line per target of issue 8, its figure and whether it was met.
        assertThat(output).contains("targets (issue 8), each ratio the median of its round-by-round (scenario 1: slice-by-slice) ratios:");
        // Scenario 1 takes one ratio per slice (a pass over the peers), the others one per round.
        for (String target : List.of("s1 rate >= 1.0x nginx", "s1 rate >= 1.0x HAProxy", "s1 p99 <= 1.2x the better of them",
                "s2 TLS 1.3 full handshakes/s >= 1.0x nginx", "s2 TLS 1.2 full handshakes/s >= 1.0x nginx")) {
            assertThat(output).containsPattern("(?m)^  " + java.util.regex.Pattern.quote(target)
                    + " +\\d+\\.\\d\\dx \\(" + (target.startsWith("s1 ") ? "slices" : "rounds") + " \\d+\\.\\d\\d\\)  (met|MISSED)$");
        }
        for (String d : List.of("up", "down")) {
            assertThat(output).containsPattern("(?m)^  s3 " + d + " MiB/s >= 0\\.9x nginx, RSS flat +\\d+\\.\\d\\dx \\(rounds \\d+\\.\\d\\d\\), "
                    + "RSS grew -?\\d+ MiB streaming 64 MiB  (met|MISSED)$");
        }
        assertThat(output).containsPattern("(?m)^  s4 RSS <= 600 MiB +\\d+ MiB with 200 polls  (met|MISSED)$");
        assertThat(output).containsPattern("(?m)^  s4 s1's p99 with polls <= 1\\.5x without +\\d+\\.\\d\\dx  (met|MISSED)$");
    }

    /** The results row of one scenario and peer, split into its tab-separated fields. */
    private static String[] row(List<String> rows, String scenario, String peer) {
        return rows.stream().map(r -> r.split("\t", -1)).filter(r -> r[0].equals(scenario) && r[1].equals(peer))
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + scenario + " / " + peer + " in " + rows));
    }

    private static List<Path> tsvFiles(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return new ArrayList<>();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return new ArrayList<>(files.filter(f -> f.getFileName().toString().matches("results-.*\\.tsv")).toList());
        }
    }
}
