package dev.easgate.backends.dav;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Radicale (Debian's {@code radicale} package) for tests: started on a free loopback port with its config,
 * htpasswd file (plain passwords), rights and collections in a temporary folder, stopped and deleted on close.
 * With {@link #start} the service account {@link #SERVICE_USER} may read and write every user's collections (the
 * gateway's account), every other user only their own; {@link #startPerUser} has no service account at all and
 * Radicale's {@code owner_only} rights, as hosting providers run it (each user logs in with their own password and
 * reaches only their own principal). Fails, never skips, when Radicale is not installed.
 */
public final class RadicaleProcess implements AutoCloseable {
    public static final String SERVICE_USER = "easgate";
    public static final String SERVICE_PASSWORD = "easgate-secret";

    private final Path dir;
    private final Process process;
    private final int port;

    private RadicaleProcess(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** Starts Radicale; {@code users} are name/password pairs besides the service account. */
    public static RadicaleProcess start(String... users) throws IOException, InterruptedException {
        return start(true, users);
    }

    /**
     * Starts Radicale without a service account, rights {@code owner_only}; {@code users} are name/password pairs.
     * Act as a user with {@link #requestAs}.
     */
    public static RadicaleProcess startPerUser(String... users) throws IOException, InterruptedException {
        return start(false, users);
    }

    private static RadicaleProcess start(boolean service, String... users) throws IOException, InterruptedException {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process check = new ProcessBuilder(python, "-c", "import radicale").redirectErrorStream(true).start();
        if (check.waitFor() != 0) {
            throw new IllegalStateException("Radicale is not installed (Debian: apt-get install radicale; see "
                    + ".ci/run): " + new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        Path dir = Files.createTempDirectory("radicale-test");
        StringBuilder htpasswd = new StringBuilder(service ? SERVICE_USER + ":" + SERVICE_PASSWORD + "\n" : "");
        for (int i = 0; i + 1 < users.length; i += 2) {
            htpasswd.append(users[i]).append(':').append(users[i + 1]).append('\n');
        }
        Files.writeString(dir.resolve("users"), htpasswd);
        Files.writeString(dir.resolve("rights"), """
                [service]
                user: %s
                collection: .*
                permissions: RrWw

                [root]
                user: .+
                collection:
                permissions: R

                [principal]
                user: .+
                collection: {user}
                permissions: RW

                [collections]
                user: .+
                collection: {user}/[^/]+
                permissions: rw
                """.formatted(SERVICE_USER));
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.writeString(dir.resolve("config"), """
                [server]
                hosts = 127.0.0.1:%d

                [auth]
                type = htpasswd
                htpasswd_filename = %s
                htpasswd_encryption = plain
                delay = 0

                [rights]
                %s

                [storage]
                filesystem_folder = %s

                [logging]
                level = warning
                mask_passwords = True
                """.formatted(port, dir.resolve("users"), service ? "type = from_file\nfile = " + dir.resolve("rights")
                : "type = owner_only", dir.resolve("collections")));
        Process process = new ProcessBuilder(python, "-m", "radicale", "--config", dir.resolve("config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("radicale.log").toFile()).start();
        RadicaleProcess radicale = new RadicaleProcess(dir, process, port);
        radicale.awaitReady();
        return radicale;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Radicale exited: " + log());
            }
            try {
                http.send(HttpRequest.newBuilder(url()).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException("Radicale did not answer within 20 s: " + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("radicale.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The base URL: {@code http://127.0.0.1:PORT/}; a user's principal is {@code <url><user>/}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public int port() {
        return port;
    }

    /** A request as the service account; returns status and body (for tests that act "behind the gateway"). */
    public HttpResponse<String> request(String method, String path, String contentType, String body,
                                        String... headers) throws IOException, InterruptedException {
        return requestAs(SERVICE_USER, SERVICE_PASSWORD, method, path, contentType, body, headers);
    }

    /** A request as {@code user}: another client of theirs, behind the gateway's back. */
    public HttpResponse<String> requestAs(String user, String password, String method, String path,
                                          String contentType, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url().resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Adds a login (or another password for it: Radicale accepts any line that matches); Radicale reads the htpasswd
     * file at every login, so it counts at once.
     */
    public synchronized void addUser(String user, String password) throws IOException {
        if (user.contains(":") || user.contains("\n") || password.contains("\n")) {
            throw new IllegalArgumentException("no ':' in a user name, no newline in an htpasswd entry");
        }
        Files.writeString(dir.resolve("users"), user + ":" + password + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * Shares {@code owner}'s collection {@code owner/collection} with {@code grantee}: read ({@code "r"}) or read and
     * write ({@code "rw"}), and lets the grantee list the owner's principal ({@code R}) so that the DAV root shows it
     * to them. Two sections appended to the rights file (from {@link #start} only), which Radicale reads at every
     * request; the first section that matches wins, so a collection is shared once.
     */
    public synchronized void share(String owner, String collection, String grantee, String permissions)
            throws IOException {
        for (String name : List.of(owner, collection, grantee)) {
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("a plain name, not a pattern: " + name);
            }
        }
        if (!permissions.equals("r") && !permissions.equals("rw")) {
            throw new IllegalArgumentException("r or rw");
        }
        Files.writeString(dir.resolve("rights"), """

                [share-%1$s-%2$s-%3$s-principal]
                user: %3$s
                collection: %1$s
                permissions: R

                [share-%1$s-%2$s-%3$s]
                user: %3$s
                collection: %1$s/%2$s
                permissions: %4$s
                """.formatted(owner, collection, grantee, permissions), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** Creates a user's default calendar, address book and task list (as a groupware server does at first login). */
    public void createDefaults(String user) throws IOException, InterruptedException {
        createDefaults(user, SERVICE_USER, SERVICE_PASSWORD);
    }

    /** The same, logged in as {@code login} (the user themselves on a {@link #startPerUser} Radicale). */
    public void createDefaults(String user, String login, String password) throws IOException, InterruptedException {
        requestAs(login, password, "MKCOL", user + "/", null, null);
        check(requestAs(login, password, "MKCALENDAR", user + "/calendar/", "application/xml",
                mkcalendar("Calendar", "VEVENT")));
        check(requestAs(login, password, "MKCOL", user + "/contacts/", "application/xml", """
                <?xml version="1.0" encoding="utf-8"?>
                <d:mkcol xmlns:d="DAV:" xmlns:a="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>
                <d:resourcetype><d:collection/><a:addressbook/></d:resourcetype>
                <d:displayname>Contacts</d:displayname></d:prop></d:set></d:mkcol>"""));
        check(requestAs(login, password, "MKCALENDAR", user + "/tasks/", "application/xml",
                mkcalendar("Tasks", "VTODO")));
    }

    private static String mkcalendar(String name, String component) {
        return """
                <?xml version="1.0" encoding="utf-8"?>
                <c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>
                <d:displayname>%s</d:displayname>
                <c:supported-calendar-component-set><c:comp name="%s"/></c:supported-calendar-component-set>
                </d:prop></d:set></c:mkcalendar>""".formatted(name, component);
    }

    private static void check(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(response.request().method() + " " + response.uri() + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // best effort
        }
    }
}
