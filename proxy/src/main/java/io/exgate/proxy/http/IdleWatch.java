package io.exgate.proxy.http;

import io.exgate.routing.ExchangeProtocol;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Fires once when neither direction of an exchange has moved a byte for the idle timeout. One timer
 * per exchange, re-armed lazily for the time that remains, so busy streams cost no timer churn.
 *
 * <p>The timer lives on the event loop's own scheduler, not in Vert.x's timer table: every request
 * arms and cancels one, and Vert.x's adds a concurrent map entry and a wrapper to each. When it fires,
 * the check runs where the exchange's other callbacks run ({@code dispatch}).
 */
final class IdleWatch {
    private final EventExecutor loop;
    private final Executor dispatch;
    private volatile long idleNanos;
    private final Runnable onIdle;
    private volatile long lastActivity = System.nanoTime();
    private ScheduledFuture<?> timer;
    private boolean stopped;

    /** For a Vert.x exchange: the check runs on its context. */
    IdleWatch(Vertx vertx, long idleMillis, Runnable onIdle) {
        this((ContextInternal) vertx.getOrCreateContext(), idleMillis, onIdle);
    }

    private IdleWatch(ContextInternal context, long idleMillis, Runnable onIdle) {
        this(context.nettyEventLoop(), task -> context.runOnContext(v -> task.run()), idleMillis, onIdle);
    }

    /** For an exchange run by Netty handlers on {@code loop}: the check runs on the loop itself. */
    IdleWatch(EventExecutor loop, long idleMillis, Runnable onIdle) {
        this(loop, null, idleMillis, onIdle);
    }

    private IdleWatch(EventExecutor loop, Executor dispatch, long idleMillis, Runnable onIdle) {
        this.loop = loop;
        this.dispatch = dispatch;
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

    /**
     * A MAPI answer announces how often it sends PENDING while it works: three periods without a byte
     * mean the backend is gone, long before the global idle timeout would say so.
     */
    void pendingPeriod(ExchangeProtocol protocol, String header) {
        if (header == null || (protocol != ExchangeProtocol.MAPI_EMSMDB
                && protocol != ExchangeProtocol.MAPI_NSPI)) {
            return;
        }
        try {
            long period = Long.parseLong(header.trim());
            if (period > 0 && period <= 3_600_000) {
                idleMillis(Math.max(3 * period, 3_000));
            }
        } catch (NumberFormatException ignored) {
            // Not a number: the global idle timeout stays.
        }
    }

    /** The timeout in force: the global one, or what a MAPI answer's pending period made of it. */
    long idleMillis() {
        return idleNanos / 1_000_000L;
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
        timer = loop.schedule(dispatch == null ? this::check : () -> dispatch.execute(this::check), Math.max(1, millis), TimeUnit.MILLISECONDS);
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
