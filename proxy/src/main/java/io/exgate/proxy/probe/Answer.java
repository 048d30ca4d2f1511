package io.exgate.proxy.probe;

/**
 * One request on a connection of its own: the response, or why none came.
 *
 * @param millis the request's latency when answered, else the time until the failure
 */
record Answer(WireResponse response, String error, long millis) {
    boolean answered() {
        return response != null;
    }
}
