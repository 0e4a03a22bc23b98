package dev.easgate.backends.sieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.imap.ImapCredentials;
import dev.easgate.backends.oof.OofAudience;
import dev.easgate.backends.oof.OofMessage;
import dev.easgate.backends.oof.OofSettings;
import dev.easgate.backends.oof.OutOfOfficeException;
import dev.easgate.backends.testing.Loopback;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The ManageSieve client and the vacation store against a real Dovecot with Pigeonhole: scripts written over
 * ManageSieve, mail delivered over LMTP, automatic replies sent through the submission relay into the sender's
 * Inbox (a local user).
 */
class SieveOutOfOfficeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static DovecotProcess dovecot;
    private static Scheduler scheduler;
    private static SieveOutOfOffice store;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start(DovecotProcess.Options.DEFAULT.withSieve());
        scheduler = Schedulers.newBoundedElastic(4, 100, "sieve-test");
        store = new SieveOutOfOffice(SieveUrl.parse(dovecot.sieveUrl()),
                user -> Optional.of(new ImapCredentials.Login(user, DovecotProcess.PASSWORD)),
                new SieveOutOfOffice.Replies(1, "Out of office"), scheduler, TIMEOUT);
    }

    @AfterAll
    static void stop() {
        scheduler.dispose();
        dovecot.close();
    }

    private static Account account(String user) {
        return new Account(user, user, user + "@" + DovecotProcess.DOMAIN);
    }

    private static OofSettings on(String internal, String external) {
        return new OofSettings(1, null, null, List.of(
                new OofMessage(OofAudience.INTERNAL, internal != null, internal == null ? "" : internal, "Text"),
                new OofMessage(OofAudience.EXTERNAL_UNKNOWN, external != null, external == null ? "" : external,
                        "Text")));
    }

    private static ManageSieveConnection login(String user) throws Exception {
        return ManageSieveConnection.open(SieveUrl.parse(dovecot.sieveUrl()), user, DovecotProcess.PASSWORD,
                TIMEOUT);
    }

    /** Delivers a message from local user {@code from} to {@code to}; returns when LMTP accepted it. */
    private static void mail(String from, String to, String subject) {
        String mime = "From: " + from + "@" + DovecotProcess.DOMAIN + "\r\nTo: " + to + "@" + DovecotProcess.DOMAIN
                + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.replace(' ', '-') + "@test>\r\n\r\nHello\r\n";
        int before = dovecot.inbox(to).size();
        dovecot.deliver(from + "@" + DovecotProcess.DOMAIN, to, mime.getBytes(StandardCharsets.UTF_8));
        assertThat(dovecot.inbox(to)).as("delivered to %s", to).hasSize(before + 1);
    }

    /** The replies in {@code user}'s Inbox, waiting up to a few seconds for {@code expected} of them. */
    private static List<String> replies(String user, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(expected == 0 ? 2 : 10).toNanos();
        List<String> replies;
        do {
            replies = dovecot.inbox(user).stream().filter(m -> m.contains("Auto-Submitted: auto-replied")).toList();
            if (expected > 0 && replies.size() >= expected) {
                return replies;
            }
            Loopback.sleep(100);
        } while (System.nanoTime() < deadline);
        return replies;
    }

    @Test
    void clientListsPutsGetsActivatesAndDeletes() throws Exception {
        String user = dovecot.nextUser();
        try (ManageSieveConnection sieve = login(user)) {
            assertThat(sieve.listScripts()).isEmpty();
            sieve.putScript("mine \"1\"", "require \"fileinto\";\r\nfileinto \"Junk\"; # é\r\n");
            sieve.setActive("mine \"1\"");
            assertThat(sieve.listScripts()).containsExactly(new ManageSieveConnection.Script("mine \"1\"", true));
            assertThat(sieve.getScript("mine \"1\"")).contains("require \"fileinto\";\r\nfileinto \"Junk\"; # é\r\n");
            assertThat(sieve.getScript("absent")).isEmpty();
            sieve.setActive("");
            sieve.deleteScript("mine \"1\"");
            assertThat(sieve.listScripts()).isEmpty();
            assertThatThrownBy(() -> sieve.putScript("bad", "this is not sieve;"))
                    .isInstanceOf(ManageSieveException.class);
        }
    }

    @Test
    void repliesWhileOnAndNoneAfterStateZero() {
        String user = dovecot.nextUser();
        String colleague = dovecot.nextUser();
        mail(colleague, user, "before");
        assertThat(replies(colleague, 0)).isEmpty();

        OofSettings settings = on("Back on Monday", "Away until Monday");
        store.set(account(user), settings).block(TIMEOUT);
        assertThat(store.get(account(user)).block(TIMEOUT)).isEqualTo(settings);
        mail(colleague, user, "while away");
        List<String> replies = replies(colleague, 1);
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0)).contains("Subject: Out of office").contains("Back on Monday")
                .doesNotContain("Away until Monday");

        store.set(account(user), settings.withState(0, null, null)).block(TIMEOUT);
        OofSettings off = store.get(account(user)).block(TIMEOUT);
        assertThat(off.state()).isZero();
        assertThat(off.messages()).isEqualTo(settings.messages());
        String another = dovecot.nextUser(); // vacation answers a sender once per :days: a new one proves "off"
        mail(another, user, "after");
        assertThat(replies(another, 0)).isEmpty();
    }

    @Test
    void theUsersOwnScriptKeepsRunningAndComesBack() throws Exception {
        String user = dovecot.nextUser();
        try (ManageSieveConnection sieve = login(user)) {
            sieve.putScript("mine", "require \"imap4flags\";\r\naddflag \"\\\\Flagged\";\r\n");
            sieve.setActive("mine");
        }
        String sender = dovecot.nextUser();
        store.set(account(user), on("I am out", null)).block(TIMEOUT);
        try (ManageSieveConnection sieve = login(user)) {
            assertThat(sieve.listScripts()).contains(new ManageSieveConnection.Script(VacationScript.WRAPPER, true),
                    new ManageSieveConnection.Script("mine", false));
        }
        mail(sender, user, "flag me");
        assertThat(replies(sender, 1)).hasSize(1);
        assertThat(flaggedInInbox(user)).as("the user's own rule ran").isEqualTo(1);

        store.disable(account(user)).block(TIMEOUT);
        try (ManageSieveConnection sieve = login(user)) {
            assertThat(sieve.listScripts()).contains(new ManageSieveConnection.Script("mine", true))
                    .doesNotContain(new ManageSieveConnection.Script(VacationScript.WRAPPER, false),
                            new ManageSieveConnection.Script(VacationScript.WRAPPER, true));
            assertThat(sieve.getScript("mine")).contains("require \"imap4flags\";\r\naddflag \"\\\\Flagged\";\r\n");
        }
        String later = dovecot.nextUser();
        mail(later, user, "flag me too");
        assertThat(replies(later, 0)).isEmpty();
        assertThat(flaggedInInbox(user)).isEqualTo(2);
        assertThat(store.get(account(user)).block(TIMEOUT).state()).isZero();
    }

    @Test
    void externalOnlyRepliesSkipColleaguesAndTimeWindowsAreHonoured() {
        String user = dovecot.nextUser();
        String colleague = dovecot.nextUser();
        store.set(account(user), on(null, "Away")).block(TIMEOUT);
        mail(colleague, user, "internal");
        assertThat(replies(colleague, 0)).as("the sender is in the user's domain: internal").isEmpty();

        Instant now = Instant.now();
        OofSettings past = new OofSettings(2, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)),
                on("Was away", null).messages());
        store.set(account(user), past).block(TIMEOUT);
        assertThat(store.get(account(user)).block(TIMEOUT)).isEqualTo(past);
        String first = dovecot.nextUser();
        mail(first, user, "after the window");
        assertThat(replies(first, 0)).isEmpty();

        OofSettings current = past.withState(2, now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)));
        store.set(account(user), current).block(TIMEOUT);
        String second = dovecot.nextUser();
        mail(second, user, "inside the window");
        assertThat(replies(second, 1)).hasSize(1);
    }

    @Test
    void aRefusedLoginAndAServerDownAreTold() {
        SieveOutOfOffice wrongPassword = new SieveOutOfOffice(SieveUrl.parse(dovecot.sieveUrl()),
                user -> Optional.of(new ImapCredentials.Login(user, "wrong")),
                new SieveOutOfOffice.Replies(1, "Out"), scheduler, TIMEOUT);
        assertThatThrownBy(() -> wrongPassword.get(account("user1")).block(TIMEOUT))
                .isInstanceOfSatisfying(OutOfOfficeException.class,
                        e -> assertThat(e.reason()).isEqualTo(OutOfOfficeException.Reason.REFUSED));
        SieveOutOfOffice down = new SieveOutOfOffice(SieveUrl.parse("sieve://127.0.0.1:" + DovecotProcess.freePort()),
                user -> Optional.of(new ImapCredentials.Login(user, DovecotProcess.PASSWORD)),
                new SieveOutOfOffice.Replies(1, "Out"), scheduler, TIMEOUT);
        assertThatThrownBy(() -> down.set(account("user1"), OofSettings.OFF).block(TIMEOUT))
                .isInstanceOfSatisfying(OutOfOfficeException.class,
                        e -> assertThat(e.reason()).isEqualTo(OutOfOfficeException.Reason.UNAVAILABLE));
        SieveOutOfOffice requiresTls = new SieveOutOfOffice(SieveUrl.parse(dovecot.sieveUrl() + "?starttls"),
                user -> Optional.of(new ImapCredentials.Login(user, DovecotProcess.PASSWORD)),
                new SieveOutOfOffice.Replies(1, "Out"), scheduler, TIMEOUT);
        assertThatThrownBy(() -> requiresTls.get(account("user1")).block(TIMEOUT))
                .isInstanceOfSatisfying(OutOfOfficeException.class,
                        e -> assertThat(e).hasMessageContaining("STARTTLS"));
    }

    /** Messages in the Inbox with the \Flagged flag (Maildir info ",F" in cur, or a flags suffix). */
    private static long flaggedInInbox(String user) {
        java.nio.file.Path cur = dovecot.directory().resolve("mail").resolve(user).resolve("cur");
        try (var files = java.nio.file.Files.list(cur)) {
            return files.filter(f -> f.getFileName().toString().matches(".*:2,[A-Z]*F[A-Z]*")).count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
