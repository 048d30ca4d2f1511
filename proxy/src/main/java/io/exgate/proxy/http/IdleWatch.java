package io.exgate.proxy.http;

import io.vertx.core.Vertx;

/**
 * Fires once when neither direction of an exchange has moved a byte for the idle timeout. One timer
 * per exchange, re-armed lazily for the time that remains, so busy streams cost no timer churn.
 */
final class IdleWatch {
    private final Vertx vertx;
    private volatile long idleNanos;
    private final Runnable onIdle;
    private volatile long lastActivity = System.nanoTime();
    private long timer = -1;
    private boolean stopped;

    IdleWatch(Vertx vertx, long idleMillis, Runnable onIdle) {
        this.vertx = vertx;
        this.idleNanos = idleMillis * 1_000_000L;
        this.onIdle = onIdle;
        arm(idleMillis);
    }

    /** Changes the timeout from now on, e.g. to a multiple of the period a MAPI answer announces. */
    void idleMillis(long millis) {
        idleNanos = millis * 1_000_000L;
        if (!stopped) {
            vertx.cancelTimer(timer);
            arm(millis);
        }
    }

    void touch() {
        lastActivity = System.nanoTime();
    }

    void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void arm(long millis) {
        timer = vertx.setTimer(Math.max(1, millis), id -> check());
    }

    private void check() {
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
