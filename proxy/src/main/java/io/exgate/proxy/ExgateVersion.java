package io.exgate.proxy;

/** exgate's version, from the jar's manifest (development builds say so). */
public final class ExgateVersion {
    private ExgateVersion() {
    }

    public static String get() {
        String v = ExgateVersion.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
