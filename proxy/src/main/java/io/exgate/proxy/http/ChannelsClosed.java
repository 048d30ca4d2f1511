package io.exgate.proxy.http;

import io.netty.channel.group.ChannelGroup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;

/**
 * Closes a group of connections and completes once every one of them has finished closing. A stop
 * waits for this before the event loops go: with io_uring a close finishes later, on a completion, and
 * one finishing while its loop shut down logged "Can't invoke task later as EventLoop rejected it" with
 * a RejectedExecutionException. A close takes microseconds; the bound only keeps a stop from hanging.
 */
public final class ChannelsClosed {
    static final long BOUND_MILLIS = 5_000;

    private ChannelsClosed() {
    }

    public static Future<Void> of(ContextInternal context, ChannelGroup group) {
        Promise<Void> done = context.promise();
        long bound = context.owner().setTimer(BOUND_MILLIS, t -> done.tryComplete());
        group.close().addListener(all -> {
            context.owner().cancelTimer(bound);
            done.tryComplete();
        });
        return done.future();
    }
}
