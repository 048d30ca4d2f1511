package io.exgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopTransportTest {

    @Test
    void autoTakesIoUringThenEpollThenNioWhicheverThisMachineHas() {
        EventLoopTransport expected = IoUring.isAvailable() ? EventLoopTransport.IO_URING
                : Epoll.isAvailable() ? EventLoopTransport.EPOLL : EventLoopTransport.NIO;
        assertThat(EventLoopTransport.resolve("auto")).isEqualTo(expected);
        assertThat(EventLoopTransport.resolve("auto").vertx().available()).isTrue();
    }

    @Test
    void aNamedTransportIsTakenWhenItWorksAndRefusedWithTheReasonWhenNot() {
        assertThat(EventLoopTransport.resolve("nio")).isEqualTo(EventLoopTransport.NIO);
        if (IoUring.isAvailable()) {
            assertThat(EventLoopTransport.resolve("io_uring")).isEqualTo(EventLoopTransport.IO_URING);
        } else {
            assertThatThrownBy(() -> EventLoopTransport.resolve("io_uring"))
                    .hasMessageStartingWith("transport: io_uring cannot be used on this machine: ");
        }
        if (Epoll.isAvailable()) {
            assertThat(EventLoopTransport.resolve("epoll").configName()).isEqualTo("epoll");
        }
        assertThatThrownBy(() -> EventLoopTransport.resolve("kqueue")).hasMessageContaining("auto, io_uring, epoll or nio");
    }

    @Test
    void connectionsAreAcceptedOnTheEventLoopThatServesThemWithNoAcceptorThread() throws Exception {
        EventLoopTransport transport = EventLoopTransport.resolve("auto");
        Vertx vertx = Vertx.builder().withTransport(transport.forVertxInstance(new OpenChannels())).build();
        try {
            VertxInternal internal = (VertxInternal) vertx;
            assertThat(internal.acceptorEventLoopGroup()).isSameAs(internal.nettyEventLoopGroup());
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(request -> request.response().end(Thread.currentThread().getName()))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            HttpClientAgent client = vertx.createHttpClient();
            for (int i = 0; i < 3; i++) { // new connections each time: the accept path, not a pooled one
                String servedBy = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                        .compose(request -> request.putHeader("Connection", "close").send())
                        .compose(response -> response.body()).map(Object::toString)
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(servedBy).startsWith("vert.x-eventloop-thread-");
            }
            // Also keeps it referenced until here: Vert.x closes an unreferenced client.
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            // One group behind both names: closing must still finish.
            vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        assertThat(((VertxInternal) vertx).nettyEventLoopGroup().isTerminated()).isTrue();
    }
}
