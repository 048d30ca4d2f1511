package io.exgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
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
}
