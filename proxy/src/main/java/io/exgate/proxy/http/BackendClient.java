package io.exgate.proxy.http;

import io.exgate.routing.Classification;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;

/**
 * One backend's two connection pools. Vert.x picks a pooled connection by scanning every connection
 * of the pool, so long polls and RPC channels, which hold theirs for minutes or hours, would make each
 * short request pay for all of them: with 9 000 NotificationWaits on one mailbox server, every Execute
 * looked at 9 000 connections. They get a pool of their own.
 *
 * @param requests the pool of ordinary requests, also the source of pinned (un-pooled) connections
 * @param channels the pool of exchanges that hold their connection: NotificationWait and RPC channels
 */
record BackendClient(HttpClientAgent requests, HttpClientAgent channels) {

    /** The pool a request of this kind borrows its connection from. */
    HttpClientAgent poolFor(Classification classification) {
        return classification.isNotificationWait() || classification.isRpcChannel() ? channels : requests;
    }

    Future<Void> close() {
        return Future.all(requests.close(), channels.close()).mapEmpty();
    }
}
