package io.exgate.proxy.probe;

/**
 * The TCP step.
 *
 * @param address the address connected to (or last tried), as {@code ip:port}
 * @param error   why no address could be reached, or null
 */
record TcpResult(String address, long millis, String error) {
    boolean failed() {
        return error != null;
    }
}
