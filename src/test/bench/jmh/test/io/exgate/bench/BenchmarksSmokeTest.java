package io.exgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.health.BackendStatesBenchmark;
import io.exgate.metrics.LogLineBenchmark;
import io.exgate.routing.AffinityCookieBenchmark;
import io.exgate.routing.ClassifyBenchmark;
import io.exgate.routing.RendezvousHashBenchmark;
import io.exgate.routing.RouteBenchmark;
import io.exgate.routing.RoutingKeyBenchmark;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Keeps the JMH benchmarks working (issue 8: CI runs a short smoke): every benchmark, with every
 * parameter, runs once for 100 ms under the GC profiler and must report a time and an allocation
 * figure. It says nothing about speed and never fails on it. In this JVM (no fork): one JVM start
 * instead of one per benchmark keeps it to seconds; src/test/bench/jmh/run --smoke runs the jar forked.
 */
class BenchmarksSmokeTest {
    /** Every benchmark class; a new one must be added here, or the test fails on its unexpected results. */
    static final List<Class<?>> BENCHMARKS = List.of(ClassifyBenchmark.class, RoutingKeyBenchmark.class,
            AffinityCookieBenchmark.class, RendezvousHashBenchmark.class, RouteBenchmark.class, BackendStatesBenchmark.class,
            LogLineBenchmark.class);

    @Test
    void everyBenchmarkRunsOnceAndReportsTimeAndAllocation() throws Exception {
        Options options = new OptionsBuilder()
                .include("^io\\.exgate\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Map<String, RunResult> byName = new TreeMap<>();
        for (RunResult r : results) {
            byName.put(name(r.getParams()), r);
        }
        assertThat(byName.keySet()).as("benchmarks (with parameters) that produced a result")
                .containsExactlyInAnyOrderElementsOf(expected());
        for (Map.Entry<String, RunResult> e : byName.entrySet()) {
            double score = e.getValue().getPrimaryResult().getScore();
            assertThat(score).as("%s: time per operation", e.getKey()).isPositive().isFinite();
            Result<?> alloc = e.getValue().getSecondaryResults().get("gc.alloc.rate.norm");
            assertThat(alloc).as("%s: gc.alloc.rate.norm", e.getKey()).isNotNull();
            assertThat(alloc.getScore()).as("%s: bytes per operation", e.getKey()).isNotNaN().isGreaterThanOrEqualTo(0);
        }
    }

    /** Every @Benchmark method times every combination of its class's @Param values. */
    private static List<String> expected() {
        List<String> out = new ArrayList<>();
        for (Class<?> c : BENCHMARKS) {
            List<Map<String, String>> combos = new ArrayList<>(List.of(new TreeMap<>()));
            for (Field f : c.getDeclaredFields()) {
                Param p = f.getAnnotation(Param.class);
                if (p == null) {
                    continue;
                }
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> base : combos) {
                    for (String v : p.value()) {
                        Map<String, String> m = new TreeMap<>(base);
                        m.put(f.getName(), v);
                        next.add(m);
                    }
                }
                combos = next;
            }
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Benchmark.class)) {
                    for (Map<String, String> params : combos) {
                        out.add(c.getName() + "." + m.getName() + params);
                    }
                }
            }
        }
        return out;
    }

    private static String name(BenchmarkParams p) {
        Map<String, String> params = new TreeMap<>();
        for (String k : new TreeSet<>(p.getParamsKeys())) {
            params.put(k, p.getParam(k));
        }
        return p.getBenchmark() + params;
    }
}
