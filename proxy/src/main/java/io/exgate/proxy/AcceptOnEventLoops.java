package io.exgate.proxy;

import io.netty.channel.EventLoopGroup;
import io.vertx.core.spi.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's transport, except that listeners accept on the event loops instead of on a thread of their
 * own. Vert.x gives every instance one acceptor thread, which takes each new connection and hands it to
 * an event loop: a task, a wake-up and a context switch per connection, on the same cores as the
 * loops. In benchmark scenario 2 (a TLS connection per request, proxy on one core) that thread took
 * 0.3–0.5 CPU s per 10 000 handshakes beside the event loop's 1.5–6.0, and the loop waited for its
 * core 57–169 ms a second (about 20–50 without the thread). A connection
 * accepted on its own event loop is registered there at once; with several loops one of them accepts
 * for all, as nginx's and HAProxy's workers do. One instance per Vert.x instance: it keeps that
 * instance's event loops.
 */
final class AcceptOnEventLoops extends ForwardingTransport {
    private EventLoopGroup eventLoops;

    AcceptOnEventLoops(Transport delegate) {
        super(delegate);
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
        // Vert.x asks for its event loops first, then for the acceptor group.
        if (type == ACCEPTOR_EVENT_LOOP_GROUP && eventLoops != null) {
            return eventLoops;
        }
        EventLoopGroup group = delegate.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
        if (type == IO_EVENT_LOOP_GROUP) {
            eventLoops = group;
        }
        return group;
    }
}
