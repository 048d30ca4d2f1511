package io.exgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpenChannelsTest {
    private static final int ROUNDS = 20;
    private static final int SOCKETS = 50;

    /**
     * Connections a server still holds when exgate stops: closed by exgate (the peer reads the end of
     * the stream while the JVM still runs), and no close left to finish on an event loop that has shut
     * down. Closing Vert.x alone here logged Netty's "Can't invoke task later as EventLoop rejected it"
     * in most rounds with io_uring.
     */
    @Test
    void aStopClosesEveryConnectionStillOpenAndWaitsForTheClosesBeforeTheEventLoopsGo() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // where Netty's warnings go (slf4j-simple)
        try {
            for (int round = 0; round < ROUNDS; round++) {
                OpenChannels open = new OpenChannels();
                Vertx vertx = Vertx.builder().withTransport(EventLoopTransport.resolve("auto").forVertxInstance(open)).build();
                NetServer server = vertx.createNetServer().connectHandler(socket -> { })
                        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
                // Held in a variable: Vert.x closes a client that is no longer referenced.
                NetClient client = vertx.createNetClient();
                NetSocket out = client.connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
                List<Socket> sockets = new ArrayList<>();
                try {
                    Set<Integer> peers = new HashSet<>(Set.of(out.localAddress().port()));
                    for (int i = 0; i < SOCKETS; i++) {
                        Socket socket = new Socket();
                        socket.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 5_000);
                        socket.setSoTimeout(10_000);
                        sockets.add(socket);
                        peers.add(socket.getLocalPort());
                    }
                    // The listener, the connection out, and the accepted end of each connection in.
                    int listenerPort = server.actualPort();
                    int outPort = out.localAddress().port();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!recorded(open, listenerPort, outPort, peers) && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    assertThat(recorded(open, listenerPort, outPort, peers))
                            .as("every channel recorded, round %d: %s", round, open).isTrue();

                    open.closeThenVertx(vertx).await(20, TimeUnit.SECONDS);
                    Reference.reachabilityFence(client);

                    assertThat(open.count()).as("channels open after the stop").isZero();
                    assertThat(((VertxInternal) vertx).nettyEventLoopGroup().isTerminated()).isTrue();
                    for (Socket socket : sockets) {
                        assertThat(socket.getInputStream().read()).as("the peer of a connection exgate held").isEqualTo(-1);
                    }
                } finally {
                    for (Socket socket : sockets) {
                        socket.close();
                    }
                }
            }
        } finally {
            System.setErr(err);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).as("what Netty logged over %d stops", ROUNDS)
                .doesNotContain("Exception", "Can't invoke task later");
    }

    private static boolean recorded(OpenChannels open, int listenerPort, int outPort, Set<Integer> peers) {
        Set<Integer> acceptedFrom = new HashSet<>();
        boolean listener = false;
        boolean connectionOut = false;
        for (Channel channel : open.list()) {
            InetSocketAddress local = (InetSocketAddress) channel.localAddress();
            InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
            listener |= channel instanceof ServerChannel && local != null && local.getPort() == listenerPort;
            connectionOut |= local != null && local.getPort() == outPort && remote != null && remote.getPort() == listenerPort;
            if (local != null && local.getPort() == listenerPort && remote != null) {
                acceptedFrom.add(remote.getPort());
            }
        }
        return listener && connectionOut && acceptedFrom.containsAll(peers);
    }
}
