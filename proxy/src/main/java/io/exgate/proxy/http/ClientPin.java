package io.exgate.proxy.http;

import io.exgate.routing.Backend;

/**
 * One client connection's binding to one backend connection, made when NTLM or Negotiate starts on
 * it. The backend connection is this client's alone: it never enters the shared pool and is closed
 * with the client connection, so one user's authenticated connection never carries another's request.
 */
final class ClientPin {
    final String clientAddress;
    final long createdNanos = System.nanoTime();
    /** The backend that issued a challenge to an anonymous request, before any pin exists. */
    Backend challenger;
    Backend backend;
    BackendChannel connection;
    int requests;
    /** The client connection is closing: a backend connection that arrives now is closed at once. */
    boolean closing;

    ClientPin(String clientAddress) {
        this.clientAddress = clientAddress;
    }

    boolean isPinned() {
        return connection != null;
    }
}
