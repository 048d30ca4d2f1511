package io.exgate.proxy;

import io.vertx.core.transport.Transport;
import java.util.Locale;

/**
 * How the event loops talk to the kernel ({@code transport:} in the configuration). io_uring hands the
 * kernel a loop's reads and writes in one system call where epoll makes one per socket operation: in
 * the benchmark's scenario 1 that was about a fifth less system time per request. Containers whose
 * seccomp profile forbids io_uring, kernels before 5.x and other systems fall back to epoll, then NIO.
 */
public enum EventLoopTransport {
    IO_URING(Transport.IO_URING), EPOLL(Transport.EPOLL), NIO(Transport.NIO);

    /** The choices the {@code transport} key takes. */
    private static final String CHOICES = "auto, io_uring, epoll or nio";

    private final Transport vertx;

    EventLoopTransport(Transport vertx) {
        this.vertx = vertx;
    }

    /**
     * The configured choice made real: {@code auto} takes the first of io_uring, epoll and NIO that works
     * here; a named one that cannot work here is refused with the reason (a silent fallback would leave an
     * operator measuring something else than what they configured).
     */
    public static EventLoopTransport resolve(String choice) {
        return switch (choice) {
            case "auto" -> IO_URING.available() ? IO_URING : EPOLL.available() ? EPOLL : NIO;
            case "io_uring", "epoll", "nio" -> {
                EventLoopTransport named = valueOf(choice.toUpperCase(Locale.ROOT));
                if (!named.available()) {
                    throw new IllegalStateException("transport: " + choice + " cannot be used on this machine: "
                            + (named.vertx == null ? "not supported" : named.vertx.unavailabilityCause()));
                }
                yield named;
            }
            default -> throw new IllegalArgumentException("unknown transport '" + choice + "' (" + CHOICES + ")");
        };
    }

    boolean available() {
        return vertx != null && vertx.available(); // Vert.x leaves it null where its classes cannot load
    }

    /** Vert.x's transport of this name. */
    public Transport vertx() {
        return vertx;
    }

    /**
     * The transport to build one Vert.x instance with: this one, accepting connections on the event loops
     * and recording each channel in {@code open}.
     */
    public Transport forVertxInstance(OpenChannels open) {
        io.vertx.core.spi.transport.Transport implementation = open.around(new AcceptOnEventLoops(vertx.implementation()));
        return new Transport() {
            @Override
            public String name() {
                return vertx.name();
            }

            @Override
            public boolean available() {
                return vertx.available();
            }

            @Override
            public Throwable unavailabilityCause() {
                return vertx.unavailabilityCause();
            }

            @Override
            public io.vertx.core.spi.transport.Transport implementation() {
                return implementation;
            }
        };
    }

    /** The name used in the configuration, the startup line and the {@code exgate_build_info} metric. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
