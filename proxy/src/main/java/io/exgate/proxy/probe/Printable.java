package io.exgate.proxy.probe;

/** Text from the server made safe for a terminal and for JSON: printable ASCII, line breaks shown as \r \n, bounded. */
final class Printable {
    private Printable() {
    }

    static String of(String raw, int maxChars) {
        StringBuilder out = new StringBuilder(Math.min(raw.length(), maxChars) + 2);
        for (int i = 0; i < raw.length() && out.length() < maxChars; i++) {
            char c = raw.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 || c > 0x7e ? '.' : c);
            }
        }
        return out.toString();
    }
}
