package io.exgate.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A static map from mailbox GUID, SMTP address or domain to backend, for sites that know where each
 * database is active. Read from CSV ({@code key,backend}, {@code #} comments); checked whole, so a
 * broken file is refused with its line number and the map in service stays.
 */
public final class MailboxMap {
    public static final MailboxMap EMPTY = new MailboxMap(Map.of());
    private static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

    private final Map<String, String> entries;

    /** Whether any entry is a mailbox GUID: most maps list domains, and then a key's local part is never looked up. */
    private final boolean hasGuids;

    private MailboxMap(Map<String, String> entries) {
        this.entries = Map.copyOf(entries);
        this.hasGuids = entries.keySet().stream().anyMatch(k -> GUID.matcher(k).matches());
    }

    public int size() {
        return entries.size();
    }

    /** Parses CSV text; {@code source} names the file in messages, {@code backends} are the configured names. */
    public static MailboxMap parse(String source, String text, Set<String> backends) throws MailboxMapException {
        Map<String, String> entries = new HashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\ufeff")) {
                line = line.substring(1);
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (i + 1);
            String[] cells = line.split(",", -1);
            if (cells.length != 2) {
                throw new MailboxMapException(where + ": expected 'mailbox-guid or address or domain,backend', got '" + line + "'");
            }
            String key = cells[0].strip().toLowerCase(Locale.ROOT);
            String backend = cells[1].strip();
            if (key.startsWith("@")) {
                key = key.substring(1);
            }
            if (!GUID.matcher(key).matches() && !DOMAIN.matcher(key).matches() && !key.matches("[^@\\s]+@[a-z0-9.-]+")) {
                throw new MailboxMapException(where + ": '" + cells[0].strip() + "' is neither a mailbox GUID, an SMTP address nor a domain");
            }
            String configured = backends.stream().filter(b -> b.equalsIgnoreCase(backend)).findFirst()
                    .orElseThrow(() -> new MailboxMapException(where + ": backend '" + backend + "' is not configured"));
            String earlier = entries.put(key, configured);
            if (earlier != null && !earlier.equals(configured)) {
                throw new MailboxMapException(where + ": '" + key + "' is already mapped to " + earlier);
            }
        }
        return new MailboxMap(entries);
    }

    /** The backend for a key: exact value, then its local part (a mailbox GUID), then its domain. */
    public Optional<String> lookup(RoutingKey key) {
        if (!key.isPresent() || entries.isEmpty()) {
            return Optional.empty();
        }
        String exact = entries.get(key.value());
        if (exact != null) {
            return Optional.of(exact);
        }
        if (hasGuids) {
            String local = entries.get(key.localPart());
            if (local != null && GUID.matcher(key.localPart()).matches()) {
                return Optional.of(local);
            }
        }
        String domain = key.domain();
        return domain == null ? Optional.empty() : Optional.ofNullable(entries.get(domain));
    }

    /** A map file that cannot be used; the message names the file and line. */
    public static final class MailboxMapException extends Exception {
        private static final long serialVersionUID = 1L;

        public MailboxMapException(String message) {
            super(message, null, false, false);
        }
    }
}
