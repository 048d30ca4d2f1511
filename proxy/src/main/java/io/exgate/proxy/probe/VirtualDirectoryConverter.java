package io.exgate.proxy.probe;

import io.exgate.routing.VirtualDirectory;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --vdirs} names, as in exgate's {@code routes.<vdir>}: mapi, rpc, owa, ews, autodiscover, activesync, oab, ecp, powershell. */
final class VirtualDirectoryConverter implements ITypeConverter<VirtualDirectory> {
    static final String ALL = Arrays.stream(VirtualDirectory.values()).map(VirtualDirectoryConverter::name)
            .collect(Collectors.joining(","));

    static String name(VirtualDirectory vdir) {
        return vdir.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public VirtualDirectory convert(String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (VirtualDirectory v : VirtualDirectory.values()) {
            // The path's name is accepted too, for those who think of /Microsoft-Server-ActiveSync.
            if (name(v).equals(wanted) || v.path().substring(1).toLowerCase(Locale.ROOT).equals(wanted)) {
                return v;
            }
        }
        throw new TypeConversionException("'" + value + "' is not a virtual directory; known: " + ALL);
    }
}
