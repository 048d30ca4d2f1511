package io.exgate.proxy.probe;

/** Monitoring plugins' convention: the exit code is the worst finding. */
enum Severity {
    OK(0), WARNING(1), CRITICAL(2);

    private final int exitCode;

    Severity(int exitCode) {
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    Severity worse(Severity other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
