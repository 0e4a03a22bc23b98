package dev.easgate.core.command.mail;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.imap.ImapCredentials;
import dev.easgate.backends.imap.MailServerUrl;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Sends through SMTP submission (RFC 6409) on Angus Mail, authenticated as the sending user with the password of
 * their gateway session ({@link ImapCredentials}: the IMAP accounts keep it in memory while the user is active), or
 * with a configured relay login for every user. The message goes out as composed, byte for byte; Bcc recipients
 * are envelope-only. Blocking work runs on the gateway's bounded blocking scheduler.
 */
public final class SmtpSubmission implements OutgoingMail {
    private static final Logger LOG = LoggerFactory.getLogger(SmtpSubmission.class);

    private final MailServerUrl server;
    private final ImapCredentials credentials;
    private final Scheduler scheduler;
    private final int timeoutMillis;

    /**
     * @param credentials the login for a sender (their session's, or one relay login for everybody)
     */
    public SmtpSubmission(MailServerUrl server, ImapCredentials credentials, Scheduler scheduler, int timeoutMillis) {
        this.server = server;
        this.credentials = credentials;
        this.scheduler = scheduler;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Mono<DeliveryReport> deliver(Account sender, List<String> recipients, byte[] mime) {
        return Mono.fromCallable(() -> send(sender, recipients, mime)).subscribeOn(scheduler);
    }

    private DeliveryReport send(Account sender, List<String> recipients, byte[] mime) throws MessagingException {
        Set<String> unique = new LinkedHashSet<>();
        recipients.forEach(r -> unique.add(r.strip().toLowerCase(Locale.ROOT)));
        List<Address> addresses = new ArrayList<>();
        int invalid = 0;
        for (String recipient : unique) {
            try {
                addresses.add(new InternetAddress(recipient, true));
            } catch (AddressException e) {
                invalid++;
            }
        }
        if (addresses.isEmpty()) {
            return new DeliveryReport(0, 0, invalid);
        }
        ImapCredentials.Login login = credentials.login(sender.user()).orElseThrow(() -> new MessagingException(
                "no SMTP login for user " + sender.user() + " (no live session, no relay login configured)"));
        Properties props = server.sessionProperties(timeoutMillis);
        String p = "mail." + server.mailProtocol() + ".";
        props.setProperty(p + "auth", "true");
        props.setProperty(p + "from", sender.primaryAddress());
        props.setProperty(p + "sendpartial", "true");
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(mime));
        try (Transport transport = session.getTransport(server.mailProtocol())) {
            transport.connect(server.host(), server.port(), login.name(), login.password());
            try {
                transport.sendMessage(message, addresses.toArray(Address[]::new));
                return new DeliveryReport(0, addresses.size(), invalid);
            } catch (SendFailedException partial) {
                Address[] sent = partial.getValidSentAddresses();
                int relayed = sent == null ? 0 : sent.length;
                if (relayed == 0) {
                    throw partial;
                }
                LOG.info("user={}: {} recipient(s) refused by the SMTP server", sender.user(),
                        addresses.size() - relayed);
                return new DeliveryReport(0, relayed, invalid + addresses.size() - relayed);
            }
        }
    }

    @Override
    public String toString() {
        return "SmtpSubmission[" + server + "]";
    }
}
