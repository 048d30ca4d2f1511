package io.exgate.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One proxied request, as one line of the HttpProxy log. Immutable; {@link HttpProxyLog#log} encodes
 * it into its CSV line at once and keeps the bytes, not the record.
 */
public final class HttpProxyLogRecord {
    /** The protocol folders under {@code HttpProxy/}, named as Exchange names them (and as collectors' paths expect). */
    public static final List<String> PROTOCOL_FOLDERS = List.of(
            "Autodiscover", "Eas", "Ecp", "Ews", "Mapi", "Oab", "Owa", "OwaCalendar", "PowerShell", "RpcHttp");

    private static final HttpProxyField[] FIELDS = HttpProxyField.values();

    private final String protocolFolder;
    private final int folderIndex;
    private final String[] values;

    private HttpProxyLogRecord(String protocolFolder, int folderIndex, String[] values) {
        this.protocolFolder = protocolFolder;
        this.folderIndex = folderIndex;
        this.values = values;
    }

    /**
     * Starts a record for one protocol folder.
     *
     * @throws IllegalArgumentException when the folder is not one of {@link #PROTOCOL_FOLDERS}: a typo
     *     would otherwise create a folder that no collector reads
     */
    public static Builder builder(String protocolFolder) {
        int index = protocolFolder == null ? -1 : PROTOCOL_FOLDERS.indexOf(protocolFolder);
        if (index < 0) {
            throw new IllegalArgumentException("not an HttpProxy protocol folder: '" + protocolFolder
                    + "' (expected one of " + PROTOCOL_FOLDERS + ")");
        }
        return new Builder(protocolFolder, index);
    }

    /** The folder under {@code HttpProxy/} this line goes to. */
    public String protocolFolder() {
        return protocolFolder;
    }

    /** The folder's index in {@link #PROTOCOL_FOLDERS}. */
    int folderIndex() {
        return folderIndex;
    }

    /** The field's value; the empty string when it was not set. */
    public String get(HttpProxyField field) {
        return values[field.ordinal()];
    }

    /** Every value in column order, for the line's encoder: the array itself, which must not be changed. */
    String[] valuesInOrder() {
        return values;
    }

    @Override
    public String toString() {
        return protocolFolder + ':' + Arrays.toString(values);
    }

    /** Collects the values of one record; not thread-safe, meant for the one request that fills it. */
    public static final class Builder {
        private final String protocolFolder;
        private final int folderIndex;
        private String[] values = new String[FIELDS.length];
        /** The array went to a record: the next change copies it first (a request builds once, as a rule). */
        private boolean shared;

        private Builder(String protocolFolder, int folderIndex) {
            this.protocolFolder = protocolFolder;
            this.folderIndex = folderIndex;
            Arrays.fill(values, "");
        }

        /** Sets one field; {@code null} means unknown and is written as an empty value. */
        public Builder set(HttpProxyField field, String value) {
            int i = Objects.requireNonNull(field, "field").ordinal();
            if (shared) {
                values = values.clone();
                shared = false;
            }
            values[i] = value == null ? "" : value;
            return this;
        }

        /** A record with the values set so far; the builder may go on being used without changing it. */
        public HttpProxyLogRecord build() {
            shared = true;
            return new HttpProxyLogRecord(protocolFolder, folderIndex, values);
        }
    }
}
