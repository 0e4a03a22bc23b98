package dev.easgate.backends.directory;

import dev.easgate.backends.testing.Loopback;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real OpenLDAP {@code slapd} for tests: a generated slapd.conf with the core, cosine and inetOrgPerson schemas
 * and one mdb database for {@link #SUFFIX}, on a free loopback port, in a temporary directory; entries are loaded
 * with {@code ldapadd}. Shared through the test-jar:
 * <pre>{@code
 * try (SlapdProcess slapd = SlapdProcess.start()) {
 *     slapd.add(SlapdProcess.ldif(entries));
 *     String url = slapd.url();   // ldap://127.0.0.1:port
 * }
 * }</pre>
 * A missing {@code slapd} or {@code ldapadd} fails the test with a clear message (never skipped): install the
 * Debian packages {@code slapd ldap-utils} (CI does so through {@code .ci/run}).
 */
public final class SlapdProcess implements AutoCloseable {
    public static final String SUFFIX = "dc=example,dc=com";
    public static final String PEOPLE = "ou=people," + SUFFIX;
    public static final String ROOT_DN = "cn=admin," + SUFFIX;
    public static final String ROOT_PASSWORD = "secret";
    private static final Duration STARTUP = Duration.ofSeconds(15);

    private final int port;
    private final Path dir;
    private Process process;

    private SlapdProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts slapd on a free port with the suffix and the {@link #PEOPLE} unit in place. */
    public static SlapdProcess start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("easgate-slapd-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for slapd", e);
        }
        SlapdProcess slapd = new SlapdProcess(freePort(), dir);
        try {
            slapd.launch();
            slapd.add("dn: " + SUFFIX + "\nobjectClass: dcObject\nobjectClass: organization\ndc: example\n"
                    + "o: Example Corp\n\ndn: " + PEOPLE + "\nobjectClass: organizationalUnit\nou: people\n");
        } catch (RuntimeException e) {
            slapd.close();
            throw e;
        }
        return slapd;
    }

    public int port() {
        return port;
    }

    /** {@code ldap://127.0.0.1:port}. */
    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    /** Loads LDIF text with {@code ldapadd} bound as the root DN; fails with ldapadd's output. */
    public void add(String ldif) {
        run("ldapadd", ldif);
    }

    /** Applies LDIF change records ({@code changetype: modify} ...) with {@code ldapmodify} as the root DN. */
    public void modify(String ldif) {
        run("ldapmodify", ldif);
    }

    private void run(String tool, String ldif) {
        Path file = dir.resolve(tool + "-" + System.nanoTime() + ".ldif");
        try {
            Files.writeString(file, ldif, StandardCharsets.UTF_8);
            Process add = new ProcessBuilder(executable(tool), "-x", "-H", url(), "-D", ROOT_DN, "-w",
                    ROOT_PASSWORD, "-f", file.toString()).redirectErrorStream(true).start();
            String output = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!add.waitFor(30, TimeUnit.SECONDS) || add.exitValue() != 0) {
                throw new IllegalStateException(tool + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + tool + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** inetOrgPerson entries under {@link #PEOPLE} for {@code entries}, binary values base64-encoded. */
    public static String ldif(List<DirectoryEntry> entries) {
        StringBuilder out = new StringBuilder();
        for (DirectoryEntry e : entries) {
            String uid = e.alias() != null ? e.alias() : e.email().substring(0, e.email().indexOf('@'));
            out.append("dn: uid=").append(uid).append(',').append(PEOPLE).append('\n');
            out.append("objectClass: inetOrgPerson\n");
            value(out, "uid", uid);
            value(out, "cn", e.displayName());
            value(out, "sn", e.lastName() != null ? e.lastName() : e.displayName());
            value(out, "givenName", e.firstName());
            value(out, "mail", e.email());
            value(out, "telephoneNumber", e.phone());
            value(out, "mobile", e.mobilePhone());
            value(out, "homePhone", e.homePhone());
            value(out, "physicalDeliveryOfficeName", e.office());
            value(out, "title", e.title());
            value(out, "o", e.company());
            if (e.picture() != null) {
                out.append("jpegPhoto:: ").append(Base64.getEncoder().encodeToString(e.picture())).append('\n');
            }
            for (byte[] certificate : e.certificates()) {
                out.append("userCertificate;binary:: ").append(Base64.getEncoder().encodeToString(certificate))
                        .append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void value(StringBuilder out, String attribute, String value) {
        if (value == null) {
            return;
        }
        boolean safe = value.chars().allMatch(c -> c >= 0x20 && c < 0x7F) && !value.startsWith(" ")
                && !value.startsWith(":") && !value.startsWith("<");
        if (safe) {
            out.append(attribute).append(": ").append(value).append('\n');
        } else {
            out.append(attribute).append(":: ")
                    .append(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
    }

    private void launch() {
        Path data = dir.resolve("data");
        Path conf = dir.resolve("slapd.conf");
        try {
            Files.createDirectories(data);
            Files.writeString(conf, String.join("\n",
                    "include /etc/ldap/schema/core.schema",
                    "include /etc/ldap/schema/cosine.schema",
                    "include /etc/ldap/schema/inetorgperson.schema",
                    "modulepath /usr/lib/ldap",
                    "moduleload back_mdb",
                    "pidfile " + dir.resolve("slapd.pid"),
                    "argsfile " + dir.resolve("slapd.args"),
                    "database mdb",
                    "maxsize 67108864",
                    "suffix \"" + SUFFIX + "\"",
                    "rootdn \"" + ROOT_DN + "\"",
                    "rootpw " + ROOT_PASSWORD,
                    "directory " + data,
                    "index objectClass eq",
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the slapd configuration", e);
        }
        List<String> command = new ArrayList<>(List.of(executable("slapd"), "-h", url() + "/", "-f",
                conf.toString(), "-d", "0"));
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("slapd.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start slapd: " + e, e);
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("slapd on port " + port + " exited with " + process.exitValue()
                        + ": " + log());
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                sleep(25);
            }
        }
        throw new IllegalStateException("slapd on port " + port + " does not listen: " + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("slapd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops slapd and deletes its directory. */
    @Override
    public void close() {
        Process current = process;
        process = null;
        if (current != null) {
            current.destroy();
            try {
                if (!current.waitFor(10, TimeUnit.SECONDS)) {
                    current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: best effort
        }
    }

    static String executable(String name) {
        for (String directory : (System.getenv().getOrDefault("PATH", "/usr/bin") + ":/usr/sbin:/usr/bin")
                .split(":")) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException(name + " is not installed: the LDAP directory tests need a real OpenLDAP;"
                + " install the Debian packages slapd and ldap-utils (apt-get install slapd ldap-utils), as"
                + " .ci/run does");
    }

    /** A port free on the loopback interface now. */
    static int freePort() {
        return Loopback.freePort();
    }

    private static void sleep(long millis) {
        Loopback.sleep(millis);
    }
}
