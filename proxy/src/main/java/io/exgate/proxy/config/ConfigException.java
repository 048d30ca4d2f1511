package io.exgate.proxy.config;

/**
 * A configuration that cannot be used. The message names the file, the key and the value, so that
 * {@code exgate check-config} and a refused start say exactly what to fix.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String file, String key, Object value, String problem) {
        super(file + ": " + key + (value == null ? "" : " = '" + value + "'") + ": " + problem, null, false, false);
    }

    public ConfigException(String file, String problem) {
        super(file + ": " + problem, null, false, false);
    }
}
