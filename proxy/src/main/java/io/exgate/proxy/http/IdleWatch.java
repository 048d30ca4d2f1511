package io.exgate.proxy.http;

import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * Fires once when neither direction of an exchange has moved a byte for the idle timeout. One timer
 * per exchange, re-armed lazily for the time that remains, so busy streams cost no timer churn.
 *
 * <p>The timer lives on the event loop's own scheduler, not in Vert.x's timer table: every request
 * arms and cancels one, and Vert.x's adds a concurrent map entry and a wrapper to each. When it fires,
 * the check runs on the exchange's context like any other callback.
 */
final class IdleWatch {
    private final ContextInternal context;
    private volatile long idleNanos;
    private final Runnable onIdle;
    private volatile long lastActivity = System.nanoTime();
    private ScheduledFuture<?> timer;
    private boolean stopped;

    IdleWatch(Vertx vertx, long idleMillis, Runnable onIdle) {
        this.context = (ContextInternal) vertx.getOrCreateContext();
        this.idleNanos = idleMillis * 1_000_000L;
        this.onIdle = onIdle;
        arm(idleMillis);
    }

    /** Changes the timeout from now on, e.g. to a multiple of the period a MAPI answer announces. */
    void idleMillis(long millis) {
        idleNanos = millis * 1_000_000L;
        if (!stopped) {
            cancel();
            arm(millis);
        }
    }

    void touch() {
        lastActivity = System.nanoTime();
    }

    void stop() {
        stopped = true;
        cancel();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void arm(long millis) {
        timer = context.nettyEventLoop().schedule(() -> context.runOnContext(v -> check()), Math.max(1, millis), TimeUnit.MILLISECONDS);
    }

    private void check() {
        timer = null;
        if (stopped) {
            return;
        }
        long remaining = idleNanos - (System.nanoTime() - lastActivity);
        if (remaining <= 0) {
            stopped = true;
            onIdle.run();
        } else {
            arm(remaining / 1_000_000L + 1);
        }
    }
}
