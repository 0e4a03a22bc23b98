package dev.easgate.bench.imap;

import dev.easgate.bench.cluster.LocalCluster;
import dev.easgate.bench.cluster.ProcStat;
import dev.easgate.bench.cluster.StartedProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A Dovecot 2.3 for the bench, in its own directory: IMAP and LMTP on free loopback ports, {@code count} users
 * {@code PREFIX000000...} with one password in a passwd-file, Maildir. Dovecot's limits are left at their stock
 * values (process_limit, client_limit, mail_max_userip_connections) unless settings are added ({@link #large}: the
 * ones README gives for many held connections); the per-IP auth penalty is off, as README asks of every gateway
 * deployment (all logins come from the gateway's one address). With a push URL the shipped Lua push script is wired
 * in. Registered with {@link StartedProcesses}; {@link #stop} also ends children left by a master killed late.
 */
final class DovecotServer {
    static final String DOVECOT = "/usr/sbin/dovecot";

    private final Path dir;
    private final int imapPort;
    private final int lmtpPort;
    private Process process;

    private DovecotServer(Path dir, int imapPort, int lmtpPort) {
        this.dir = dir;
        this.imapPort = imapPort;
        this.lmtpPort = lmtpPort;
    }

    /** Ports chosen, nothing written or started yet (the proxy and the gateway need the IMAP port first). */
    static DovecotServer prepare(Path dir) throws IOException {
        if (!Files.isExecutable(Path.of(DOVECOT))) {
            throw new IllegalStateException(DOVECOT + " is not installed (Debian: apt-get install dovecot-imapd "
                    + "dovecot-lmtpd lua-socket)");
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new DovecotServer(dir, LocalCluster.freePort(), LocalCluster.freePort());
    }

    int imapPort() {
        return imapPort;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    /**
     * README's settings for a Dovecot that keeps {@code connections} IMAP connections open (one {@code imap} process
     * each): the imap process limit, and the stats service's client limit (every imap process is a client of it,
     * and past the limit each new process waits for a handshake timeout), both with room for the logins, LMTP and
     * other clients next to the held connections.
     */
    static List<String> large(int connections) {
        int room = Math.max(200, connections / 10);
        return List.of("service imap {\n  process_limit = " + (connections + room) + "\n}",
                "service stats {\n  client_limit = " + (connections + 2 * room) + "\n}");
    }

    /**
     * README's settings for IMAP hibernation: a connection in IDLE for {@code timeout} moves from its {@code imap}
     * process to {@code imap-hibernate}, which hands it back through the {@code imap-master} socket (opened to it).
     */
    static List<String> hibernation(String timeout) {
        if (!timeout.matches("[0-9]+ ?[a-z]*")) {
            throw new IllegalArgumentException("--dovecot-hibernate: a Dovecot time such as 30s, got " + timeout);
        }
        return List.of("imap_hibernate_timeout = " + timeout,
                "service imap {\n  unix_listener imap-master {\n    user = $default_internal_user\n  }\n}");
    }

    /**
     * Writes the configuration and users and starts Dovecot; {@code pushScript} and {@code pushUrl} may be null (no
     * push plugin: a stock server); {@code settings} are added at the end of the configuration as they are.
     */
    void start(StartedProcesses started, String userPrefix, int users, String password, Path pushScript,
               String pushUrl, String pushToken, List<String> settings) throws IOException, InterruptedException {
        Path mail = Files.createDirectories(dir.resolve("mail"));
        Files.setPosixFilePermissions(mail, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (Writer passwd = Files.newBufferedWriter(dir.resolve("users"))) {
            for (int i = 0; i < users; i++) {
                passwd.write(ImapPushBench.user(userPrefix, i) + ":{PLAIN}" + password + "::::::\n");
            }
        }
        String me = System.getProperty("user.name");
        StringBuilder conf = new StringBuilder();
        conf.append("# written by eas-bench imap-push; limits are Dovecot's stock ones unless added at the end\n")
                .append("protocols = imap lmtp\n")
                .append("listen = 127.0.0.1\n")
                .append("base_dir = ").append(dir.resolve("run")).append('\n')
                .append("state_dir = ").append(dir.resolve("state")).append('\n')
                .append("log_path = ").append(dir.resolve("dovecot.log")).append('\n')
                .append("info_log_path = ").append(dir.resolve("dovecot.log")).append('\n')
                .append("ssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n")
                .append("hostname = mail.bench.test\npostmaster_address = postmaster@bench.test\n")
                .append("mail_location = maildir:").append(mail).append("/%u\n")
                .append("mail_plugins = $mail_plugins notify\n");
        if ("root".equals(me)) {
            conf.append("mail_uid = mail\nmail_gid = mail\nfirst_valid_uid = 1\nfirst_valid_gid = 1\n");
        } else {
            conf.append("default_internal_user = ").append(me).append('\n')
                    .append("default_login_user = ").append(me).append('\n')
                    .append("mail_uid = ").append(me).append("\nfirst_valid_uid = 1\nfirst_valid_gid = 1\n");
        }
        conf.append("namespace inbox {\n  inbox = yes\n  separator = /\n")
                .append("  mailbox Drafts {\n    auto = subscribe\n    special_use = \\Drafts\n  }\n")
                .append("  mailbox Sent {\n    auto = subscribe\n    special_use = \\Sent\n  }\n")
                .append("  mailbox Trash {\n    auto = subscribe\n    special_use = \\Trash\n  }\n")
                .append("}\n")
                .append("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN ").append(dir.resolve("users"))
                .append("\n}\n")
                .append("userdb {\n  driver = static\n  args = home=").append(mail).append("/%u\n}\n")
                .append("service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ")
                .append(imapPort).append("\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}\n")
                .append("service lmtp {\n  inet_listener lmtp {\n    address = 127.0.0.1\n    port = ")
                .append(lmtpPort).append("\n  }\n}\n")
                .append("service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\n")
                .append("lmtp_save_to_detail_mailbox = no\n");
        if (pushScript != null) {
            Path script = dir.resolve("easgate-push.lua");
            Files.copy(pushScript, script);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
            conf.append("protocol lmtp {\n  mail_plugins = $mail_plugins push_notification mail_lua"
                            + " push_notification_lua\n}\n")
                    .append("protocol imap {\n  mail_plugins = $mail_plugins push_notification mail_lua"
                            + " push_notification_lua\n}\n")
                    .append("plugin {\n  push_notification_driver = lua:file=").append(script).append('\n')
                    .append("  easgate_push_url = ").append(pushUrl).append('\n')
                    .append("  easgate_push_token = ").append(pushToken).append("\n}\n");
        }
        if (!settings.isEmpty()) {
            conf.append("# added by the bench's --dovecot-large / --dovecot-setting\n");
            settings.forEach(setting -> conf.append(setting).append('\n'));
        }
        Files.writeString(dir.resolve("dovecot.conf"), conf.toString());
        process = started.add(new ProcessBuilder(DOVECOT, "-F", "-c", dir.resolve("dovecot.conf").toString())
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dovecot exited with " + process.exitValue() + " (see "
                        + dir.resolve("stdout.log") + " and dovecot.log)");
            }
            if (greets(imapPort, "* OK") && greets(lmtpPort, "220")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("dovecot did not greet within 20 s (see " + dir + ")");
    }

    /** The capabilities Dovecot announces before login (its greeting). */
    String greeting() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), imapPort)) {
            socket.setSoTimeout(2000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * CPU seconds of Dovecot so far: the master's own and its reaped children's (short-lived login and imap
     * processes), plus the live children's. A child alive at one reading and reaped by the next is counted once in
     * each (its time before the first reading twice): an upper bound, close when children are short-lived.
     */
    double cpuSeconds() {
        long master = pid();
        double ticks = ProcStat.ticks(master, true);
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid != master && ProcStat.parent(pid) == master) {
                    ticks += ProcStat.ticks(pid, false);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks / ProcStat.TICKS_PER_SECOND;
    }

    /** Dovecot's live processes (the master's children) now. */
    private List<Long> children() {
        long master = pid();
        List<Long> children = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    long pid = Long.parseLong(name);
                    if (pid != master && ProcStat.parent(pid) == master) {
                        children.add(pid);
                    }
                }
            }
        } catch (IOException e) {
            return children;
        }
        return children;
    }

    /**
     * Memory of Dovecot's processes now, by process name ({@code imap}, {@code imap-login}, {@code stats}, ...):
     * count, resident set and proportional set size (PSS, {@code /proc/PID/smaps_rollup}: shared pages split among
     * the processes sharing them, so the PSS of all processes adds up to what they take together), private pages
     * (USS: what one more such process adds), and the totals.
     */
    Map<String, Object> memory() {
        Map<String, long[]> byName = new TreeMap<>();
        List<Long> pids = new ArrayList<>(children());
        pids.add(pid());
        for (long pid : pids) {
            long[] rssPss = rssPss(pid);
            if (rssPss == null) {
                continue;
            }
            long[] sums = byName.computeIfAbsent(ProcStat.name(pid), k -> new long[4]);
            sums[0]++;
            sums[1] += rssPss[0];
            sums[2] += rssPss[1];
            sums[3] += rssPss[2];
        }
        Map<String, Object> out = new LinkedHashMap<>();
        long rss = 0;
        long pss = 0;
        long count = 0;
        Map<String, Object> processes = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : byName.entrySet()) {
            long[] v = e.getValue();
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("count", v[0]);
            one.put("rss_bytes", v[1]);
            one.put("pss_bytes", v[2]);
            one.put("pss_bytes_per_process", v[2] / v[0]);
            one.put("uss_bytes_per_process", v[3] / v[0]);
            processes.put(e.getKey(), one);
            count += v[0];
            rss += v[1];
            pss += v[2];
        }
        out.put("processes", count);
        out.put("rss_bytes_sum", rss);
        out.put("pss_bytes", pss);
        out.put("by_name", processes);
        return out;
    }

    /** Rss, Pss and private (clean + dirty) bytes from {@code /proc/PID/smaps_rollup}; null when gone. */
    private static long[] rssPss(long pid) {
        try {
            long[] out = new long[3];
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Rss:")) {
                    out[0] = kilobytes(line) * 1024;
                } else if (line.startsWith("Pss:")) {
                    out[1] = kilobytes(line) * 1024;
                } else if (line.startsWith("Private_Clean:") || line.startsWith("Private_Dirty:")) {
                    out[2] += kilobytes(line) * 1024;
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long kilobytes(String line) {
        String[] words = line.trim().split("\\s+");
        return Long.parseLong(words[1]);
    }

    /**
     * Stops Dovecot: SIGTERM to the master, which ends its children; those still alive after {@code grace} (a master
     * busy with thousands of them) are killed one by one, by the pids taken before.
     */
    void stop(Duration grace) {
        if (process == null || !process.isAlive()) {
            return;
        }
        List<Long> children = children();
        process.destroy();
        try {
            process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        long deadline = System.nanoTime() + grace.toNanos();
        for (long pid : children) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("dovecot")).orElse(false))
                    .ifPresent(p -> {
                        p.destroy();
                        if (System.nanoTime() > deadline) {
                            p.destroyForcibly();
                        }
                    });
        }
    }

    /** Delivers a small message to the user's Inbox through LMTP (RFC 2033), as an MTA would. */
    void deliver(String user, String subject) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), lmtpPort)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            send(out, "LHLO bench.test");
            expect(in, "250");
            send(out, "MAIL FROM:<sender@bench.test>");
            expect(in, "250");
            send(out, "RCPT TO:<" + user + ">");
            expect(in, "250");
            send(out, "DATA");
            expect(in, "354");
            send(out, "From: Sender <sender@bench.test>\r\nTo: " + user + "@bench.test\r\nSubject: " + subject
                    + "\r\nMessage-ID: <" + System.nanoTime() + "." + user + "@bench.test>\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=UTF-8\r\n\r\nDelivered by eas-bench imap-push.\r\n.");
            expect(in, "250");
            send(out, "QUIT");
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("LMTP: connection closed, expected " + code);
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) {
            throw new IOException("LMTP: expected " + code + ", got " + line);
        }
    }

    private static boolean greets(int port, String prefix) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return line != null && line.startsWith(prefix);
        } catch (IOException e) {
            return false;
        }
    }
}
