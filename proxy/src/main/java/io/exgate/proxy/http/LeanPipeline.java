package io.exgate.proxy.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Takes out of a Vert.x-built pipeline what the HTTP/1.x engine does not use and would pay for on
 * every write: the chunked-file writer (which queues each write, for sendfile) and an idle handler that
 * watches writes (which puts a promise and a listener on each). The connection-level backstop stays,
 * on reads: a connection whose exchange streams one way for hours is never cut by it (the exchange's own
 * idle watch decides), one with nothing going on is.
 */
final class LeanPipeline {
    private LeanPipeline() {
    }

    static void apply(ChannelPipeline pipeline, long idleMillis) {
        if (pipeline.get("chunkedWriter") != null) {
            pipeline.remove("chunkedWriter");
        }
        if (pipeline.get("idle") != null) {
            pipeline.replace("idle", "idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
    }
}
