package dev.easgate.core.startup;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * CalDAV/CardDAV: OPTIONS on the base URL, without credentials; any answer below 500 (401 asking for a login
 * included) is a DAV server that answers, a 5xx one that refuses.
 */
final class DavProbe implements Probe {
    private final URI url;

    DavProbe(URI url) {
        this.url = url;
    }

    @Override
    public String ask(long deadline) throws Exception {
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        HttpClient client = HttpClient.newBuilder().connectTimeout(left)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(url).timeout(left)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status >= 500) {
            throw new ProbeRefusedException("OPTIONS answered HTTP " + status);
        }
        String dav = response.headers().firstValue("DAV").orElse("");
        return "OPTIONS answered HTTP " + status + (dav.isEmpty() ? "" : " (DAV " + dav + ")");
    }
}
