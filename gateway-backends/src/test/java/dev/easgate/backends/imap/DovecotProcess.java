package dev.easgate.backends.imap;

import dev.easgate.backends.testing.Loopback;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Dovecot for tests (IMAP, LMTP and submission on free loopback ports), configured in a temporary directory:
 * plain-text logins without TLS, users in a passwd-file ({@code user1..user3} with password {@code pass}, more with
 * {@link #addUser}), Maildir per user, CONDSTORE/QRESYNC and OBJECTID as Dovecot 2.3 has them.
 *
 * <p>Submission relays to a small SMTP-to-LMTP forwarder inside this class, so a message submitted for a local user
 * lands in their Inbox as through a real MTA. With {@link Options#pushUrl} the push-notification plugin runs the
 * gateway's Lua script ({@code easgate-push.lua}, the one README documents), which posts change events to the
 * gateway's webhook.
 *
 * <pre>{@code
 * try (DovecotProcess dovecot = DovecotProcess.start()) {
 *     dovecot.imapUrl();                      // imap://127.0.0.1:PORT
 *     dovecot.deliver("user1", mimeBytes);    // through LMTP
 * }
 * }</pre>
 * A missing {@code dovecot} fails the test with a clear message (never skipped): install the Debian packages
 * {@code dovecot-imapd dovecot-lmtpd dovecot-submissiond lua-socket} (and {@code dovecot-sieve
 * dovecot-managesieved} for {@link Options#sieve}), as {@code .ci/run} does.
 */
public final class DovecotProcess implements AutoCloseable {
    public static final String PASSWORD = "pass";
    public static final String DOMAIN = "example.test";
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final String DOVECOT = "/usr/sbin/dovecot";
    private static final int SPARE_USERS = 500;

    /**
     * What to start.
     *
     * @param pushUrl   the webhook the push-notification Lua script posts to, or {@code null} for no push
     * @param pushToken its bearer token
     * @param sieve     whether LMTP runs the users' Sieve scripts (Pigeonhole) and ManageSieve listens on
     *                  {@link #sievePort()}; vacation replies leave through the submission relay
     * @param acl       the acl and imap_acl plugins (RFC 4314) with the other users' namespace {@code shared/<owner>/}
     *                  (its sharing list in {@code acl_shared_dict}) and a public namespace {@code Public/} (see
     *                  {@link #share} and {@link #createPublic})
     * @param settings  lines (or blocks) added at the end of the configuration as they are
     */
    public record Options(String pushUrl, String pushToken, Sieve sieve, boolean acl, List<String> settings) {
        public static final Options DEFAULT = new Options(null, null);
        /** Shared and public folders with ACLs, no push. */
        public static final Options ACL = DEFAULT.withAcl();

        public Options {
            settings = List.copyOf(settings);
        }

        public Options(String pushUrl, String pushToken) {
            this(pushUrl, pushToken, Sieve.OFF, false, List.of());
        }

        public Options(String pushUrl, String pushToken, Sieve sieve) {
            this(pushUrl, pushToken, sieve, false, List.of());
        }

        /** These options with a line (or block) added at the end of the configuration. */
        public Options withSetting(String setting) {
            List<String> more = new ArrayList<>(settings);
            more.add(setting);
            return new Options(pushUrl, pushToken, sieve, acl, more);
        }

        /**
         * These options with Dovecot 2.3's capabilities after login but IDLE (RFC 2177), as a server without it
         * announces them ({@code imap_capability}; Dovecot would still take the command).
         */
        public Options withoutIdle() {
            return withSetting("imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY"
                    + " THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT"
                    + " CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT"
                    + " SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE STATUS=SIZE SAVEDATE"
                    + " LITERAL+ NOTIFY");
        }

        /**
         * These options with IMAP hibernation (Dovecot's {@code imap_hibernate_timeout}): a connection in IDLE for
         * that long moves to the {@code imap-hibernate} process; the {@code imap-master} socket is opened to it so
         * that it can hand the connection back, as Dovecot's documentation asks.
         */
        public Options withHibernation(String timeout) {
            List<String> more = new ArrayList<>(settings);
            more.add("imap_hibernate_timeout = " + timeout);
            more.add("service imap {\n  unix_listener imap-master {\n    user = $default_internal_user\n  }\n}");
            return new Options(pushUrl, pushToken, sieve, acl, more);
        }

        /** These options with Sieve and ManageSieve on. */
        public Options withSieve() {
            return new Options(pushUrl, pushToken, Sieve.ON, acl, settings);
        }

        /** The same with TLS on (a self-signed {@link #tlsCertificate()} for 127.0.0.1): ManageSieve offers STARTTLS. */
        public Options withSieveStartTls() {
            return new Options(pushUrl, pushToken, Sieve.STARTTLS, acl, settings);
        }

        /** These options with shared and public folders (the acl plugins). */
        public Options withAcl() {
            return new Options(pushUrl, pushToken, sieve, true, settings);
        }
    }

    /** Sieve and ManageSieve: off, on, or on with TLS (STARTTLS offered). */
    public enum Sieve { OFF, ON, STARTTLS }

    private final Path dir;
    private final int imapPort;
    private final int lmtpPort;
    private final int submissionPort;
    private final SmtpToLmtp relay;
    private final int sievePort = freePort();
    private final java.util.concurrent.atomic.AtomicInteger nextUser = new java.util.concurrent.atomic.AtomicInteger();
    private Process process;

    private DovecotProcess(Path dir, int imapPort, int lmtpPort, int submissionPort, SmtpToLmtp relay) {
        this.dir = dir;
        this.imapPort = imapPort;
        this.lmtpPort = lmtpPort;
        this.submissionPort = submissionPort;
        this.relay = relay;
    }

    public static DovecotProcess start() {
        return start(Options.DEFAULT);
    }

    public static DovecotProcess start(Options options) {
        if (!Files.isExecutable(Path.of(DOVECOT))) {
            throw new IllegalStateException(DOVECOT + " is not installed: the IMAP tests need a real Dovecot; install"
                    + " the Debian packages dovecot-imapd dovecot-lmtpd dovecot-submissiond lua-socket"
                    + " (apt-get install ...), as .ci/run does");
        }
        // a free port can be taken by another process before Dovecot binds it: then try again on fresh ports
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(options);
            } catch (IllegalStateException e) {
                if (attempt == 3 || e.getMessage() == null || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static DovecotProcess attempt(Options options) {
        Path dir;
        try {
            dir = Files.createTempDirectory("easgate-dovecot-");
            // the mail processes run as another user when started by root: they must reach the mail directory
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for dovecot", e);
        }
        int lmtpPort = freePort();
        SmtpToLmtp relay = new SmtpToLmtp(lmtpPort);
        DovecotProcess dovecot = new DovecotProcess(dir, freePort(), lmtpPort, freePort(), relay);
        try {
            dovecot.writeConfig(options);
            dovecot.launch(options.sieve() != Sieve.OFF);
        } catch (IOException | RuntimeException e) {
            dovecot.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        return dovecot;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int imapPort() {
        return imapPort;
    }

    public int lmtpPort() {
        return lmtpPort;
    }

    public int submissionPort() {
        return submissionPort;
    }

    /** {@code imap://127.0.0.1:PORT}. */
    public String imapUrl() {
        return "imap://" + host() + ":" + imapPort;
    }

    /** {@code smtp://127.0.0.1:PORT} (Dovecot's submission service, AUTH PLAIN without TLS). */
    public String submissionUrl() {
        return "smtp://" + host() + ":" + submissionPort;
    }

    /** ManageSieve's port (RFC 5804), listening with {@link Options#sieve}. */
    public int sievePort() {
        return sievePort;
    }

    /** {@code sieve://127.0.0.1:PORT}. */
    public String sieveUrl() {
        return "sieve://" + host() + ":" + sievePort;
    }

    public Path directory() {
        return dir;
    }

    /** A user no test has used yet (password {@link #PASSWORD}), from a supply written with the configuration. */
    public String nextUser() {
        int n = nextUser.incrementAndGet();
        if (n > SPARE_USERS) {
            throw new IllegalStateException("more than " + SPARE_USERS + " users asked for");
        }
        return "t" + n;
    }

    /**
     * Adds a user (or changes their password); Dovecot re-reads the passwd-file when it sees it changed, which may
     * take a second: prefer {@link #nextUser()} in tests.
     */
    public synchronized void addUser(String user, String password) {
        if (user.contains(":") || user.contains("\n") || password.contains(":") || password.contains("\n")) {
            throw new IllegalArgumentException("no ':' or newline in passwd-file entries");
        }
        try {
            Files.writeString(dir.resolve("users"), user + ":{PLAIN}" + password + "::::::\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Delivers {@code mime} to {@code user}'s Inbox through LMTP, as an MTA would. */
    public void deliver(String user, byte[] mime) {
        deliver("sender@" + DOMAIN, user, mime);
    }

    /** The same from envelope sender {@code from} (where automatic replies go: a local user's Inbox). */
    public void deliver(String from, String user, byte[] mime) {
        Lmtp.deliver(lmtpPort, from, List.of(user), mime);
    }

    /** The messages in {@code user}'s Inbox now, read from their Maildir (new and cur), oldest first. */
    public List<String> inbox(String user) {
        List<String> messages = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path folder = dir.resolve("mail").resolve(user).resolve(sub);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.sorted().toList()) {
                    messages.add(Files.readString(file, StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return messages;
    }

    /**
     * The titles of the Dovecot processes serving {@code user}'s IMAP connections now ({@code doveadm who}), e.g.
     * {@code dovecot/imap} or {@code dovecot/imap-hibernate}.
     */
    public List<String> imapProcessesOf(String user) {
        List<String> titles = new ArrayList<>();
        try {
            Process who = new ProcessBuilder("/usr/bin/doveadm", "-c", dir.resolve("dovecot.conf").toString(), "who",
                    user).redirectErrorStream(true).start();
            String out = new String(who.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            who.waitFor(10, TimeUnit.SECONDS);
            for (String line : out.split("\n")) {
                int open = line.indexOf('(');
                int close = line.indexOf(')', open + 1);
                if (!line.startsWith(user + " ") || open < 0 || close < 0) {
                    continue;
                }
                for (String pid : line.substring(open + 1, close).trim().split("\\s+")) {
                    Path cmdline = Path.of("/proc", pid, "cmdline");
                    if (Files.exists(cmdline)) {
                        titles.add(Files.readString(cmdline, StandardCharsets.UTF_8).replace('\0', ' ').strip());
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("doveadm who: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return titles;
    }

    /** Dovecot's log so far (for failure messages). */
    public String log() {
        try {
            Path log = dir.resolve("dovecot.log");
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        Process current = process;
        process = null;
        if (current != null) {
            current.destroy();
            try {
                if (!current.waitFor(10, TimeUnit.SECONDS)) {
                    current.destroyForcibly();
                    current.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        relay.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: best effort
        }
    }

    private void writeConfig(Options options) throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        String me = System.getProperty("user.name");
        Path mail = Files.createDirectories(dir.resolve("mail"));
        Files.setPosixFilePermissions(mail, PosixFilePermissions.fromString("rwxrwxrwx"));
        StringBuilder users = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            users.append("user").append(i).append(":{PLAIN}").append(PASSWORD).append("::::::\n");
        }
        for (int i = 1; i <= SPARE_USERS; i++) {
            users.append("t").append(i).append(":{PLAIN}").append(PASSWORD).append("::::::\n");
        }
        Files.writeString(dir.resolve("users"), users.toString());
        StringBuilder conf = new StringBuilder();
        conf.append("# written by DovecotProcess for one test run\n")
                .append("protocols = imap lmtp submission").append(options.sieve() != Sieve.OFF ? " sieve" : "")
                .append('\n')
                .append("listen = 127.0.0.1\n")
                .append("base_dir = ").append(dir.resolve("run")).append('\n')
                .append("state_dir = ").append(dir.resolve("state")).append('\n')
                .append("log_path = ").append(dir.resolve("dovecot.log")).append('\n')
                .append("info_log_path = ").append(dir.resolve("dovecot.log")).append('\n')
                .append(options.sieve() == Sieve.STARTTLS ? tls() : "ssl = no\n")
                .append("disable_plaintext_auth = no\n")
                .append("auth_mechanisms = plain login\n")
                .append("auth_failure_delay = 0\n")
                .append("hostname = mail.").append(DOMAIN).append('\n')
                .append("postmaster_address = postmaster@").append(DOMAIN).append('\n')
                .append("mail_location = maildir:").append(mail).append("/%u\n")
                .append("mail_max_userip_connections = 200\n")
                .append("mail_plugins = $mail_plugins notify").append(options.acl() ? " acl" : "").append('\n');
        if (root) {
            conf.append("mail_uid = mail\nmail_gid = mail\nfirst_valid_uid = 1\nfirst_valid_gid = 1\n");
        } else {
            conf.append("default_internal_user = ").append(me).append('\n')
                    .append("default_login_user = ").append(me).append('\n')
                    .append("mail_uid = ").append(me).append('\n')
                    .append("first_valid_uid = 1\nfirst_valid_gid = 1\n");
        }
        conf.append("namespace inbox {\n  inbox = yes\n  separator = /\n")
                .append("  mailbox Drafts {\n    auto = subscribe\n    special_use = \\Drafts\n  }\n")
                .append("  mailbox Sent {\n    auto = subscribe\n    special_use = \\Sent\n  }\n")
                .append("  mailbox Trash {\n    auto = subscribe\n    special_use = \\Trash\n  }\n")
                .append("  mailbox Junk {\n    auto = subscribe\n    special_use = \\Junk\n  }\n")
                .append("}\n")
                .append("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN ").append(dir.resolve("users"))
                .append("\n}\n")
                .append("userdb {\n  driver = static\n  args = home=").append(mail).append("/%u\n}\n")
                .append("service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ")
                .append(imapPort).append("\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}\n")
                .append("service lmtp {\n  inet_listener lmtp {\n    address = 127.0.0.1\n    port = ")
                .append(lmtpPort).append("\n  }\n  unix_listener lmtp {\n    mode = 0666\n  }\n}\n")
                .append("service submission-login {\n  inet_listener submission {\n    address = 127.0.0.1\n"
                        + "    port = ").append(submissionPort).append("\n  }\n}\n")
                // every login comes from the gateway's one address: no per-IP penalty (the gateway slows guessing)
                .append("service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\n")
                .append("submission_relay_host = 127.0.0.1\n")
                .append("submission_relay_port = ").append(relay.port()).append('\n')
                .append("submission_relay_trusted = yes\n")
                .append("lmtp_save_to_detail_mailbox = no\n");
        String lmtpPlugins = options.sieve() != Sieve.OFF ? " sieve" : "";
        if (options.sieve() != Sieve.OFF) {
            conf.append("service managesieve-login {\n  inet_listener sieve {\n    address = 127.0.0.1\n    port = ")
                    .append(sievePort).append("\n  }\n}\n")
                    // vacation replies go out through the relay, hence to the sender's Inbox when local
                    .append("submission_host = 127.0.0.1:").append(relay.port()).append('\n')
                    .append("plugin {\n  sieve = file:~/sieve;active=~/.dovecot.sieve\n}\n");
            if (options.pushUrl() == null) {
                conf.append("protocol lmtp {\n  mail_plugins = $mail_plugins sieve\n}\n");
            }
        }
        if (options.pushUrl() != null) {
            Path script = dir.resolve("easgate-push.lua");
            try (InputStream in = DovecotProcess.class.getResourceAsStream(
                    "/dev/easgate/backends/imap/easgate-push.lua")) {
                Objects.requireNonNull(in, "easgate-push.lua is not on the class path");
                Files.write(script, in.readAllBytes());
            }
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
            conf.append("protocol lmtp {\n  mail_plugins = $mail_plugins push_notification mail_lua"
                            + " push_notification_lua").append(lmtpPlugins).append("\n}\n")
                    .append("protocol imap {\n  mail_plugins = $mail_plugins push_notification mail_lua"
                            + " push_notification_lua").append(options.acl() ? " imap_acl" : "").append("\n}\n")
                    .append("plugin {\n  push_notification_driver = lua:file=").append(script).append('\n')
                    .append("  easgate_push_url = ").append(options.pushUrl()).append('\n')
                    .append("  easgate_push_token = ").append(options.pushToken()).append('\n')
                    .append("}\n");
        }
        if (options.acl()) {
            appendAcl(conf, mail, options.pushUrl() == null);
        }
        for (String setting : options.settings()) {
            conf.append(setting).append('\n');
        }
        Files.writeString(dir.resolve("dovecot.conf"), conf.toString());
    }

    /** The server's self-signed certificate (PEM) with {@link Options#withSieveStartTls()}. */
    public Path tlsCertificate() {
        return dir.resolve("cert.pem");
    }

    /** A self-signed certificate for 127.0.0.1 and the settings that use it. */
    private String tls() throws IOException {
        Path key = dir.resolve("key.pem");
        try {
            Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key.toString(), "-out", tlsCertificate().toString(), "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
            if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
                throw new IOException("openssl failed: " + Files.readString(dir.resolve("openssl.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return "ssl = yes\nssl_cert = <" + tlsCertificate() + "\nssl_key = <" + key + "\n";
    }

    /**
     * The ACL settings README's "Shared folders" section documents: vfile ACLs in each mailbox, the other users'
     * namespace listing what is shared with the user from {@code acl_shared_dict}, private \Seen flags (INDEXPVT),
     * and a public namespace whose folders carry their own dovecot-acl file.
     */
    private void appendAcl(StringBuilder conf, Path mail, boolean imapBlock) throws IOException {
        Path publicDir = Files.createDirectories(dir.resolve("public"));
        Files.setPosixFilePermissions(publicDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        if (imapBlock) {
            conf.append("protocol imap {\n  mail_plugins = $mail_plugins imap_acl\n}\n");
        }
        conf.append("namespace shared {\n  type = shared\n  separator = /\n  prefix = shared/%%u/\n")
                .append("  location = maildir:").append(mail).append("/%%u:INDEXPVT=").append(mail)
                .append("/%u/shared/%%u\n  subscriptions = no\n  list = children\n}\n")
                .append("namespace public {\n  type = public\n  separator = /\n  prefix = Public/\n")
                .append("  location = maildir:").append(publicDir).append(":INDEXPVT=").append(mail)
                .append("/%u/public\n  subscriptions = no\n  list = children\n}\n")
                // the dictionary is written by every user's mail process: in the directory they all may write
                .append("plugin {\n  acl = vfile\n  acl_shared_dict = file:")
                .append(mail.resolve("shared-mailboxes.db")).append("\n}\n");
    }

    /**
     * As {@code owner}: creates {@code mailbox} when missing and grants {@code grantee} the RFC 4314 {@code rights}
     * (SETACL; an empty string takes them away). The grantee sees it as {@code shared/<owner>/<mailbox>}.
     */
    public void share(String owner, String mailbox, String grantee, String rights) {
        imap(owner, "CREATE " + quoted(mailbox), "SETACL " + quoted(mailbox) + " " + quoted(grantee) + " "
                + quoted(rights));
    }

    /**
     * A folder of the public namespace ({@code Public/<name>}), made on disk as an administrator would, with
     * {@code rights} for {@code grantee} (a dovecot-acl line, e.g. {@code user=t1 lrs}).
     */
    public void createPublic(String name, String grantee, String rights) {
        try {
            Path box = Files.createDirectories(dir.resolve("public").resolve("." + name));
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(box.resolve(sub));
            }
            Files.writeString(box.resolve("dovecot-acl"), grantee + " " + rights + "\n");
            try (Stream<Path> paths = Files.walk(dir.resolve("public"))) {
                for (Path path : paths.toList()) {
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                            Files.isDirectory(path) ? "rwxrwxrwx" : "rw-rw-rw-"));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Logs in as {@code user} and runs the commands (tagged in order), failing on a NO or BAD; returns the untagged
     * answers. A plain socket, apart from the code under test.
     */
    public List<String> imap(String user, String... commands) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), imapPort)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            in.readLine();
            List<String> untagged = new ArrayList<>();
            List<String> all = new ArrayList<>();
            all.add("LOGIN " + quoted(user) + " " + quoted(PASSWORD));
            all.addAll(List.of(commands));
            all.add("LOGOUT");
            for (int i = 0; i < all.size(); i++) {
                String tag = "t" + i;
                Lmtp.send(out, tag + " " + all.get(i));
                String line;
                while ((line = in.readLine()) != null && !line.startsWith(tag + " ")) {
                    untagged.add(line);
                }
                if (line == null || !line.startsWith(tag + " OK")) {
                    if (line != null && line.startsWith(tag + " NO [ALREADYEXISTS]")) {
                        continue;
                    }
                    throw new IllegalStateException("IMAP " + all.get(i) + " as " + user + ": " + line);
                }
            }
            return untagged;
        } catch (IOException e) {
            throw new IllegalStateException("IMAP as " + user + ": " + e, e);
        }
    }

    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private void launch(boolean sieve) {
        try {
            process = new ProcessBuilder(DOVECOT, "-F", "-c", dir.resolve("dovecot.conf").toString())
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start dovecot: " + e, e);
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dovecot exited with " + process.exitValue() + ": " + stdout()
                        + "\n" + log());
            }
            if (greets(imapPort, "* OK") && greets(lmtpPort, "220") && greets(submissionPort, "220")
                    && (!sieve || greets(sievePort, "\"IMPLEMENTATION\""))) {
                return;
            }
            sleep(30);
        }
        throw new IllegalStateException("dovecot does not greet on its ports: " + stdout() + "\n" + log());
    }

    private String stdout() {
        try {
            return Files.readString(dir.resolve("stdout.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean greets(int port, String prefix) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            String line = in.readLine();
            return line != null && line.startsWith(prefix);
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free on the loopback interface now. */
    public static int freePort() {
        return Loopback.freePort();
    }

    static void sleep(long millis) {
        Loopback.sleep(millis);
    }

    /** A minimal LMTP client (RFC 2033): one message to some local recipients. */
    static final class Lmtp {
        private Lmtp() {
        }

        static void deliver(int port, String from, List<String> recipients, byte[] mime) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                OutputStream out = socket.getOutputStream();
                expect(in, "220");
                send(out, "LHLO easgate.test");
                expect(in, "250");
                send(out, "MAIL FROM:<" + from + ">");
                expect(in, "250");
                for (String recipient : recipients) {
                    send(out, "RCPT TO:<" + recipient + ">");
                    expect(in, "250");
                }
                send(out, "DATA");
                expect(in, "354");
                out.write(dotStuffed(mime));
                out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; i < recipients.size(); i++) {
                    expect(in, "250");
                }
                send(out, "QUIT");
            } catch (IOException e) {
                throw new IllegalStateException("LMTP delivery failed: " + e, e);
            }
        }

        static byte[] dotStuffed(byte[] mime) {
            String text = new String(mime, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").replace("\n", "\r\n");
            if (!text.endsWith("\r\n")) {
                text += "\r\n";
            }
            StringBuilder stuffed = new StringBuilder(text.length() + 16);
            for (String line : text.split("\r\n", -1)) {
                stuffed.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
            }
            stuffed.setLength(stuffed.length() - 2); // split's last empty element
            return stuffed.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        static void send(OutputStream out, String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Reads one (possibly multi-line) reply and checks its code. */
        static String expect(BufferedReader in, String code) throws IOException {
            String line;
            StringBuilder all = new StringBuilder();
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed, expected " + code + " after: " + all);
                }
                all.append(line).append('\n');
            } while (line.length() > 3 && line.charAt(3) == '-');
            if (!line.startsWith(code)) {
                throw new IOException("expected " + code + ", got: " + all);
            }
            return all.toString();
        }
    }

    /**
     * The MTA behind Dovecot's submission service in tests: accepts SMTP from it on a loopback port and hands each
     * message to Dovecot's LMTP for local recipients (the domain part is dropped: users are local names).
     */
    static final class SmtpToLmtp implements AutoCloseable {
        private final ServerSocket server;
        private final int lmtpPort;
        private final Thread thread;

        SmtpToLmtp(int lmtpPort) {
            this.lmtpPort = lmtpPort;
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            thread = new Thread(this::acceptLoop, "smtp-to-lmtp-" + server.getLocalPort());
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread session = new Thread(() -> serve(socket), "smtp-to-lmtp-session");
                    session.setDaemon(true);
                    session.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                socket.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                OutputStream out = socket.getOutputStream();
                Lmtp.send(out, "220 relay.easgate.test ESMTP test relay");
                String from = "";
                List<String> recipients = new ArrayList<>();
                String line;
                while ((line = in.readLine()) != null) {
                    String upper = line.toUpperCase(java.util.Locale.ROOT);
                    if (upper.startsWith("EHLO") || upper.startsWith("HELO")) {
                        Lmtp.send(out, "250-relay.easgate.test\r\n250-8BITMIME\r\n250 PIPELINING");
                    } else if (upper.startsWith("MAIL FROM:")) {
                        from = address(line.substring(10));
                        recipients.clear();
                        Lmtp.send(out, "250 2.1.0 Ok");
                    } else if (upper.startsWith("RCPT TO:")) {
                        String rcpt = address(line.substring(8));
                        int at = rcpt.indexOf('@');
                        recipients.add(at < 0 ? rcpt : rcpt.substring(0, at));
                        Lmtp.send(out, "250 2.1.5 Ok");
                    } else if (upper.startsWith("DATA")) {
                        Lmtp.send(out, "354 End data with <CR><LF>.<CR><LF>");
                        StringBuilder data = new StringBuilder();
                        String dataLine;
                        while ((dataLine = in.readLine()) != null && !dataLine.equals(".")) {
                            data.append(dataLine.startsWith(".") ? dataLine.substring(1) : dataLine).append("\r\n");
                        }
                        try {
                            Lmtp.deliver(lmtpPort, from, recipients,
                                    data.toString().getBytes(StandardCharsets.ISO_8859_1));
                            Lmtp.send(out, "250 2.0.0 Ok: delivered");
                        } catch (IllegalStateException e) {
                            Lmtp.send(out, "451 4.3.0 " + e.getMessage().replace('\n', ' '));
                        }
                    } else if (upper.startsWith("RSET")) {
                        recipients.clear();
                        Lmtp.send(out, "250 2.0.0 Ok");
                    } else if (upper.startsWith("NOOP")) {
                        Lmtp.send(out, "250 2.0.0 Ok");
                    } else if (upper.startsWith("QUIT")) {
                        Lmtp.send(out, "221 2.0.0 Bye");
                        return;
                    } else {
                        Lmtp.send(out, "502 5.5.2 not implemented");
                    }
                }
            } catch (IOException ignored) {
                // the peer went away
            }
        }

        private static String address(String text) {
            String value = text.strip();
            int open = value.indexOf('<');
            int close = value.indexOf('>');
            return open >= 0 && close > open ? value.substring(open + 1, close) : value.split(" ")[0];
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
