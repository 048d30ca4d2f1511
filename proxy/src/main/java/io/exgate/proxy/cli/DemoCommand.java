package io.exgate.proxy.cli;

import io.exgate.proxy.Exgate;
import io.exgate.proxy.config.ConfigException;
import io.exgate.proxy.config.ConfigLoader;
import io.exgate.proxy.config.ExgateConfig;
import io.exgate.proxy.demo.SimulatedMailboxServer;
import io.exgate.tls.SelfSignedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start two simulated Exchange mailbox servers and exgate in front of them on",
            "https://localhost:8443 with a generated self-signed certificate, and print curl commands",
            "to try. Needs nothing else; stops on Ctrl+C."})
final class DemoCommand implements Callable<Integer> {
    static final String MAILBOX = "5e8d6a2c-0b9a-4e27-9c9e-2f1d9a6b7c31@demo.exgate.local";

    @Option(names = "--port", defaultValue = "8443", paramLabel = "PORT", description = "HTTPS port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "address to listen on, e.g. 0.0.0.0 inside a container (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "where to write the demo's configuration, certificate and logs (default: a new temporary folder)")
    Path dir;

    private static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::");
    }

    @Override
    public Integer call() throws IOException {
        Path home = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("exgate-demo-");
        SelfSignedCertificate.Written cert = SelfSignedCertificate.write(home.resolve("certs"), "localhost",
                java.util.stream.Stream.of("localhost", "127.0.0.1", host).filter(n -> !isWildcard(n)).distinct().toList(),
                Duration.ofDays(30));
        Vertx backends = Vertx.vertx();
        SimulatedMailboxServer.Settings settings = SimulatedMailboxServer.Settings.exchangeLike()
                .withPendingPeriod(Duration.ofSeconds(2))
                .withNotificationWait(Duration.ofSeconds(8))
                .withRpcOutLength(64 * 1024);
        SimulatedMailboxServer ex1 = new SimulatedMailboxServer(backends, "EX1", settings);
        SimulatedMailboxServer ex2 = new SimulatedMailboxServer(backends, "EX2", settings);
        int port1;
        int port2;
        try {
            port1 = ex1.start("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
            port2 = ex2.start("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("exgate: cannot start the simulated mailbox servers: " + e.getMessage());
            backends.close();
            return 1;
        }
        Path config = home.resolve("exgate.yaml");
        Files.writeString(config, """
                # Written by `exgate demo`: two simulated mailbox servers behind exgate.
                listen: "%s:%d"
                tls:
                  certificates:
                    - cert: certs/localhost.pem
                      key: certs/localhost.key
                backends:
                  - name: ex1
                    url: http://127.0.0.1:%d
                  - name: ex2
                    url: http://127.0.0.1:%d
                timeouts:
                  connect: 5s
                  idle: 15m
                logs:
                  directory: logs
                """.formatted(host.contains(":") ? "[" + host + "]" : host, port, port1, port2), StandardCharsets.UTF_8);
        ExgateConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("exgate: the demo's own configuration is invalid: " + e.getMessage());
            backends.close();
            return 1;
        }
        return Runner.runUntilStopped(() -> Exgate.start(c).onSuccess(x -> printTryIt(x.port(), home, config)),
                c.timeouts().shutdown().toMillis()) + closeQuietly(backends);
    }

    private static int closeQuietly(Vertx vertx) {
        try {
            vertx.close().await(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // Exiting anyway.
        }
        return 0;
    }

    private void printTryIt(int port, Path home, Path config) {
        String base = "https://" + (isWildcard(host) ? "localhost" : host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        String cookies = home.resolve("cookies.txt").toString();
        String mapi = "'" + base + "/mapi/emsmdb/?MailboxId=" + MAILBOX + "'";
        String mapiHeaders = "-H 'Content-Type: application/mapi-http' -H 'X-ClientApplication: Outlook/16.0.17928.20114'";
        System.out.println();
        System.out.println("exgate demo: exgate on " + base + " in front of two simulated mailbox servers (EX1, EX2).");
        System.out.println("The certificate is self-signed, hence curl -k. Try:");
        System.out.println();
        System.out.println("  # exgate answers healthcheck.htm itself, per protocol, from what its probes of the servers say");
        System.out.println("  curl -k -i " + base + "/owa/healthcheck.htm");
        System.out.println("  # any other virtual directory: the server echoes what it received (see X-Forwarded-For)");
        System.out.println("  curl -k -i " + base + "/ews/exchange.asmx");
        System.out.println("  # outside the Exchange virtual directories exgate answers 404 itself");
        System.out.println("  curl -k -i " + base + "/not-exchange");
        System.out.println("  # MAPI over HTTP: Connect, then a NotificationWait whose PENDING lines stream every 2 s;");
        System.out.println("  # the MailboxId and exgate's affinity cookie keep both on the server that holds the session");
        System.out.println("  curl -k -sS -c " + cookies + " -X POST " + mapiHeaders + " -H 'X-RequestType: Connect' --data-binary 'connect' " + mapi);
        System.out.println("  curl -k -sS -N -b " + cookies + " -X POST " + mapiHeaders + " -H 'X-RequestType: NotificationWait' --data-binary 'wait' " + mapi);
        System.out.println("  # RPC over HTTP: an echo request on a custom HTTP method");
        System.out.println("  curl -k -sS -o /dev/null -w '%{http_code} %{size_download} bytes\\n' -X RPC_IN_DATA --data-binary '' '" + base
                + "/rpc/rpcproxy.dll?" + MAILBOX + ":6001'");
        System.out.println();
        System.out.println("Configuration: " + config + ". Press Ctrl+C to stop.");
        System.out.flush();
    }
}
