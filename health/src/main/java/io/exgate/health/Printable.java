package io.exgate.health;

/** Text from a backend made safe for logs and JSON: printable ASCII only, bounded length. */
final class Printable {

    private Printable() {
    }

    static String of(String raw, int maxChars) {
        StringBuilder out = new StringBuilder(Math.min(raw.length(), maxChars));
        for (int i = 0; i < raw.length() && out.length() < maxChars; i++) {
            char c = raw.charAt(i);
            if (c == '\r' || c == '\n' || c == '\t') {
                out.append(' ');
            } else if (c < 0x20 || c > 0x7e) {
                out.append('.');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
