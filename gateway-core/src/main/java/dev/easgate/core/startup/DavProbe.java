package dev.easgate.core.startup;

import java.net.URI;

/**
 * CalDAV/CardDAV: {@code OPTIONS} on the base URL over HTTP/1.1 (RFC 4918 10.1 names the DAV classes there),
 * without credentials; any answer below 500 (a 401 asking for a login included) is a DAV server that answers, a
 * 5xx one that refuses. Only the status line is read.
 */
final class DavProbe implements Probe {
    private final URI url;

    DavProbe(URI url) {
        this.url = url;
    }

    @Override
    public String ask(long deadline) throws Exception {
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        try (LineConnection connection = LineConnection.open(url.getHost(), port, tls, deadline)) {
            connection.writeLine("OPTIONS " + path + " HTTP/1.1");
            connection.writeLine("Host: " + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : ""));
            connection.writeLine("User-Agent: easgate-probe");
            connection.writeLine("Connection: close");
            connection.writeLine("");
            String status = connection.readLine();
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
                throw new ProbeRefusedException("not an HTTP answer: " + status);
            }
            int code = Integer.parseInt(parts[1]);
            if (code >= 500) {
                throw new ProbeRefusedException("OPTIONS answered " + status);
            }
            return "OPTIONS answered HTTP " + code;
        }
    }
}
