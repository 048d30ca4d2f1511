package io.exgate.routing;

import java.util.Locale;
import java.util.Optional;

/**
 * The Exchange virtual directories exgate serves. Paths match case-insensitively, as IIS does; the
 * log folder is the name Exchange's HttpProxy logs use for the protocol.
 */
public enum VirtualDirectory {
    MAPI("/mapi", "Mapi"),
    RPC("/rpc", "RpcHttp"),
    OWA("/owa", "Owa"),
    EWS("/ews", "Ews"),
    AUTODISCOVER("/autodiscover", "Autodiscover"),
    ACTIVESYNC("/Microsoft-Server-ActiveSync", "Eas"),
    OAB("/oab", "Oab"),
    ECP("/ecp", "Ecp"),
    POWERSHELL("/powershell", "PowerShell");

    private final String path;
    private final String logName;
    private final String lowerPath;

    VirtualDirectory(String path, String logName) {
        this.path = path;
        this.logName = logName;
        this.lowerPath = path.toLowerCase(Locale.ROOT);
    }

    /** The canonical path, e.g. {@code /mapi}. */
    public String path() {
        return path;
    }

    /** The protocol's name in Exchange's HttpProxy logs, e.g. {@code Mapi}. */
    public String logName() {
        return logName;
    }

    /** values() copies the array on every call; this runs per request. */
    private static final VirtualDirectory[] ALL = values();

    /** The virtual directory a normalised path lies under: its first segment, compared case-insensitively. */
    public static Optional<VirtualDirectory> of(NormalizedPath normalized) {
        String p = normalized.value();
        int end = p.indexOf('/', 1);
        String first = (end < 0 ? p : p.substring(0, end)).toLowerCase(Locale.ROOT);
        for (VirtualDirectory v : ALL) {
            if (v.lowerPath.equals(first)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
