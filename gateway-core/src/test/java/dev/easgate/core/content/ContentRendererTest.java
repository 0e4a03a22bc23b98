package dev.easgate.core.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.Item;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContentRendererTest {
    static final Instant DATE = Instant.parse("2026-03-04T05:06:07.089Z");

    static Item item(String mime, EmailFlags flags) {
        return new Item("f1:1", "f1", 5, DATE,
                new ItemContent.Email(mime.getBytes(StandardCharsets.UTF_8), flags));
    }

    static final String ALTERNATIVE = "From: \"Zoë\" <zoe@example.fr>\r\nTo: \"Me\" <me@example.com>, other@example.com\r\n"
            + "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\nMessage-ID: <m1@example.fr>\r\nImportance: high\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
            + "--alt\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "Grüße aus München\r\n"
            + "--alt\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>Grüße <b>aus</b> München</p>\r\n"
            + "--alt--\r\n";

    static final String MIXED = "From: a@example.com\r\nTo: b@example.com\r\nSubject: Re: files\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n"
            + "--mix\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            + "--mix\r\nContent-Type: image/png; name=\"a.png\"\r\nContent-ID: <img1>\r\n"
            + "Content-Disposition: inline; filename=\"a.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n"
            + "--mix\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\nAAAAAAAA\r\n--mix--\r\n";

    static ContentOptions options(ProtocolVersion version, int mimeSupport, BodyPreference... preferences) {
        return new ContentOptions(version, List.of(preferences), mimeSupport, -1, -1);
    }

    @Test
    void truncationCountsBytesAndNeverSplitsACharacter() {
        byte[] text = "aü€".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 bytes
        assertThat(Utf8.boundary(text, 2)).isEqualTo(1);
        assertThat(Utf8.boundary(text, 3)).isEqualTo(3);
        assertThat(Utf8.boundary(text, 5)).isEqualTo(3);
        assertThat(Utf8.boundary(text, 6)).isEqualTo(6);
        assertThat(Utf8.truncate(text, 4)).isEqualTo("aü");
    }

    @Test
    void plainBodyIsTruncatedWithEstimatedSizeOfTheWhole() {
        WbxmlElement data = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, 5, false, 0)));
        WbxmlElement body = data.child("AirSyncBase:Body");
        assertThat(body.childText("Type")).isEqualTo("1");
        int full = "Grüße aus München".getBytes(StandardCharsets.UTF_8).length;
        assertThat(body.childText("EstimatedDataSize")).isEqualTo(Integer.toString(full));
        assertThat(body.childText("Truncated")).isEqualTo("1");
        assertThat(body.childText("Data")).isEqualTo("Grü"); // 'ß' would need bytes 5-6
    }

    @Test
    void allOrNoneSendsNoDataWhenTheBodyWouldBeTruncated() {
        WbxmlElement body = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, 5, true, 0))).child("AirSyncBase:Body");
        assertThat(body.childText("Truncated")).isEqualTo("1");
        assertThat(body.child("Data")).isNull();
        WbxmlElement whole = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, 1000, true, 0))).child("AirSyncBase:Body");
        assertThat(whole.childText("Data")).isEqualTo("Grüße aus München");
        assertThat(whole.child("Truncated")).isNull();
    }

    @Test
    void alternativePicksHtmlWhenAskedAndPlainOtherwise() {
        WbxmlElement html = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, -1, false, 0),
                        new BodyPreference(2, -1, false, 0)));
        assertThat(html.child("AirSyncBase:Body").childText("Type")).isEqualTo("2");
        assertThat(html.child("AirSyncBase:Body").childText("Data")).contains("<b>aus</b>");
        assertThat(html.childText("AirSyncBase:NativeBodyType")).isEqualTo("2");
        WbxmlElement plain = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, -1, false, 0)));
        assertThat(plain.child("AirSyncBase:Body").childText("Data")).startsWith("Grüße aus München");
    }

    @Test
    void headersFlagsAndPreview() {
        EmailFlags flags = EmailFlags.UNREAD.withRead(true).withFlagStatus(2).withCategories(List.of("Work"));
        WbxmlElement data = ContentRenderer.applicationData(item(ALTERNATIVE, flags),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, -1, false, 4)));
        assertThat(data.childText("Email:Subject")).isEqualTo("Grüße");
        assertThat(data.childText("Email:From")).isEqualTo("\"Zoë\" <zoe@example.fr>");
        assertThat(data.childText("Email:DisplayTo")).isEqualTo("Me; other@example.com");
        assertThat(data.childText("Email:DateReceived")).isEqualTo("2026-03-04T05:06:07.089Z");
        assertThat(data.childText("Email:Importance")).isEqualTo("2");
        assertThat(data.childText("Email:Read")).isEqualTo("1");
        assertThat(data.childText("Email:MessageClass")).isEqualTo("IPM.Note");
        assertThat(data.childText("Email:InternetCPID")).isEqualTo("65001");
        assertThat(data.child("Email:Flag").childText("Email:Status")).isEqualTo("2");
        assertThat(data.child("Email:Categories").childText("Category")).isEqualTo("Work");
        assertThat(data.child("Email2:ConversationId").opaque().length()).isEqualTo(16);
        assertThat(data.child("Email2:ConversationIndex").opaque().length()).isEqualTo(5);
        // MS-ASAIRS 2.2.2.35.1: plain-text (Type 1) Data comes without a Preview
        assertThat(data.child("AirSyncBase:Body").childText("Data")).startsWith("Grüße");
        assertThat(data.child("AirSyncBase:Body").child("Preview")).isNull();
    }

    @Test
    void previewIsSentExceptBesidePlainTextData() {
        // MS-ASAIRS 2.2.2.35.1: no Preview when a Type 1 body returns data; other types, or no data, get one
        WbxmlElement html = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(2, -1, false, 4))).child("AirSyncBase:Body");
        assertThat(html.childText("Type")).isEqualTo("2");
        assertThat(html.childText("Preview")).isEqualTo("Grüß");
        WbxmlElement previewOnly = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, 0, false, 4))).child("AirSyncBase:Body");
        assertThat(previewOnly.childText("Type")).isEqualTo("1");
        assertThat(previewOnly.childText("Data")).isNullOrEmpty();
        assertThat(previewOnly.childText("Preview")).isEqualTo("Grüß");
        WbxmlElement allOrNone = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, 5, true, 4))).child("AirSyncBase:Body");
        assertThat(allOrNone.child("Data")).isNull();
        assertThat(allOrNone.childText("Preview")).isEqualTo("Grüß");
        WbxmlElement cut = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, 5, false, 4))).child("AirSyncBase:Body");
        assertThat(cut.childText("Data")).isEqualTo("Grü");
        assertThat(cut.child("Preview")).isNull();
    }

    @Test
    void attachmentsAreListedWithResolvableFileReferences() throws Exception {
        Item item = item(MIXED, EmailFlags.UNREAD);
        WbxmlElement data = ContentRenderer.applicationData(item, options(ProtocolVersion.V14_0, 0));
        List<WbxmlElement> attachments = data.child("AirSyncBase:Attachments").children("Attachment");
        assertThat(attachments).hasSize(2);
        WbxmlElement image = attachments.get(0);
        assertThat(image.childText("DisplayName")).isEqualTo("a.png");
        assertThat(image.childText("ContentId")).isEqualTo("img1");
        assertThat(image.childText("IsInline")).isEqualTo("1");
        assertThat(image.childText("EstimatedDataSize")).isEqualTo("4");
        assertThat(image.childText("Method")).isEqualTo("1");
        AttachmentReference reference = AttachmentReference.parse(attachments.get(1).childText("FileReference"));
        assertThat(reference).isEqualTo(new AttachmentReference("f1", "f1:1", 2));
        byte[] bytes = ParsedEmail.partBytes(MIXED.getBytes(StandardCharsets.UTF_8), reference.partIndex());
        assertThat(bytes).hasSize(6);
        assertThat(data.childText("Email:ThreadTopic")).isEqualTo("files");
    }

    @Test
    void mimeBodyOnlyWhereMimeSupportAllowsIt() {
        BodyPreference mime = new BodyPreference(4, -1, false, 0);
        BodyPreference plain = new BodyPreference(1, -1, false, 0);
        WbxmlElement always = ContentRenderer.applicationData(item(MIXED, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 2, plain, mime)).child("AirSyncBase:Body");
        assertThat(always.childText("Type")).isEqualTo("4");
        assertThat(always.childText("Data")).startsWith("From: a@example.com");
        WbxmlElement never = ContentRenderer.applicationData(item(MIXED, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 0, plain, mime)).child("AirSyncBase:Body");
        assertThat(never.childText("Type")).isEqualTo("1");
        WbxmlElement smimeOnly = ContentRenderer.applicationData(item(MIXED, EmailFlags.UNREAD),
                options(ProtocolVersion.V14_1, 1, plain, mime)).child("AirSyncBase:Body");
        assertThat(smimeOnly.childText("Type")).isEqualTo("1");
    }

    @Test
    void protocol25GetsTheLegacyBody() {
        ContentOptions options = new ContentOptions(ProtocolVersion.V2_5, List.of(), 0, 0, -1);
        WbxmlElement data = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD), options);
        assertThat(data.child("AirSyncBase:Body")).isNull();
        assertThat(data.childText("Email:BodyTruncated")).isEqualTo("1");
        assertThat(data.childText("Email:Body")).isEmpty();
        assertThat(data.child("Email:InternetCPID")).isNull();
        int full = "Grüße aus München".getBytes(StandardCharsets.UTF_8).length;
        assertThat(data.childText("Email:BodySize")).isEqualTo(Integer.toString(full));
    }

    @Test
    void protocol25SendsBodySizeOnlyForATruncatedBody() {
        // MS-ASEMAIL 2.2.2.12: BodySize is present only when BodyTruncated is 1
        ContentOptions whole = new ContentOptions(ProtocolVersion.V2_5, List.of(), 0, 8, -1); // 8: nothing truncated
        WbxmlElement data = ContentRenderer.applicationData(item(ALTERNATIVE, EmailFlags.UNREAD), whole);
        assertThat(data.childText("Email:BodyTruncated")).isEqualTo("0");
        assertThat(data.childText("Email:Body")).startsWith("Grüße aus München");
        assertThat(data.child("Email:BodySize")).isNull();
    }

    @Test
    void pimIsFilteredForTheVersionAndItsBodyFollowsThePreference() {
        WbxmlElement stored = WbxmlElement.el(CodePage.AIR_SYNC, "ApplicationData")
                .child("Calendar:Subject", "Standup")
                .child("Calendar:ClientUid", "uid-1")
                .child("AirSyncBase:Body", b -> b.child("Type", 1).child("Data", "Agenda: everything"))
                .build();
        Item item = new Item("f7:1", "f7", 1, DATE, new ItemContent.Pim(ItemClass.CALENDAR, stored));
        WbxmlElement v14 = ContentRenderer.applicationData(item,
                options(ProtocolVersion.V14_1, 0, new BodyPreference(1, 6, false, 0)));
        assertThat(v14.child("Calendar:ClientUid")).isNull();
        assertThat(v14.child("AirSyncBase:Body").childText("Data")).isEqualTo("Agenda");
        assertThat(v14.child("AirSyncBase:Body").childText("Truncated")).isEqualTo("1");
        WbxmlElement v16 = ContentRenderer.applicationData(item, options(ProtocolVersion.V16_1, 0));
        assertThat(v16.childText("Calendar:ClientUid")).isEqualTo("uid-1");
        WbxmlElement v25 = ContentRenderer.applicationData(item, options(ProtocolVersion.V2_5, 0));
        assertThat(v25.child("AirSyncBase:Body")).isNull();
        assertThat(v25.childText("Calendar:Body")).isEqualTo("Agenda: everything");
    }

    @Test
    void clientChangesMergePimAndOnlyTouchEmailFlags() {
        WbxmlElement stored = WbxmlElement.el(CodePage.AIR_SYNC, "ApplicationData")
                .child("Contacts:FirstName", "Ann").child("Contacts:LastName", "Lee")
                .child("Contacts:MobilePhoneNumber", "1").build();
        ItemContent.Pim pim = new ItemContent.Pim(ItemClass.CONTACTS, stored);
        WbxmlElement sent = WbxmlElement.el(CodePage.AIR_SYNC, "ApplicationData")
                .child("Contacts:FirstName", "Anne").build();
        WbxmlElement merged = ApplicationDataReader.changedPim(pim, sent, null).applicationData();
        assertThat(merged.childText("Contacts:FirstName")).isEqualTo("Anne");
        assertThat(merged.childText("Contacts:LastName")).isEqualTo("Lee");
        assertThat(merged.childText("Contacts:MobilePhoneNumber")).isEqualTo("1");
        WbxmlElement ghosted = ApplicationDataReader.changedPim(pim, sent,
                Set.of("Contacts:FirstName", "Contacts:MobilePhoneNumber")).applicationData();
        assertThat(ghosted.child("Contacts:MobilePhoneNumber")).isNull(); // supported and omitted: deleted
        assertThat(ghosted.childText("Contacts:LastName")).isEqualTo("Lee"); // not supported: ghosted

        WbxmlElement change = WbxmlElement.el(CodePage.AIR_SYNC, "ApplicationData")
                .child("Email:Read", "1").child("Email:Subject", "ignored")
                .child("Email:Flag", f -> f.child("Status", 1)).build();
        EmailFlags flags = ApplicationDataReader.changedEmailFlags(EmailFlags.UNREAD, change);
        assertThat(flags.read()).isTrue();
        assertThat(flags.flagStatus()).isEqualTo(1);
    }
}
