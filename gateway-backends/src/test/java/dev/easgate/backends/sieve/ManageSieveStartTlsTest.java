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
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** ManageSieve on a Dovecot that offers STARTTLS (a self-signed certificate for 127.0.0.1): used, and checked. */
class ManageSieveStartTlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static DovecotProcess dovecot;
    private static Scheduler scheduler;

    @BeforeAll
    static void start() {
        dovecot = DovecotProcess.start(DovecotProcess.Options.DEFAULT.withSieveStartTls());
        scheduler = Schedulers.newBoundedElastic(2, 100, "sieve-tls-test");
    }

    @AfterAll
    static void stop() {
        scheduler.dispose();
        dovecot.close();
    }

    /** TLS that trusts exactly the test server's certificate. */
    private static SSLSocketFactory trustingTheServer() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dovecot.tlsCertificate())) {
            trust.setCertificateEntry("dovecot", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    @Test
    void startTlsIsUsedWhenOfferedAndRequiredWorks() throws Exception {
        String user = dovecot.nextUser();
        SieveOutOfOffice store = new SieveOutOfOffice(SieveUrl.parse(dovecot.sieveUrl() + "?starttls"),
                u -> Optional.of(new ImapCredentials.Login(u, DovecotProcess.PASSWORD)),
                new SieveOutOfOffice.Replies(1, "Out"), scheduler, TIMEOUT, trustingTheServer());
        Account account = new Account(user, user, user + "@" + DovecotProcess.DOMAIN);
        OofSettings settings = new OofSettings(1, null, null,
                List.of(new OofMessage(OofAudience.INTERNAL, true, "Away", "Text")));
        store.set(account, settings).block(TIMEOUT);
        assertThat(store.get(account).block(TIMEOUT)).isEqualTo(settings);
        // Dovecot logs how each login was secured
        assertThat(dovecot.log()).containsPattern("managesieve-login: Info: Login: user=<" + user + ">.*, TLS, ")
                .doesNotContainPattern("managesieve-login: Info: Login: user=<" + user + ">.*, secured, ");
    }

    @Test
    void anUntrustedCertificateStopsBeforeTheLogin() {
        SieveOutOfOffice store = new SieveOutOfOffice(SieveUrl.parse(dovecot.sieveUrl()),
                u -> Optional.of(new ImapCredentials.Login(u, DovecotProcess.PASSWORD)),
                new SieveOutOfOffice.Replies(1, "Out"), scheduler, TIMEOUT);
        assertThatThrownBy(() -> store.get(new Account("user1", "user1", "user1@" + DovecotProcess.DOMAIN))
                .block(TIMEOUT))
                .isInstanceOfSatisfying(OutOfOfficeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(OutOfOfficeException.Reason.UNAVAILABLE);
                    assertThat(e.getCause()).isInstanceOf(SSLHandshakeException.class);
                });
        assertThat(dovecot.log()).doesNotContain("Login: user=<user1>");
    }
}
