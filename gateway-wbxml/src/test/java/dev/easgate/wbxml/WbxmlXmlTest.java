package dev.easgate.wbxml;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WbxmlXmlTest {

    private static WbxmlElement roundTrip(WbxmlElement element) {
        return WbxmlXml.parse(WbxmlXml.render(element, Redaction.NONE));
    }

    // ---- namespaces and prefixes --------------------------------------------------------------------------------

    @Test
    void theRootPageIsTheDefaultNamespaceAndOtherPagesGetPrefixesDeclaredOnTheRoot() {
        WbxmlElement sync = el(CodePage.AIR_SYNC, "Sync").child("Collections", c -> c
                .child("Collection", col -> col
                        .child("SyncKey", "1")
                        .child("Commands", cmd -> cmd.child("Add", add -> add
                                .child("ApplicationData", data -> data
                                        .child("Email2:ConversationId", "x")
                                        .child("AirSyncBase:Body", body -> body.child("Type", "1"))
                                        .child("Email:Subject", "s"))))))
                .build();

        String xml = WbxmlXml.render(sync, Redaction.NONE);

        assertThat(xml).startsWith("<Sync xmlns=\"AirSync:\" xmlns:email=\"Email:\" "
                + "xmlns:airsyncbase=\"AirSyncBase:\" xmlns:email2=\"Email2:\">\n  <Collections>\n");
        assertThat(xml).contains("\n            <airsyncbase:Body>\n              <airsyncbase:Type>1</airsyncbase:Type>\n")
                .contains("<email:Subject>s</email:Subject>")
                .contains("<email2:ConversationId>x</email2:ConversationId>")
                .contains("<SyncKey>1</SyncKey>")
                .endsWith("</Sync>\n");
        assertThat(WbxmlXml.parse(xml)).isEqualTo(sync);
    }

    @Test
    void aRootOffPageZeroIsTheDefaultNamespaceToo() {
        WbxmlElement ping = el(CodePage.PING, "Ping").child("HeartbeatInterval", "480").build();

        assertThat(WbxmlXml.render(ping, Redaction.NONE))
                .isEqualTo("<Ping xmlns=\"Ping:\">\n  <HeartbeatInterval>480</HeartbeatInterval>\n</Ping>\n");
    }

    @Test
    void parsingAcceptsAnyPrefixRedeclaredDefaultNamespacesAndNamespacesWithoutTheColon() {
        String xml = """
                <?xml version="1.0" encoding="utf-8"?>
                <!-- a comment -->
                <Sync xmlns="AirSync" xmlns:b="AirSyncBase:">
                  <Collections>
                    <Collection>
                      <Options>
                        <b:BodyPreference><b:Type>2</b:Type></b:BodyPreference>
                        <BodyPreference xmlns="AirSyncBase:"><Type>1</Type></BodyPreference>
                        <MIMESupport>0</MIMESupport>
                      </Options>
                    </Collection>
                  </Collections>
                </Sync>
                """;

        WbxmlElement expected = el(CodePage.AIR_SYNC, "Sync").child("Collections", c -> c
                .child("Collection", col -> col.child("Options", o -> o
                        .child("AirSyncBase:BodyPreference", bp -> bp.child("Type", "2"))
                        .child("AirSyncBase:BodyPreference", bp -> bp.child("Type", "1"))
                        .child("MIMESupport", "0"))))
                .build();
        assertThat(WbxmlXml.parse(xml)).isEqualTo(expected);
    }

    // ---- values and the wbxml attribute -------------------------------------------------------------------------

    @Test
    void anEmptyTextIsWrittenWithTheEmptyFormAndDiffersFromNoValue() {
        WbxmlElement sync = el(CodePage.AIR_SYNC, "Sync").child("SyncKey", "").empty("GetChanges").build();

        String xml = WbxmlXml.render(sync, Redaction.NONE);

        assertThat(xml).contains("<SyncKey wbxml=\"empty\"/>").contains("<GetChanges/>");
        WbxmlElement parsed = WbxmlXml.parse(xml);
        assertThat(parsed).isEqualTo(sync);
        assertThat(parsed.child("SyncKey").text()).isEmpty();
        assertThat(parsed.child("GetChanges").text()).isNull();
        assertThat(WbxmlXml.parse("<Sync xmlns=\"AirSync:\"><SyncKey></SyncKey></Sync>").child("SyncKey").text())
                .as("an element written open and closed without text has no value")
                .isNull();
    }

    @Test
    void readableOpaqueBytesUseTheOpaqueFormAndOthersBase64() {
        byte[] binary = {0x00, (byte) 0xFF, 0x10, (byte) 0x80};
        WbxmlElement sendMail = el(CodePage.COMPOSE_MAIL, "SendMail")
                .opaque("Mime", "Subject: Hi\r\n\r\nBody \uD83D\uDE00".getBytes(StandardCharsets.UTF_8))
                .child("ClientId", "1")
                .build();
        WbxmlElement add = el(CodePage.AIR_SYNC, "ApplicationData").opaque("Email2:ConversationId", binary).build();

        String mime = WbxmlXml.render(sendMail, Redaction.NONE);
        String conversation = WbxmlXml.render(add, Redaction.NONE);

        assertThat(mime).contains("<Mime wbxml=\"opaque\">Subject: Hi&#13;\n&#13;\nBody \uD83D\uDE00</Mime>");
        assertThat(conversation).contains("<email2:ConversationId wbxml=\"opaque-base64\">AP8QgA==</email2:ConversationId>");
        assertThat(WbxmlXml.parse(mime)).isEqualTo(sendMail);
        assertThat(WbxmlXml.parse(conversation)).isEqualTo(add);
        assertThat(WbxmlXml.parse(conversation).child("ConversationId").opaque().toByteArray()).isEqualTo(binary);
    }

    @Test
    void anEmptyOpaqueValueRoundTrips() {
        WbxmlElement data = el(CodePage.ITEM_OPERATIONS, "Properties").opaque("Data", new byte[0]).build();

        assertThat(roundTrip(data)).isEqualTo(data);
        assertThat(roundTrip(data).child("Data").opaque().length()).isZero();
    }

    @Test
    void textXmlCannotCarryIsWrittenAsBase64() {
        WbxmlElement sync = el(CodePage.AIR_SYNC, "Sync")
                .child("SyncKey", "a\u0001b")
                .child("ServerId", "\uFFFE")
                .build();

        String xml = WbxmlXml.render(sync, Redaction.NONE);

        assertThat(xml).contains("<SyncKey wbxml=\"base64\">YQFi</SyncKey>").contains("<ServerId wbxml=\"base64\">");
        assertThat(WbxmlXml.parse(xml)).isEqualTo(sync);
    }

    @Test
    void carriageReturnsSurviveAsCharacterReferences() {
        WbxmlElement body = el(CodePage.AIR_SYNC_BASE, "Body").child("Data", "line 1\r\nline 2\rline 3\n").build();

        String xml = WbxmlXml.render(body, Redaction.NONE);

        assertThat(xml).contains("<Data>line 1&#13;\nline 2&#13;line 3\n</Data>");
        assertThat(WbxmlXml.parse(xml).child("Data").text()).isEqualTo("line 1\r\nline 2\rline 3\n");
    }

    @Test
    void markupCharactersAreEscapedAndLeafTextIsKeptExactly() {
        WbxmlElement email = el(CodePage.AIR_SYNC, "ApplicationData")
                .child("Email:From", "\"Bob & Co\" <bob@example.com>")
                .child("Email:Subject", "  spaces kept  ]]> ")
                .child("Email:ThreadTopic", " ")
                .build();

        String xml = WbxmlXml.render(email, Redaction.NONE);

        assertThat(xml).contains("<email:From>\"Bob &amp; Co\" &lt;bob@example.com&gt;</email:From>");
        assertThat(WbxmlXml.parse(xml)).isEqualTo(email);
        assertThat(WbxmlXml.parse("<Sync xmlns='AirSync:'><SyncKey><![CDATA[a<b]]></SyncKey></Sync>")
                .childText("SyncKey")).isEqualTo("a<b");
    }

    @Test
    void unknownWbxmlAttributeValuesAndBadBase64AreRefused() {
        assertBadXml("<Sync xmlns='AirSync:'><SyncKey wbxml='hex'>00</SyncKey></Sync>");
        assertBadXml("<Sync xmlns='AirSync:'><SyncKey wbxml='base64'>@@@@</SyncKey></Sync>");
        assertBadXml("<Sync xmlns='AirSync:'><SyncKey wbxml='opaque-base64'>not base64!</SyncKey></Sync>");
    }

    // ---- redaction --------------------------------------------------------------------------------------------

    @Test
    void redactionHidesUserContentAndShowsProtocolControlValues() {
        WbxmlElement sync = el(CodePage.AIR_SYNC, "Sync").child("Collections", c -> c
                .child("Collection", col -> col
                        .child("SyncKey", "1234567")
                        .child("CollectionId", "collection-5")
                        .child("Status", "1")
                        .child("Commands", cmd -> cmd.child("Add", add -> add
                                .child("ServerId", "5:77")
                                .child("ApplicationData", data -> data
                                        .child("Email:Subject", "secret subject")
                                        .child("Email:From", "alice@secret.example")
                                        .child("AirSyncBase:Body", body -> body
                                                .child("Type", "1")
                                                .child("Data", "secret body text")))))))
                .build();
        WbxmlElement sendMail = el(CodePage.COMPOSE_MAIL, "SendMail")
                .child("ClientId", "client-9")
                .opaque("Mime", "Subject: secret mime".getBytes(StandardCharsets.UTF_8))
                .build();
        WbxmlElement settings = el(CodePage.SETTINGS, "Settings").child("DevicePassword", d -> d
                .child("Set", s -> s.child("Password", "secret password"))).build();

        String redacted = WbxmlXml.render(sync, Redaction.USER_CONTENT)
                + WbxmlXml.render(sendMail, Redaction.USER_CONTENT)
                + WbxmlXml.render(settings, Redaction.USER_CONTENT)
                + sync + sendMail + settings; // toString() is the redacted rendering

        assertThat(redacted).doesNotContain("secret")
                .contains("<email:Subject>[redacted: 14 chars]</email:Subject>")
                .contains("<airsyncbase:Data>[redacted: 16 chars]</airsyncbase:Data>")
                .contains("<Mime wbxml=\"opaque\">[redacted: 20 bytes]</Mime>")
                .contains("<SyncKey>1234567</SyncKey>")
                .contains("<CollectionId>collection-5</CollectionId>")
                .contains("<Status>1</Status>")
                .contains("<ServerId>5:77</ServerId>")
                .contains("<airsyncbase:Type>1</airsyncbase:Type>")
                .contains("<ClientId>client-9</ClientId>");
        assertThat(WbxmlXml.render(sync, Redaction.NONE)).contains("secret subject", "secret body text");
    }

    // ---- refused input ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "not xml",
            "<Sync xmlns='AirSync:'><SyncKey>1</Sync>",
            "<Sync xmlns='AirSync:'><SyncKey>1</SyncKey>",
            "<Sync xmlns='AirSync:'/><Sync xmlns='AirSync:'/>",
            "<Sync xmlns='AirSync:'/>trailing text",
            "text before<Sync xmlns='AirSync:'/>",
            "<Sync><SyncKey>1</SyncKey></Sync>",
            "<Sync xmlns='urn:other'/>",
            "<Sync xmlns='Nowhere:'/>",
            "<Sync xmlns='AirSync:'><NoSuchTag/></Sync>",
            "<Sync xmlns='AirSync:'><Subject/></Sync>",
            "<Sync xmlns='AirSync:'>text<SyncKey>1</SyncKey></Sync>",
            "<Sync xmlns='AirSync:'><SyncKey>1</SyncKey>text</Sync>",
            "<Sync xmlns='AirSync:'><SyncKey>a\u0000b</SyncKey></Sync>",
    })
    void badXmlIsRefusedWithBadXml(String xml) {
        assertBadXml(xml);
    }

    @Test
    void externalEntitiesAreNeverResolved(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET");
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE Sync [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">]>\n"
                + "<Sync xmlns=\"AirSync:\"><SyncKey>&xxe;</SyncKey></Sync>";

        assertThatThrownBy(() -> WbxmlXml.parse(xxe))
                .isInstanceOfSatisfying(WbxmlException.class, e -> assertThat(e.reason())
                        .isEqualTo(WbxmlException.Reason.BAD_XML))
                .message().doesNotContain("TOP-SECRET");
    }

    @Test
    void documentTypeDeclarationsAreRefused() {
        // internal entities (the "billion laughs"), an external DTD, and a bare DOCTYPE: EAS XML never has one
        assertBadXml("<!DOCTYPE Sync [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                + "<Sync xmlns=\"AirSync:\"><SyncKey>&b;</SyncKey></Sync>");
        assertBadXml("<!DOCTYPE Sync SYSTEM \"http://127.0.0.1:9/eas.dtd\"><Sync xmlns=\"AirSync:\"/>");
        assertBadXml("<!DOCTYPE Sync><Sync xmlns=\"AirSync:\"/>");
    }

    @Test
    void theExceptionNamesWhereTheProblemIs() {
        assertThatThrownBy(() -> WbxmlXml.parse("<Sync xmlns='AirSync:'>\n  <NoSuchTag/>\n</Sync>"))
                .isInstanceOfSatisfying(WbxmlException.class, e -> {
                    assertThat(e.reason()).isEqualTo(WbxmlException.Reason.BAD_XML);
                    assertThat(e.offset()).isPositive();
                    assertThat(e.getMessage()).contains("NoSuchTag", "AirSync");
                });
    }

    private static void assertBadXml(String xml) {
        assertThatThrownBy(() -> WbxmlXml.parse(xml))
                .as(xml)
                .isInstanceOfSatisfying(WbxmlException.class,
                        e -> assertThat(e.reason()).isEqualTo(WbxmlException.Reason.BAD_XML));
    }
}
