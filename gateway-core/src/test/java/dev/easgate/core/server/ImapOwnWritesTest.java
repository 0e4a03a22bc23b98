package dev.easgate.core.server;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.core.command.sync.MailOwnWritesContract;
import dev.easgate.core.command.sync.TestUser;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.GatewayTestServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The own-writes contract on a real Dovecot (IMAP flags, expunge and UID MOVE), without the push plugin. */
class ImapOwnWritesTest implements MailOwnWritesContract {
    private static DovecotProcess dovecot;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start();
        server = GatewayTestServer.start(Map.of("backend", "imap", "imap.url", dovecot.imapUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "heartbeat.min", "1"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, dovecot);
    }

    @Override
    public GatewayTestServer server() {
        return server;
    }

    @Override
    public TestUser newMailUser() {
        String user = dovecot.nextUser();
        for (int i = 1; i <= 3; i++) {
            dovecot.deliver(user, ("From: Carol <carol@example.org>\r\nTo: " + user + "@" + DovecotProcess.DOMAIN
                    + "\r\nSubject: mail " + i + "\r\nMessage-ID: <" + UUID.randomUUID() + "@example.org>\r\n"
                    + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello " + i + ".\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return new TestUser(user, DovecotProcess.PASSWORD);
    }
}
