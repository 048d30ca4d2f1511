package io.exgate.deploy;

import static io.exgate.deploy.DeployFiles.COMPOSE;
import static io.exgate.deploy.DeployFiles.LAB_CONFIG;
import static io.exgate.deploy.DeployFiles.LAB_MAILBOX;
import static io.exgate.deploy.DeployFiles.REPOSITORY;
import static io.exgate.deploy.DeployFiles.stringAt;
import static io.exgate.deploy.DeployFiles.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Builds the image from deploy/container/Dockerfile and runs the compose lab's setup with it: exgate
 * with the lab's configuration and keytool certificate, in front of the two nginx mailbox simulators.
 * Skipped where no Docker engine runs.
 *
 * <p>Not {@code exgate demo}: the demo listens on 127.0.0.1 inside the container, which no mapped
 * port reaches.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerImageTest {
    /** Build output and VCS data stay out of the build context, as Dockerfile.dockerignore asks of BuildKit. */
    private static final Set<String> LEFT_OUT = Set.of("target", ".git", ".idea", ".vscode");

    @TempDir
    Path dir;

    @Test
    void theImageServesHealthcheckAndRelaysToTheMailboxServersThenDrainsOnSigterm() throws Exception {
        Path context = copyContext(REPOSITORY, dir.resolve("context"));
        // `docker build -f deploy/container/Dockerfile .`: the same file, at the context's default place.
        Files.copy(DeployFiles.DOCKERFILE, context.resolve("Dockerfile"));
        Path certs = DeployFiles.writeLabCertificate(dir.resolve("certs"));
        ImageFromDockerfile image = new ImageFromDockerfile("exgate-deploy-test", true);
        try (Stream<Path> top = Files.list(context)) {
            for (Path p : (Iterable<Path>) top::iterator) {
                image.withFileFromPath(p.getFileName().toString(), p);
            }
        }
        DockerImageName nginx = DockerImageName.parse(stringAt(yaml(COMPOSE), "services.ex1.image"));
        int https = DeployFiles.port(stringAt(yaml(LAB_CONFIG), "listen"));
        int admin = DeployFiles.port(stringAt(yaml(LAB_CONFIG), "admin.listen"));
        // compose's secret, where compose mounts it and the lab configuration reads it.
        String tokenFile = stringAt(yaml(LAB_CONFIG), "admin.token-file");
        Path tokenSource = DeployFiles.labSecrets().get(Path.of(tokenFile).getFileName().toString());
        String token = Files.readString(tokenSource, StandardCharsets.UTF_8).strip();

        try (Network network = Network.newNetwork();
                GenericContainer<?> ex1 = mailbox(nginx, network, "ex1", "EX1");
                GenericContainer<?> ex2 = mailbox(nginx, network, "ex2", "EX2");
                GenericContainer<?> exgate = new GenericContainer<>(image)
                        .withNetwork(network)
                        .withCopyFileToContainer(MountableFile.forHostPath(LAB_CONFIG, 0644), ContainerFilesTest.CONFIG)
                        .withCopyFileToContainer(MountableFile.forHostPath(certs.resolve("lab.p12"), 0644), "/etc/exgate/certs/lab.p12")
                        .withCopyFileToContainer(MountableFile.forHostPath(tokenSource, 0644), tokenFile)
                        .withExposedPorts(https, admin)
                        .waitingFor(Wait.forHttp("/ready").forPort(admin).forStatusCode(200))
                        .withStartupTimeout(Duration.ofMinutes(2))) {
            ex1.start();
            ex2.start();
            exgate.start();
            String base = "https://" + exgate.getHost() + ":" + exgate.getMappedPort(https);

            // Answered by exgate itself, from its probes of the two servers.
            Response health = get(base + "/owa/healthcheck.htm");
            assertThat(health.status()).as(exgate.getLogs()).isEqualTo(200);
            assertThat(health.body()).startsWith("200 OK<br/>");

            // Relayed to one of them over the compose-like network.
            Response ews = get(base + "/ews/exchange.asmx");
            assertThat(ews.status()).as(exgate.getLogs()).isEqualTo(200);
            assertThat(ews.body()).containsPattern("server: EX[12]").contains("x-forwarded-proto: https");

            // The admin port: /live and /ready open (the wait above used /ready), the rest behind the lab's token.
            String adminBase = "http://" + exgate.getHost() + ":" + exgate.getMappedPort(admin);
            assertThat(adminGet(adminBase + "/live", null)).isEqualTo(200);
            assertThat(adminGet(adminBase + "/metrics", null)).as(exgate.getLogs()).isEqualTo(401);
            assertThat(adminGet(adminBase + "/metrics", token)).as(exgate.getLogs()).isEqualTo(200);
            assertThat(adminGet(adminBase + "/api/backends", token)).as(exgate.getLogs()).isEqualTo(200);

            // docker stop: SIGTERM to the JVM (PID 1), a graceful drain, exit 0 well within the grace period.
            var docker = exgate.getDockerClient();
            docker.stopContainerCmd(exgate.getContainerId()).withTimeout(45).exec();
            Long exit = docker.inspectContainerCmd(exgate.getContainerId()).exec().getState().getExitCodeLong();
            assertThat(exit).as(exgate.getLogs()).isZero();
        }
    }

    private static GenericContainer<?> mailbox(DockerImageName image, Network network, String alias, String hostName) {
        return new GenericContainer<>(image)
                .withNetwork(network)
                .withNetworkAliases(alias)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(hostName))
                .withCopyFileToContainer(MountableFile.forHostPath(LAB_MAILBOX, 0644), "/etc/nginx/conf.d/default.conf")
                .withExposedPorts(80)
                .waitingFor(Wait.forHttp("/owa/healthcheck.htm").forPort(80).forStatusCode(200));
    }

    private static Path copyContext(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path relative = from.relativize(p);
                boolean leftOut = false;
                for (Path part : relative) {
                    leftOut |= LEFT_OUT.contains(part.toString());
                }
                if (leftOut) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(p)) {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    record Response(int status, String body) {
    }

    /** The status of a plain-HTTP GET on the admin port, with the bearer token when one is given. */
    private static int adminGet(String url, String token) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        if (token != null) {
            c.setRequestProperty("Authorization", "Bearer " + token);
        }
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    /** An HTTPS GET that trusts the lab's self-signed certificate, whatever host name the Docker host has. */
    private static Response get(String url) throws Exception {
        SSLContext tls = io.exgate.tls.LookOnlyTrust.context();
        HttpsURLConnection c = (HttpsURLConnection) URI.create(url).toURL().openConnection();
        c.setSSLSocketFactory(tls.getSocketFactory());
        c.setHostnameVerifier((host, session) -> true);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        try {
            int status = c.getResponseCode();
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                return new Response(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            c.disconnect();
        }
    }
}
