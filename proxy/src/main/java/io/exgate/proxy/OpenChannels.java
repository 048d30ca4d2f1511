package io.exgate.proxy;

import io.exgate.proxy.http.ChannelsClosed;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.transport.Transport;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every channel one Vert.x instance opens: listeners, the connections they accept, connections out,
 * datagram sockets. A stop closes those still open and waits for their closes before the event loops
 * go ({@link ChannelsClosed} says why that wait matters). Vert.x's own close does not wait: it closes a
 * server's connections (one still in its TLS handshake, which exgate's drain never saw, or one of the
 * admin listener) and shuts the loops down at once.
 */
public final class OpenChannels {
    private static final Logger LOG = LoggerFactory.getLogger(OpenChannels.class);

    private final ChannelGroup channels = new DefaultChannelGroup("exgate", GlobalEventExecutor.INSTANCE);
    private final ChannelHandler registered = new Registered(channels);
    private final ChannelHandler accepted = new Accepted(registered);

    /** The transport to build the Vert.x instance with: the given one, recording each channel here. */
    Transport around(Transport transport) {
        return new Recording(transport);
    }

    /** How many channels are open now. */
    int count() {
        return channels.size();
    }

    /** The channels open now. */
    List<Channel> list() {
        return List.copyOf(channels);
    }

    /** The channels open now, for a log line or a test's message. */
    @Override
    public String toString() {
        return channels.size() + " open channels: " + channels.stream().map(Object::toString).toList();
    }

    /** Closes what is still open, waits for those closes (bounded), then closes Vert.x. */
    public Future<Void> closeThenVertx(Vertx vertx) {
        if (!channels.isEmpty()) {
            LOG.debug("closing {} channels still open before the event loops stop, among them {}", channels.size(),
                    channels.stream().limit(10).toList());
        }
        // Vert.x's close completes a promise of no context: one of a context would be notified on an event
        // loop that has stopped, that is never.
        Promise<Void> closed = Promise.promise();
        ChannelsClosed.of(((VertxInternal) vertx).getOrCreateContext(), channels)
                .onComplete(all -> vertx.close().onComplete(closed));
        return closed.future();
    }

    /**
     * Records a channel once it is registered with its event loop. A channel recorded when it was made could
     * be in the group before it had a loop, and a stop that came then failed closing it ("channel not
     * registered to an event loop"); one that registers during the stop is left to Vert.x's own close.
     */
    @ChannelHandler.Sharable
    private static final class Registered extends ChannelInboundHandlerAdapter {
        private final ChannelGroup channels;

        Registered(ChannelGroup channels) {
            this.channels = channels;
        }

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            channels.add(ctx.channel());
            ctx.pipeline().remove(this);
            ctx.fireChannelRegistered();
        }
    }

    /** Sees each connection a listener accepts, before Vert.x's acceptor registers it. */
    @ChannelHandler.Sharable
    private static final class Accepted extends ChannelInboundHandlerAdapter {
        private final ChannelHandler registered;

        Accepted(ChannelHandler registered) {
            this.registered = registered;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                child.pipeline().addFirst(registered);
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Recording extends ForwardingTransport {
        Recording(Transport delegate) {
            super(delegate);
        }

        @Override
        public DatagramChannel datagramChannel() {
            return record(delegate.datagramChannel());
        }

        @Override
        public DatagramChannel datagramChannel(InternetProtocolFamily family) {
            return record(delegate.datagramChannel(family));
        }

        @Override
        public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
            ChannelFactory<? extends Channel> factory = delegate.channelFactory(domainSocket);
            return () -> record(factory.newChannel());
        }

        @Override
        public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
            ChannelFactory<? extends ServerChannel> factory = delegate.serverChannelFactory(domainSocket);
            return () -> {
                ServerChannel listener = record(factory.newChannel());
                listener.pipeline().addFirst(accepted);
                return listener;
            };
        }

        private <C extends Channel> C record(C channel) {
            channel.pipeline().addFirst(registered);
            return channel;
        }
    }
}
