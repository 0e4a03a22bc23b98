package dev.easgate.bench.cluster;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/** The rule that load goes to this machine only: 127.0.0.0/8, ::1 or localhost, unless explicitly allowed. */
public final class Loopback {
    private Loopback() {
    }

    /** Whether the URL's host is a loopback address (names are resolved; unresolvable names are not loopback). */
    public static boolean isLoopback(URI url) {
        String host = url.getHost();
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The source addresses 127.0.0.{first}..127.0.0.{first+count-1} (first ≥ 2 keeps 127.0.0.1 for servers). */
    public static java.util.List<String> sourceAddresses(int first, int count) {
        java.util.List<String> addresses = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = first + i;
            addresses.add("127." + (n / 65536 % 256) + "." + (n / 256 % 256) + "." + (n % 256));
        }
        return addresses;
    }
}
