package io.exgate.proxy.probe;

/** One thing worth a warning or an alarm, in a sentence. */
record Finding(Severity severity, String message) {
}
