package io.exgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as users run it, from the built jar. */
class CliTest {
    @TempDir
    Path dir;

    @Test
    void versionAndHelpDescribeTheCommands() throws Exception {
        ExgateProcess version = ExgateProcess.runToEnd("--version");
        assertThat(version.process.exitValue()).isZero();
        assertThat(version.text()).containsPattern("exgate \\d+\\.\\d+\\.\\d+");
        ExgateProcess help = ExgateProcess.runToEnd("--help");
        assertThat(help.process.exitValue()).isZero();
        assertThat(help.text()).contains("run", "check-config", "demo", "Exit codes");
        ExgateProcess runHelp = ExgateProcess.runToEnd("run", "--help");
        assertThat(runHelp.text()).contains("--config", "SIGTERM");
    }

    @Test
    void aConfigurationErrorStopsTheStartWithTheFileKeyAndValue() throws Exception {
        try (Lab lab = new Lab(dir)) {
            Path config = lab.writeConfig("127.0.0.1:0", List.of("http://127.0.0.1:1"), "timeouts:\n  idle: forever\n");
            ExgateProcess run = ExgateProcess.runToEnd("run", "--config", config.toString());
            assertThat(run.process.exitValue()).isEqualTo(2);
            assertThat(run.text()).contains(config + ": timeouts.idle = 'forever': is not a duration");
            ExgateProcess check = ExgateProcess.runToEnd("check-config", "--config", config.toString());
            assertThat(check.process.exitValue()).isEqualTo(2);
        }
    }

    @Test
    void sigtermLetsALongPollInFlightFinishThenExitsZero() throws Exception {
        try (Lab lab = new Lab(dir)) {
            SimulatedMailboxServer ex1 = new SimulatedMailboxServer(lab.vertx, "ex1", SimulatedMailboxServer.Settings.exchangeLike()
                    .withPendingPeriod(Duration.ofMillis(500)).withNotificationWait(Duration.ofSeconds(3)).withStrictSessions(false));
            Path config = lab.writeConfig("127.0.0.1:0", List.of(lab.simulator(ex1)), "timeouts:\n  shutdown: 20s\n");
            try (ExgateProcess exgate = ExgateProcess.start(List.of(), "run", "--config", config.toString())) {
                int port = exgate.awaitListeningPort();
                HttpClient client = lab.keep(lab.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
                        .setVerifyHost(false).setDefaultHost("localhost").setDefaultPort(port)));
                Promise<Void> firstLine = Promise.promise();
                StringBuilder body = new StringBuilder();
                Promise<String> whole = Promise.promise();
                client.request(HttpMethod.POST, "/mapi/emsmdb/?MailboxId=a@b.c")
                        .compose(req -> req.putHeader("X-RequestType", "NotificationWait").send(Buffer.buffer("w")))
                        .onSuccess(resp -> {
                            resp.handler(b -> {
                                synchronized (body) {
                                    body.append(b.toString(StandardCharsets.UTF_8));
                                }
                                firstLine.tryComplete();
                            });
                            resp.endHandler(v -> whole.tryComplete(body.toString()));
                            resp.exceptionHandler(whole::tryFail);
                        })
                        .onFailure(whole::tryFail);
                firstLine.future().await(10, TimeUnit.SECONDS);
                exgate.terminate();
                // New connections are refused while the long poll is still being answered.
                exgate.awaitLine(Pattern.compile("received SIGTERM"), Duration.ofSeconds(10));
                boolean refused = false;
                for (int i = 0; i < 50 && !refused; i++) {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        Thread.sleep(50);
                    } catch (ConnectException e) {
                        refused = true;
                    }
                }
                assertThat(refused).as("the listener closed on SIGTERM").isTrue();
                assertThat(whole.future().await(20, TimeUnit.SECONDS)).contains("PENDING", "DONE", "X-ResponseCode: 0");
                assertThat(exgate.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(exgate.process.exitValue()).isZero();
                assertThat(exgate.text()).contains("exgate stopped");
            }
        }
    }

    @Test
    void theDemoStartsWithNothingElseAndItsPrintedCurlCommandsWork() throws Exception {
        int port = Lab.freePort();
        try (ExgateProcess demo = ExgateProcess.start(List.of(), "demo", "--host", "127.0.0.2", "--port", String.valueOf(port), "--dir", dir.toString())) {
            demo.awaitLine(Pattern.compile("Press Ctrl\\+C to stop"), Duration.ofSeconds(60));
            List<String> commands = new ArrayList<>();
            for (String line : demo.output) {
                if (line.startsWith("  curl ")) {
                    commands.add(line.trim());
                }
            }
            assertThat(commands).hasSizeGreaterThanOrEqualTo(5);
            List<String> outputs = new ArrayList<>();
            for (String command : commands) {
                Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(command + "\n" + out).isZero();
                outputs.add(out);
            }
            String all = String.join("\n", outputs);
            assertThat(all).contains("200 OK<br/>", "404 Not Found", "X-Forwarded-For", "PENDING", "DONE", "200 20 bytes");
            demo.terminate();
            assertThat(demo.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.process.exitValue()).isZero();
        }
    }

    @Test
    void sighupReloadsTheConfigurationAndTheCertificatesWithoutARestart() throws Exception {
        try (Lab lab = new Lab(dir)) {
            Path config = lab.writeConfig("127.0.0.1:0", List.of("http://127.0.0.1:1"), "");
            try (ExgateProcess exgate = ExgateProcess.start(List.of(), "run", "--config", config.toString())) {
                exgate.awaitListeningPort();
                io.exgate.tls.SelfSignedCertificate.Written renewed = io.exgate.tls.SelfSignedCertificate.write(dir.resolve("renewed"),
                        "outlook", List.of("renewed.example.com"), Duration.ofDays(90));
                java.nio.file.Files.copy(renewed.key(), dir.resolve("certs/outlook.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                java.nio.file.Files.copy(renewed.cert(), dir.resolve("certs/outlook.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                lab.writeConfig("127.0.0.1:0", List.of("http://127.0.0.1:1", "http://127.0.0.1:2"), "");
                Process hup = new ProcessBuilder("kill", "-HUP", String.valueOf(exgate.process.pid())).start();
                assertThat(hup.waitFor(10, TimeUnit.SECONDS)).isTrue();
                exgate.awaitLine(Pattern.compile("TLS certificates reloaded \\((SIGHUP|files changed)\\): CN=renewed.example.com"),
                        Duration.ofSeconds(20));
                exgate.awaitLine(Pattern.compile("SIGHUP: configuration reloaded from .*: backend ex2 added \\(http://127.0.0.1:2\\)"),
                        Duration.ofSeconds(20));
                assertThat(exgate.process.isAlive()).isTrue();
                exgate.terminate();
                assertThat(exgate.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }
}
