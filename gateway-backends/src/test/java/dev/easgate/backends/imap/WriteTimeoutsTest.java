package dev.easgate.backends.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Connections held open cost no thread each: every IMAP connection's write deadline runs on the one shared timer
 * ({@link WriteTimeouts}), not on a scheduler Angus Mail would start per socket.
 */
class WriteTimeoutsTest {
    private static final int CONNECTIONS = 12;

    @Test
    void heldConnectionsShareOneWriteTimer() {
        try (DovecotProcess dovecot = DovecotProcess.start()) {
            ImapConnections connections = new ImapConnections(MailServerUrl.parse(dovecot.imapUrl(), "imap"),
                    user -> Optional.empty(), 1, 100, Duration.ofMinutes(5), Duration.ofSeconds(10));
            try {
                // the first login starts the shared timer, if nothing else did
                assertThat(connections.verify("user1", new ImapCredentials.Login("user1", DovecotProcess.PASSWORD)))
                        .isTrue();
                int before = Thread.activeCount();
                for (int i = 0; i < CONNECTIONS; i++) {
                    String user = dovecot.nextUser();
                    assertThat(connections.verify(user, new ImapCredentials.Login(user, DovecotProcess.PASSWORD)))
                            .isTrue();
                }
                assertThat(connections.open()).isEqualTo(CONNECTIONS + 1);
                // Angus Mail's own write-timeout scheduler would be one more thread per connection
                assertThat(Thread.activeCount() - before).isLessThan(3);
                assertThat(Thread.getAllStackTraces().keySet()).anyMatch(
                        thread -> thread.getName().equals("easgate-mail-write-timeout"));
            } finally {
                connections.close();
            }
        }
    }
}
