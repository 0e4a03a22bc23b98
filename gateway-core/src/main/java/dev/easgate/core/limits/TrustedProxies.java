package dev.easgate.core.limits;

import dev.easgate.backends.logging.LogText;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds a request's client address behind reverse proxies: {@code Forwarded} (RFC 7239) or {@code X-Forwarded-For}
 * are honoured only when the immediate peer is a trusted proxy, and then read right to left, skipping trusted
 * hops, so a client cannot forge its address by sending the header itself.
 */
public final class TrustedProxies {
    private final List<Range> ranges;

    private record Range(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int bits = prefix;
            for (int i = 0; i < address.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
                if ((address[i] & mask) != (network[i] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    /** Parses {@code 10.0.0.0/8,127.0.0.1,::1/128}; literal addresses only (no host names). */
    public static TrustedProxies parse(String list) {
        List<Range> ranges = new ArrayList<>();
        for (String part : list.split(",")) {
            String item = part.strip();
            if (item.isEmpty()) {
                continue;
            }
            int slash = item.indexOf('/');
            String host = slash < 0 ? item : item.substring(0, slash);
            byte[] network = literal(host);
            if (network == null) {
                throw new IllegalArgumentException("proxy.trusted: '" + item + "' is not an address or CIDR range");
            }
            int prefix = network.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(item.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("proxy.trusted: bad prefix in '" + item + "'");
                }
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("proxy.trusted: bad prefix in '" + item + "'");
                }
            }
            ranges.add(new Range(network, prefix));
        }
        return new TrustedProxies(ranges);
    }

    /** The bytes of a literal IPv4/IPv6 address, or null when {@code text} is not one (never a DNS lookup). */
    static byte[] literal(String text) {
        String t = text.strip();
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            t = end < 0 ? t.substring(1) : t.substring(1, end);
        }
        if (t.isEmpty() || !(t.indexOf(':') >= 0 || t.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return null;
        }
        if (t.indexOf(':') < 0 && t.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** Whether {@code address} is a literal loopback address (127.0.0.0/8, ::1); text that is not an address is not. */
    public static boolean loopback(String address) {
        byte[] bytes = literal(address);
        if (bytes == null) {
            return false;
        }
        try {
            return InetAddress.getByAddress(bytes).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public boolean trusted(String address) {
        byte[] bytes = literal(address);
        if (bytes == null) {
            return false;
        }
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client address of a request from {@code peer} carrying these header values (either may be null).
     */
    public String clientAddress(InetSocketAddress peer, String forwarded, String xForwardedFor) {
        String peerAddress = peer == null ? "unknown"
                : peer.getAddress() != null ? peer.getAddress().getHostAddress() : peer.getHostString();
        if (ranges.isEmpty() || !trusted(peerAddress)) {
            return peerAddress;
        }
        List<String> hops = forwarded != null ? forwardedFor(forwarded)
                : xForwardedFor != null ? List.of(xForwardedFor.split(",")) : List.of();
        String client = peerAddress;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i).strip();
            if (hop.isEmpty()) {
                continue;
            }
            if (literal(hop) == null) {
                // not an address (a forged or garbled header): kept as text for the throttle, escaped for logs
                client = LogText.escape(hop);
                break;
            }
            client = hop;
            if (!trusted(hop)) {
                break;
            }
        }
        return client;
    }

    /** The {@code for=} values of a Forwarded header, in order; ports and quotes removed. */
    private static List<String> forwardedFor(String header) {
        List<String> out = new ArrayList<>();
        for (String element : header.split(",")) {
            for (String pair : element.split(";")) {
                String p = pair.strip();
                if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
                    String value = p.substring(4).strip();
                    if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) {
                        value = value.substring(1, value.length() - 1);
                    }
                    if (value.startsWith("[")) {
                        int end = value.indexOf(']');
                        value = end < 0 ? value : value.substring(1, end);
                    } else if (value.indexOf(':') == value.lastIndexOf(':') && value.indexOf(':') > 0) {
                        value = value.substring(0, value.indexOf(':'));
                    }
                    out.add(value);
                }
            }
        }
        return out;
    }
}
