package io.exgate.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.exgate.routing.Backend;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendPoolTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void stopClosesIdleAndLentConnectionsAndCompletesOnlyOnceAllHaveClosed() throws Exception {
        HttpServer backend = vertx.createHttpServer().requestHandler(r -> r.response().end("ok"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
        BackendPool pool = new BackendPool(new Backend("ex1", "http", "127.0.0.1", backend.actualPort()), vertx.createHttpClient(),
                context, 60_000, 5_000, 60_000);

        BackendChannel idle = acquire(pool, context);
        BackendChannel lent = acquire(pool, context);
        CompletableFuture<Void> released = new CompletableFuture<>();
        context.runOnContext(v -> {
            pool.release(idle, true);
            released.complete(null);
        });
        released.get(10, TimeUnit.SECONDS);
        assertThat(List.of(idle.channel().isOpen(), lent.channel().isOpen())).containsExactly(true, true);

        // What a stop needs before the event loops go: nothing of the pool's still closing.
        CompletableFuture<List<Boolean>> openWhenStopped = new CompletableFuture<>();
        pool.stop().onComplete(ar -> openWhenStopped.complete(List.of(ar.succeeded(), idle.channel().isOpen(),
                lent.channel().isOpen(), idle.channel().closeFuture().isDone(), lent.channel().closeFuture().isDone())));
        assertThat(openWhenStopped.get(10, TimeUnit.SECONDS))
                .as("stop succeeded; idle and lent connections open; their closes done, when the stop completed")
                .containsExactly(true, false, false, true, true);
        assertThat(pool.hasOpenConnections()).isFalse();
    }

    private static BackendChannel acquire(BackendPool pool, ContextInternal context) throws Exception {
        CompletableFuture<BackendChannel> acquired = new CompletableFuture<>();
        context.runOnContext(v -> pool.acquire(new BackendPool.Acquirer() {
            @Override
            public void acquired(BackendChannel channel) {
                acquired.complete(channel);
            }

            @Override
            public void acquireFailed(Throwable cause) {
                acquired.completeExceptionally(cause);
            }
        }));
        return acquired.get(10, TimeUnit.SECONDS);
    }
}
