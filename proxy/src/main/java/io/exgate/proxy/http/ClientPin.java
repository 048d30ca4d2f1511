package io.exgate.proxy.http;

import io.exgate.routing.Backend;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnection;

/**
 * One client connection's binding to one backend connection, made when NTLM or Negotiate starts on
 * it. The backend connection is this client's alone: it never enters the shared pool and is closed
 * with the client connection, so one user's authenticated connection never carries another's request.
 */
final class ClientPin {
    final HttpConnection client;
    final String clientAddress;
    final long createdNanos = System.nanoTime();
    /** The backend that issued a challenge to an anonymous request, before any pin exists. */
    Backend challenger;
    Backend backend;
    HttpClientConnection connection;
    int requests;
    boolean closing;

    ClientPin(HttpConnection client, String clientAddress) {
        this.client = client;
        this.clientAddress = clientAddress;
    }

    boolean isPinned() {
        return connection != null;
    }
}
