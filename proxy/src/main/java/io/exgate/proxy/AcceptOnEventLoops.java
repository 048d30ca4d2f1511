package io.exgate.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;
import java.net.SocketAddress;
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
final class AcceptOnEventLoops implements Transport {
    private final Transport delegate;
    private EventLoopGroup eventLoops;

    AcceptOnEventLoops(Transport delegate) {
        this.delegate = delegate;
    }

    /** A public transport of the same name that Vert.x's builder takes. */
    static io.vertx.core.transport.Transport wrap(io.vertx.core.transport.Transport transport) {
        AcceptOnEventLoops implementation = new AcceptOnEventLoops(transport.implementation());
        return new io.vertx.core.transport.Transport() {
            @Override
            public String name() {
                return transport.name();
            }

            @Override
            public boolean available() {
                return transport.available();
            }

            @Override
            public Throwable unavailabilityCause() {
                return transport.unavailabilityCause();
            }

            @Override
            public Transport implementation() {
                return implementation;
            }
        };
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

    @Override
    public boolean supportsDomainSockets() {
        return delegate.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
        return delegate.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
        return delegate.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return delegate.unavailabilityCause();
    }

    @Override
    public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
        return delegate.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
        return delegate.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return delegate.ioHandlerFactory();
    }

    @Override
    public DatagramChannel datagramChannel() {
        return delegate.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
        return delegate.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        return delegate.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        return delegate.serverChannelFactory(domainSocket);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
        delegate.configure(channel, options);
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
        delegate.configure(options, connectTimeout, domainSocket, bootstrap);
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
        delegate.configure(options, domainSocket, bootstrap);
    }
}
