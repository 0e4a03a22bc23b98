package dev.easgate.core.command.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.directory.MemoryDirectory;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ResolveRecipients over real HTTP against the memory directory, contacts and calendar. */
class ResolveRecipientsIntegrationTest {
    private static GatewayTestServer server;
    private static EasTestClient client;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        client = server.client("demo", "resolve-device");
        client.provision();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static EasTestClient.Response resolve(List<String> to, Consumer<WbxmlElement.Builder> options) {
        WbxmlElement.Builder body = WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS, "ResolveRecipients");
        to.forEach(t -> body.child("To", t));
        if (options != null) {
            body.child("Options", options);
        }
        return client.post("ResolveRecipients", body.build());
    }

    @Test
    void anAddressResolvesToOneGalRecipientWithCertificates() {
        EasTestClient.Response response = resolve(List.of("alice@example.com"), o -> o
                .child("CertificateRetrieval", 2));
        assertThat(response.text("Status")).isEqualTo("1");
        WbxmlElement r = response.body().child("Response");
        assertThat(r.childText("To")).isEqualTo("alice@example.com");
        assertThat(r.childText("Status")).isEqualTo("1");
        assertThat(r.childText("RecipientCount")).isEqualTo("1");
        WbxmlElement recipient = r.child("Recipient");
        assertThat(recipient.childText("Type")).isEqualTo("1");
        assertThat(recipient.childText("DisplayName")).isEqualTo("Alice Walker");
        WbxmlElement certificates = recipient.child("Certificates");
        assertThat(certificates.childText("Status")).isEqualTo("1");
        assertThat(Base64.getDecoder().decode(certificates.childText("Certificate")))
                .isEqualTo(MemoryDirectory.DEMO_CERTIFICATE);
        WbxmlElement bob = resolve(List.of("bob@example.com"), o -> o.child("CertificateRetrieval", 3))
                .body().child("Response").child("Recipient").child("Certificates");
        assertThat(bob.childText("Status")).isEqualTo("7");
    }

    @Test
    void theMiniFormAnswersOneMiniCertificate() {
        WbxmlElement certificates = resolve(List.of("alice@example.com"), o -> o.child("CertificateRetrieval", 3))
                .body().child("Response").child("Recipient").child("Certificates");
        assertThat(certificates.childText("Status")).isEqualTo("1");
        assertThat(certificates.children("Certificate")).isEmpty();
        assertThat(certificates.children("MiniCertificate")).hasSize(1);
        assertThat(Base64.getDecoder().decode(certificates.childText("MiniCertificate")))
                .isEqualTo(MemoryDirectory.DEMO_CERTIFICATE);
    }

    @Test
    void anAmbiguousNameListsSuggestionsUpToMaxAmbiguousRecipients() {
        WbxmlElement all = resolve(List.of("al"), null).body().child("Response");
        assertThat(all.childText("Status")).isEqualTo("2");
        int count = Integer.parseInt(all.childText("RecipientCount"));
        assertThat(count).isGreaterThan(2);
        assertThat(all.children("Recipient")).hasSize(count);
        WbxmlElement capped = resolve(List.of("al"), o -> o.child("MaxAmbiguousRecipients", 2)).body()
                .child("Response");
        assertThat(capped.childText("Status")).isEqualTo("3");
        assertThat(capped.children("Recipient")).hasSize(2);
        assertThat(capped.childText("RecipientCount")).isEqualTo(String.valueOf(count));
    }

    @Test
    void contactsResolveAsType2AndUnknownNamesAreNotResolved() {
        WbxmlElement grace = resolve(List.of("grace.lee@example.edu"), null).body().child("Response");
        assertThat(grace.childText("Status")).isEqualTo("1");
        assertThat(grace.child("Recipient").childText("Type")).isEqualTo("2");
        assertThat(grace.child("Recipient").childText("DisplayName")).isEqualTo("Grace Lee");
        WbxmlElement nobody = resolve(List.of("zzyzx"), null).body().child("Response");
        assertThat(nobody.childText("Status")).isEqualTo("4");
        assertThat(nobody.childText("RecipientCount")).isEqualTo("0");
    }

    @Test
    void availabilityMergesTheRecipientsCalendar() {
        Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(2, ChronoUnit.DAYS);
        Instant end = start.plus(1, ChronoUnit.DAYS);
        WbxmlElement r = resolve(List.of("alice@example.com"), o -> o.child("Availability", a -> a
                .child("StartTime", start.toString()).child("EndTime", end.toString()))).body().child("Response");
        WbxmlElement availability = r.child("Recipient").child("Availability");
        assertThat(availability.childText("Status")).isEqualTo("1");
        String merged = availability.childText("MergedFreeBusy");
        assertThat(merged).hasSize(48);
        // the demo "Project Phoenix kickoff" is two days ahead, 14:00 to 15:00, busy
        assertThat(merged.substring(28, 30)).isEqualTo("22");
        assertThat(merged.substring(0, 28)).matches("0+");
        WbxmlElement stranger = resolve(List.of("aaron.becker@example.com"), o -> o.child("Availability", a -> a
                .child("StartTime", start.toString()).child("EndTime", end.toString()))).body().child("Response");
        assertThat(stranger.child("Recipient").child("Availability").childText("MergedFreeBusy"))
                .isEqualTo("4".repeat(48));
    }

    @Test
    void malformedRequestsAreProtocolErrors() {
        assertThat(resolve(List.of(), null).text("Status")).isEqualTo("5");
        assertThat(resolve(List.of("alice"), o -> o.child("CertificateRetrieval", 9)).text("Status"))
                .isEqualTo("5");
        Instant now = Instant.now();
        assertThat(resolve(List.of("alice@example.com"), o -> o.child("Availability", a -> a
                .child("StartTime", now.toString()).child("EndTime", now.minusSeconds(60).toString())))
                .text("Status")).isEqualTo("5");
        assertThat(resolve(java.util.Collections.nCopies(101, "bob"), null).text("Status")).isEqualTo("5");
        // 2.2.3.183: a To holds at most 256 characters
        assertThat(resolve(List.of("a".repeat(257)), null).text("Status")).isEqualTo("5");
        // 2.2.3.61.1: EndTime less than 30 minutes after StartTime
        assertThat(resolve(List.of("alice@example.com"), o -> o.child("Availability", a -> a
                .child("StartTime", now.toString()).child("EndTime", now.plusSeconds(600).toString())))
                .text("Status")).isEqualTo("5");
    }

    @Test
    void availabilityWithoutEndTimeCoversSevenDays() {
        Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
        WbxmlElement availability = resolve(List.of("alice@example.com"), o -> o.child("Availability", a -> a
                .child("StartTime", start.toString()))).body().child("Response").child("Recipient")
                .child("Availability");
        assertThat(availability.childText("Status")).isEqualTo("1");
        assertThat(availability.childText("MergedFreeBusy")).hasSize(7 * 48);
    }
}
