import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.File;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's "floor" peer (src/test/bench/run --floor): the smallest TLS reverse proxy the JVM and
 * Netty make, with the libraries exgate ships (run against exgate.jar as its class path). One event
 * loop on the transport exgate's {@code transport: auto} picks (io_uring where the kernel allows it, else epoll), OpenSSL, Netty's HTTP codecs, a pool of keep-alive backend connections, bodies streamed
 * as they come. It does none of exgate's work: no routing, no HttpProxy log, no metrics, no timeouts,
 * no backpressure (so it takes part in scenarios 1 and 2 only). Its figures say what part of exgate's
 * CPU per request is the JVM and Netty, and what part is Vert.x and exgate's own features.
 *
 * <p>Usage: {@code java -cp exgate.jar Floor.java LISTEN_PORT BACKEND_PORT CERT.pem KEY.pem} (loopback only).
 */
public final class Floor {
    private static InetSocketAddress backendAddress;
    private static Bootstrap backends;
    /** Idle keep-alive backend connections; one event loop thread, so no locking. */
    private static final ArrayDeque<Channel> POOL = new ArrayDeque<>();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        backendAddress = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        boolean uring = IoUring.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
        Class<? extends SocketChannel> client = uring ? IoUringSocketChannel.class : EpollSocketChannel.class;
        Class<? extends ServerChannel> listener = uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class;
        SslContext tls = SslContextBuilder.forServer(new File(args[2]), new File(args[3]))
                .sslProvider(SslProvider.OPENSSL).protocols("TLSv1.3", "TLSv1.2")
                .ciphers(List.of("TLS_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256")).build();
        backends = new Bootstrap().group(group).channel(client)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new BackendHandler());
                    }
                });
        Channel server = new ServerBootstrap().group(group).channel(listener)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(), new FrontHandler());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("floor listening on " + server.localAddress() + " (" + (uring ? "io_uring" : "epoll") + "), backend " + backendAddress);
        server.closeFuture().sync();
    }

    /** Hop-by-hop headers, and those the Connection header names, stay on their connection. */
    private static void stripHopByHop(HttpHeaders h) {
        String connection = h.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String token : connection.split(",")) {
                if (!token.isBlank()) {
                    h.remove(token.trim());
                }
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove("keep-alive");
        h.remove("proxy-connection");
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.UPGRADE);
    }

    /** One per client connection; one request at a time (HTTP/1.1 keep-alive). */
    private static final class FrontHandler extends ChannelInboundHandlerAdapter {
        private Channel client;
        private Channel backend;
        /** Messages that came while the backend connection was being made. */
        private List<Object> pending;
        private boolean keepAlive = true;
        private boolean requestDone;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            client = ctx.channel();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                keepAlive = HttpUtil.isKeepAlive(request);
                requestDone = false;
                stripHopByHop(request.headers());
                request.headers().set("X-Forwarded-For", ((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress());
                acquire();
            }
            if (msg instanceof LastHttpContent) {
                requestDone = true;
            }
            if (pending != null) {
                pending.add(msg);
            } else if (backend != null) {
                backend.write(msg, backend.voidPromise());
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        private void acquire() {
            Channel idle;
            while ((idle = POOL.pollLast()) != null) {
                if (idle.isActive()) {
                    bind(idle);
                    return;
                }
            }
            pending = new ArrayList<>(4);
            ChannelFuture connecting = backends.connect(backendAddress);
            Channel fresh = connecting.channel();
            bind(fresh);
            connecting.addListener((ChannelFutureListener) f -> {
                List<Object> queued = pending;
                pending = null;
                if (!f.isSuccess()) {
                    queued.forEach(ReferenceCountUtil::release);
                    backend = null;
                    client.close();
                    return;
                }
                queued.forEach(m -> fresh.write(m, fresh.voidPromise()));
                fresh.flush();
            });
        }

        private void bind(Channel channel) {
            backend = channel;
            channel.pipeline().get(BackendHandler.class).front = this;
        }

        void responseDone(Channel channel, boolean backendKeepAlive) {
            if (backend == channel) {
                backend = null;
            }
            if (backendKeepAlive && requestDone && channel.isActive()) {
                POOL.addLast(channel);
            } else {
                channel.close();
            }
            if (!keepAlive) {
                client.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (backend != null && pending == null) {
                backend.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (backend != null) {
                backend.close(); // mid-exchange: its state is unknown
                backend = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** One per backend connection, bound to a client connection for one exchange at a time. */
    private static final class BackendHandler extends ChannelInboundHandlerAdapter {
        FrontHandler front;
        private boolean backendKeepAlive;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            FrontHandler f = front;
            if (f == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpResponse response) {
                backendKeepAlive = HttpUtil.isKeepAlive(response);
                stripHopByHop(response.headers());
                if (!f.keepAlive) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
            }
            f.client.write(msg, f.client.voidPromise());
            if (msg instanceof LastHttpContent) {
                front = null;
                f.client.flush();
                f.responseDone(ctx.channel(), backendKeepAlive);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            FrontHandler f = front;
            if (f != null) {
                f.client.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            POOL.remove(ctx.channel());
            FrontHandler f = front;
            if (f != null) {
                front = null;
                f.backend = null;
                f.client.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
