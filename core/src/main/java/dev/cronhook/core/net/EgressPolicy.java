package dev.cronhook.core.net;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a script's code may connect: an allow-list of hosts, each {@code host}, {@code *.domain} (any name under
 * it, not the domain itself) or {@code *} (any public host), optionally with {@code :port} or {@code :*} (any port);
 * without a port an entry allows 80 and 443. An empty list allows nothing. Entries are kept normalized (lower case,
 * IDN as ASCII). Private addresses are refused whatever the list says (the egress proxy checks the address it
 * connects to, see {@link PrivateAddressGuard}). Immutable.
 */
public record EgressPolicy(List<String> allow) {
    /** The most entries one script's list may hold. */
    public static final int MAX_ENTRIES = 100;

    private static final EgressPolicy NONE = new EgressPolicy(List.of());
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public EgressPolicy {
        allow = allow == null ? List.of() : List.copyOf(allow);
    }

    /** No network at all. */
    public static EgressPolicy none() {
        return NONE;
    }

    /**
     * A policy from what a user wrote, each entry checked and normalized.
     *
     * @throws InvalidEntryException naming the first entry that is not a host pattern, and why
     */
    public static EgressPolicy of(List<String> entries) {
        if (entries == null || entries.isEmpty()) return NONE;
        if (entries.size() > MAX_ENTRIES) {
            throw new InvalidEntryException(MAX_ENTRIES, "at most " + MAX_ENTRIES + " entries are allowed");
        }
        var normalized = new ArrayList<String>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String entry = normalize(i, entries.get(i));
            if (!normalized.contains(entry)) normalized.add(entry);
        }
        return new EgressPolicy(normalized);
    }

    public boolean allowsNothing() {
        return allow.isEmpty();
    }

    /** Whether some entry allows connections to {@code host} (a name or an IP literal) at {@code port}. */
    public boolean allows(String host, int port) {
        String name = bare(host).toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
        for (String entry : allow) {
            var parsed = Entry.parse(entry);
            if (parsed.matchesHost(name) && parsed.matchesPort(port)) return true;
        }
        return false;
    }

    private static String normalize(int index, String raw) {
        if (raw == null || raw.isBlank()) throw new InvalidEntryException(index, "an entry is empty");
        String entry = raw.strip().toLowerCase(Locale.ROOT);
        if (entry.contains("://") || entry.contains("/")) {
            throw new InvalidEntryException(index, "\"" + raw + "\" is a URL: write the host alone (api.github.com)");
        }
        if (entry.length() > 260) throw new InvalidEntryException(index, "an entry is longer than 260 characters");
        String host = entry;
        String port = null;
        if (entry.startsWith("[")) {
            int end = entry.indexOf(']');
            if (end < 0) throw new InvalidEntryException(index, "\"" + raw + "\" has an unclosed [");
            host = entry.substring(0, end + 1);
            String rest = entry.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) throw new InvalidEntryException(index, "\"" + raw + "\" is not host[:port]");
                port = rest.substring(1);
            }
        } else {
            int colon = entry.lastIndexOf(':');
            if (colon >= 0) {
                host = entry.substring(0, colon);
                port = entry.substring(colon + 1);
            }
        }
        if (port != null && !port.equals("*")) {
            int n;
            try {
                n = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > 65535) {
                throw new InvalidEntryException(index, "\"" + raw + "\" has no valid port (1-65535, or * for any)");
            }
            port = String.valueOf(n);
        }
        host = normalizeHost(index, raw, host);
        return port == null ? host : host + ":" + port;
    }

    private static String normalizeHost(int index, String raw, String host) {
        if (host.equals("*")) return host;
        if (host.startsWith("[") && host.endsWith("]")) {
            String inside = host.substring(1, host.length() - 1);
            if (!inside.matches("[0-9a-f:.]+") || !inside.contains(":")) {
                throw new InvalidEntryException(index, "\"" + raw + "\" is not an IPv6 address in brackets");
            }
            return host;
        }
        if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        boolean wildcard = host.startsWith("*.");
        String name = wildcard ? host.substring(2) : host;
        if (name.contains("*")) {
            throw new InvalidEntryException(
                    index, "\"" + raw + "\": a * may only stand alone or start the entry (*.example.com)");
        }
        if (IPV4.matcher(name).matches()) {
            if (wildcard) throw new InvalidEntryException(index, "\"" + raw + "\": *. cannot precede an IP address");
            for (String part : name.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new InvalidEntryException(index, "\"" + raw + "\" is not an IPv4 address");
                }
            }
            return name;
        }
        String ascii;
        try {
            ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new InvalidEntryException(index, "\"" + raw + "\" is not a host name");
        }
        if (ascii.isEmpty() || ascii.length() > 253) {
            throw new InvalidEntryException(index, "\"" + raw + "\" is not a host name");
        }
        for (String label : ascii.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new InvalidEntryException(index, "\"" + raw + "\" is not a host name");
            }
        }
        if (wildcard && !ascii.contains(".")) {
            throw new InvalidEntryException(
                    index, "\"" + raw + "\" would allow a whole top-level domain: name a domain under it");
        }
        return wildcard ? "*." + ascii : ascii;
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** One normalized entry, split into its host pattern and port. */
    private record Entry(String host, String port) {
        static Entry parse(String entry) {
            int colon = entry.startsWith("[") ? entry.indexOf(':', entry.indexOf(']')) : entry.lastIndexOf(':');
            return colon < 0
                    ? new Entry(entry, null)
                    : new Entry(entry.substring(0, colon), entry.substring(colon + 1));
        }

        boolean matchesHost(String name) {
            if (host.equals("*")) return true;
            if (host.startsWith("*.")) return name.endsWith(host.substring(1)) && name.length() > host.length() - 1;
            if (host.startsWith("[")) return bare(host).equals(name);
            return host.equals(name) || host.equals(asciiOrSelf(name));
        }

        boolean matchesPort(int value) {
            if (port == null) return value == 80 || value == 443;
            return port.equals("*") || port.equals(String.valueOf(value));
        }

        private static String asciiOrSelf(String name) {
            try {
                return IDN.toASCII(name).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                return name;
            }
        }
    }

    /** An allow-list entry that is not a host pattern: {@link #index} is its position in the list. */
    public static final class InvalidEntryException extends IllegalArgumentException {
        private final int index;

        InvalidEntryException(int index, String reason) {
            super(reason);
            this.index = index;
        }

        /** The entry's position in the list, or {@link #MAX_ENTRIES} when the list itself is too long. */
        public int index() {
            return index;
        }
    }
}
