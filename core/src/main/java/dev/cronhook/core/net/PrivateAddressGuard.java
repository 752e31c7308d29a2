package dev.cronhook.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keeps the platform's own outbound calls to user-given URLs (an Infisical site, later alert webhooks) off private
 * addresses: loopback, 0.0.0.0/8, 10/8, 100.64/10, 169.254/16 (cloud metadata), 172.16/12, 192.168/16, 198.18/15,
 * multicast and reserved ranges, {@code ::1}, {@code fc00::/7}, {@code fe80::/10} and IPv4 addresses inside IPv6 ones,
 * unless the operator allowed them ({@code CRONHOOK_EGRESS_ALLOW_PRIVATE}: CIDRs and {@code host:port}). A check
 * resolves the name and refuses when any of its addresses is private. Immutable and thread-safe.
 */
public final class PrivateAddressGuard {
    private final List<Cidr> allowedNetworks;
    private final List<String> allowedHostPorts;

    private PrivateAddressGuard(List<Cidr> allowedNetworks, List<String> allowedHostPorts) {
        this.allowedNetworks = List.copyOf(allowedNetworks);
        this.allowedHostPorts = List.copyOf(allowedHostPorts);
    }

    /** Every private address refused. */
    public static PrivateAddressGuard strict() {
        return new PrivateAddressGuard(List.of(), List.of());
    }

    /**
     * The operator's exceptions, comma- or space-separated: CIDRs ({@code 10.1.0.0/16}, {@code 127.0.0.1/32}, {@code
     * fd00::/8}) and {@code host:port} pairs (that host name at that port, whatever it resolves to).
     *
     * @throws IllegalArgumentException naming an entry that is neither
     */
    public static PrivateAddressGuard allowing(String setting) {
        var networks = new ArrayList<Cidr>();
        var hostPorts = new ArrayList<String>();
        if (setting != null) {
            for (String entry : setting.split("[,\\s]+")) {
                if (entry.isBlank()) continue;
                if (entry.contains("/")) {
                    networks.add(Cidr.parse(entry));
                } else if (entry.matches("[A-Za-z0-9.-]+:\\d{1,5}")) {
                    hostPorts.add(entry.toLowerCase(Locale.ROOT));
                } else {
                    throw new IllegalArgumentException("CRONHOOK_EGRESS_ALLOW_PRIVATE: \"" + entry
                            + "\" is neither a CIDR (10.0.0.0/8) nor a host:port (vault.internal:8200)");
                }
            }
        }
        return new PrivateAddressGuard(networks, hostPorts);
    }

    /**
     * Resolves {@code host} and returns its addresses when none is private (or the operator allowed them).
     *
     * @throws PrivateAddressException when one is
     * @throws UnknownHostException when the name does not resolve
     */
    public List<InetAddress> check(String host, int port) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        var addresses = List.of(InetAddress.getAllByName(bare));
        for (var address : addresses) {
            if (!permits(host, port, address)) throw new PrivateAddressException(host, port, address);
        }
        return addresses;
    }

    /**
     * Whether a connection to {@code address}, which {@code host} resolved to, may be made at {@code port}: a public
     * address, or a private one the operator allowed (its network, or that host name at that port).
     */
    public boolean permits(String host, int port, InetAddress address) {
        if (!isPrivate(address)) return true;
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (allowedHostPorts.contains(bare.toLowerCase(Locale.ROOT) + ":" + port)) return true;
        return allowedNetworks.stream().anyMatch(n -> n.contains(address));
    }

    /**
     * {@link #check(String, int)} for an http(s) URL's host and port (80 or 443 when it names none).
     *
     * @throws PrivateAddressException when the host resolves to a private address
     * @throws UnknownHostException when it does not resolve
     */
    public List<InetAddress> check(URI url) throws UnknownHostException {
        int port = url.getPort() > 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        return check(url.getHost(), port);
    }

    /** Whether {@code address} is one no call to a user-given URL may reach (allowed or not). */
    public static boolean isPrivate(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            var embedded = embeddedIpv4(b);
            if (embedded != null) return isPrivate(embedded);
            int first = b[0] & 0xff;
            return v6.isAnyLocalAddress()
                    || v6.isLoopbackAddress()
                    || v6.isLinkLocalAddress()
                    || v6.isSiteLocalAddress()
                    || v6.isMulticastAddress()
                    || (first & 0xfe) == 0xfc; // fc00::/7, unique local
        }
        byte[] b = address.getAddress();
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        return a0 == 0 // 0.0.0.0/8
                || a0 == 10
                || a0 == 127
                || (a0 == 100 && (a1 & 0xc0) == 64) // 100.64/10, carrier-grade NAT
                || (a0 == 169 && a1 == 254) // link-local, cloud metadata
                || (a0 == 172 && (a1 & 0xf0) == 16)
                || (a0 == 192 && a1 == 168)
                || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24, protocol assignments
                || (a0 == 198 && (a1 & 0xfe) == 18) // 198.18/15, benchmarking
                || a0 >= 224; // multicast, reserved, broadcast
    }

    /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) or NAT64 one. */
    private static InetAddress embeddedIpv4(byte[] b) {
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) zeroPrefix &= b[i] == 0;
        boolean mapped = zeroPrefix && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeroPrefix && b[10] == 0 && b[11] == 0 && !allZero(b, 12);
        boolean nat64 =
                (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        if (!mapped && !compatible && !nat64) return null;
        try {
            return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean allZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) if (b[i] != 0) return false;
        return true;
    }

    /** A network an operator allowed. */
    private record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            try {
                byte[] network = InetAddress.getByName(text.substring(0, slash)).getAddress();
                int bits = Integer.parseInt(text.substring(slash + 1));
                if (bits < 0 || bits > network.length * 8) throw new NumberFormatException();
                return new Cidr(network, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("CRONHOOK_EGRESS_ALLOW_PRIVATE: \"" + text + "\" is not a CIDR");
            }
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) return false;
            int full = bits / 8;
            for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
            int rest = bits % 8;
            if (rest == 0) return true;
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }
}
