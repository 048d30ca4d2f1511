package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** exgate as users run it: {@code java -jar proxy/target/exgate.jar ...} in a JVM of its own. */
final class ExgateProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on https://[^ ]+:(\\d+) ");

    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ExgateProcess(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        }, "exgate-output");
        reader.setDaemon(true);
        reader.start();
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("exgate.jar", "proxy/target/exgate.jar"));
        assertThat(jar).as("the runnable jar (built by the proxy module before this suite)").exists();
        return jar;
    }

    static ExgateProcess start(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return new ExgateProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Runs a short command to completion and returns its exit code. */
    static ExgateProcess runToEnd(String... args) throws Exception {
        ExgateProcess p = start(List.of(), args);
        assertThat(p.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        p.reader.join(5_000);
        return p;
    }

    /** Waits for a line matching the pattern and returns the match. */
    Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean last = false;
        while (System.nanoTime() < deadline) {
            // Once the process and its output have ended, one more look covers lines read meanwhile.
            last = !process.isAlive() && !reader.isAlive();
            for (String line : output) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            if (last) {
                break;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line matching " + pattern + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")")
                + " in:\n" + String.join("\n", output));
    }

    int awaitListeningPort() throws InterruptedException {
        return Integer.parseInt(awaitLine(LISTENING, Duration.ofSeconds(60)).group(1));
    }

    String text() {
        return String.join("\n", output);
    }

    /** Peak resident memory of the process so far, in MiB (Linux VmHWM). */
    long peakRssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        throw new IOException("no VmHWM for " + process.pid());
    }

    /**
     * SIGTERM, as systemd and Kubernetes stop a service. Sent with kill(1): Process.destroy() would
     * also close our end of the process's output, losing everything it logs while it drains.
     */
    void terminate() throws Exception {
        Process kill = new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
