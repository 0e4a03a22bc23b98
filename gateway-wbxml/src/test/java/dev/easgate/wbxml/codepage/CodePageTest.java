package dev.easgate.wbxml.codepage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CodePageTest {

    static Stream<CodePage> pages() {
        return Stream.of(CodePage.values());
    }

    @Test
    void thePagesAreNumberedZeroToTwentyFiveInOrder() {
        CodePage[] pages = CodePage.values();
        assertThat(pages).hasSize(26);
        for (int i = 0; i < pages.length; i++) {
            assertThat(pages[i].number()).isEqualTo(i);
            assertThat(CodePage.byNumber(i)).isSameAs(pages[i]);
        }
        assertThat(CodePage.MAX_PAGE).isEqualTo(25);
        assertThat(CodePage.byNumber(26)).isNull();
        assertThat(CodePage.byNumber(-1)).isNull();
    }

    @Test
    void namespacesAreUniqueAndResolveByNameAndUri() {
        Set<String> namespaces = new HashSet<>();
        for (CodePage page : CodePage.values()) {
            assertThat(namespaces.add(page.namespace())).as(page.namespace()).isTrue();
            assertThat(CodePage.byNamespace(page.namespace())).isSameAs(page);
            assertThat(CodePage.byNamespace(page.namespace() + ":")).isSameAs(page);
        }
        assertThat(CodePage.byNumber(3).namespace()).isEqualTo("AirNotify");
        assertThat(CodePage.byNumber(25).namespace()).isEqualTo("Find");
    }

    @ParameterizedTest
    @MethodSource("pages")
    void everyPageHasTags(CodePage page) {
        assertThat(page.tags()).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("pages")
    void namesAndTokensAreUniqueWithinAPageAndLookUpBothWays(CodePage page) {
        Set<String> names = new HashSet<>();
        Set<Integer> tokens = new HashSet<>();
        int previous = 0;
        for (Tag tag : page.tags()) {
            assertThat(names.add(tag.name())).as(tag.toString()).isTrue();
            assertThat(tokens.add(tag.token())).as(tag.toString()).isTrue();
            assertThat(tag.token()).isBetween(0x05, 0x3F).isGreaterThan(previous);
            previous = tag.token();
            assertThat(tag.page()).isSameAs(page);
            assertThat(page.tag(tag.token())).isSameAs(tag);
            assertThat(page.tag(tag.name())).isSameAs(tag);
            assertThat(page.require(tag.name())).isSameAs(tag);
            assertThat(CodePage.resolve(tag.qualifiedName(), CodePage.AIR_SYNC)).isSameAs(tag);
            assertThat(tag.name()).matches("[A-Za-z][A-Za-z0-9]*");
        }
    }

    static Stream<Arguments> allTags() {
        return Stream.of(CodePage.values())
                .flatMap(page -> page.tags().stream())
                .map(tag -> Arguments.of(tag.qualifiedName(), tag));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allTags")
    void everyTagRoundTripsWithTextAndEmpty(String qualifiedName, Tag tag) {
        // the tag as the root, holding text; the tag empty inside a root of another page; the tag holding a child
        WbxmlElement withText = WbxmlElement.text(tag, "value " + qualifiedName);
        WbxmlElement empty = WbxmlElement.el(tag.page() == CodePage.PING ? CodePage.AIR_SYNC : CodePage.PING,
                        tag.page() == CodePage.PING ? "Sync" : "Ping")
                .child(WbxmlElement.empty(tag))
                .build();
        WbxmlElement parent = WbxmlElement.parent(tag, List.of(WbxmlElement.text(tag, "")));

        for (WbxmlElement document : List.of(withText, empty, parent)) {
            byte[] bytes = WbxmlEncoder.encode(document);
            assertThat(WbxmlDecoder.DEFAULT.decode(bytes)).isEqualTo(document);
        }
        byte[] bytes = WbxmlEncoder.encode(withText);
        int tokenAt = tag.page().number() == 0 ? 4 : 6; // after the header and, off page 0, SWITCH_PAGE n
        assertThat(bytes[tokenAt] & 0xFF).isEqualTo(tag.token() | 0x40);
        if (tag.page().number() != 0) {
            assertThat(bytes[4]).isEqualTo((byte) 0x00);
            assertThat(bytes[5] & 0xFF).isEqualTo(tag.page().number());
        }
    }

    /** Tokens copied from the MS-ASWBXML tables (section 2.1.2.1.x), one or more on each commonly used page. */
    @ParameterizedTest(name = "{0}:{1} = {2}")
    @CsvSource({
            "AirSync, Sync, 0x05",
            "AirSync, SyncKey, 0x0B",
            "AirSync, CollectionId, 0x12",
            "AirSync, ApplicationData, 0x1D",
            "AirSync, MIMESupport, 0x22",
            "AirSync, HeartbeatInterval, 0x29",
            "Contacts, Email1Address, 0x1B",
            "Email, Subject, 0x14",
            "Email, MIMEData, 0x36",
            "Email, DisallowNewTimeProposal, 0x3F",
            "AirNotify, DeviceFriendlyName, 0x17",
            "Calendar, Timezone, 0x05",
            "Calendar, ClientUid, 0x3C",
            "Move, DstMsgId, 0x0C",
            "GetItemEstimate, Estimate, 0x0C",
            "FolderHierarchy, FolderSync, 0x16",
            "FolderHierarchy, Count, 0x17",
            "MeetingResponse, SendResponse, 0x12",
            "Tasks, Subject, 0x20",
            "ResolveRecipients, MaxPictures, 0x1D",
            "ValidateCert, CheckCRL, 0x09",
            "Contacts2, MMS, 0x0E",
            "Ping, HeartbeatInterval, 0x08",
            "Ping, MaxFolders, 0x0D",
            "Provision, PolicyKey, 0x09",
            "Provision, AccountOnlyRemoteWipe, 0x3B",
            "Search, Store, 0x07",
            "GAL, Data, 0x12",
            "AirSyncBase, Body, 0x0A",
            "AirSyncBase, InstanceId, 0x2D",
            "Settings, RightsManagementInformation, 0x2B",
            "DocumentLibrary, ContentType, 0x0C",
            "ItemOperations, Data, 0x0C",
            "ItemOperations, MoveAlways, 0x19",
            "ComposeMail, Mime, 0x10",
            "ComposeMail, ForwardeeEmail, 0x18",
            "Email2, ConversationId, 0x09",
            "Email2, Send, 0x17",
            "Notes, Category, 0x09",
            "RightsManagement, RemoveRightsManagementProtection, 0x18",
            "Find, Find, 0x05",
            "Find, Picture, 0x22",
    })
    void wellKnownTokensHaveTheirSpecifiedBytes(String namespace, String name, String token) {
        Tag tag = CodePage.byNamespace(namespace).require(name);

        assertThat(tag.token()).isEqualTo(Integer.decode(token));
    }

    @Test
    void eachPageHasTheNumberOfTagsOfTheSpecification() {
        // counted from the token ranges of the specification's tables, gaps left out
        int[] expected = {37, 58, 59, 19, 48, 8, 10, 20, 12, 34, 25, 6, 10, 9, 54, 27, 14, 40, 38, 8, 21, 18, 18,
                5, 20, 22};
        for (CodePage page : CodePage.values()) {
            assertThat(page.tags()).as(page.namespace()).hasSize(expected[page.number()]);
        }
    }

    @Test
    void tokensTheSpecificationLeavesOutAreUnknown() {
        assertThat(CodePage.AIR_SYNC.tag(0x2A)).isNull();
        assertThat(CodePage.CALENDAR.tag(0x2B)).isNull();
        assertThat(CodePage.CALENDAR.tag(0x32)).isNull();
        assertThat(CodePage.MEETING_RESPONSE.tag(0x0D)).isNull();
        assertThat(CodePage.MEETING_RESPONSE.tag(0x0F)).isNull();
        assertThat(CodePage.PROVISION.tag(0x12)).isNull();
        assertThat(CodePage.SEARCH.tag(0x06)).isNull();
        assertThat(CodePage.SEARCH.tag(0x1C)).isNull();
        assertThat(CodePage.AIR_SYNC_BASE.tag(0x09)).isNull();
        assertThat(CodePage.SETTINGS.tag(0x2A)).isNull();
        assertThat(CodePage.COMPOSE_MAIL.tag(0x0A)).isNull();
        assertThat(CodePage.COMPOSE_MAIL.tag(0x14)).isNull();
        assertThat(CodePage.EMAIL2.tag(0x14)).isNull();
        assertThat(CodePage.FIND.tag(0x0F)).isNull();
        assertThat(CodePage.FIND.tag(0x1A)).isNull();
        assertThat(CodePage.NOTES.tag(0x04)).isNull();
        assertThat(CodePage.NOTES.tag(0x40)).isNull();
    }

    @Test
    void controlValuesArePlainAndUserContentIsNot() {
        for (String plain : List.of("AirSync:SyncKey", "AirSync:Status", "AirSync:CollectionId", "AirSync:ServerId",
                "FolderHierarchy:SyncKey", "Ping:HeartbeatInterval", "Provision:PolicyKey", "Email:Read",
                "Email:DateReceived", "AirSyncBase:EstimatedDataSize", "Email2:ConversationId", "Find:SearchId")) {
            assertThat(CodePage.resolve(plain, null).userContent()).as(plain).isFalse();
        }
        for (String user : List.of("Email:Subject", "Email:From", "Email:To", "Email:Body", "Email:MIMEData",
                "AirSyncBase:Data", "AirSyncBase:Preview", "ComposeMail:Mime", "Settings:Password",
                "ItemOperations:Password", "Search:Password", "Search:Query", "Search:FreeText", "Find:FreeText",
                "Contacts:MobilePhoneNumber", "Calendar:Location", "FolderHierarchy:DisplayName",
                "ResolveRecipients:Certificate", "ValidateCert:Certificate", "GAL:EmailAddress",
                "ItemOperations:Data", "Provision:Data")) {
            assertThat(CodePage.resolve(user, null).userContent()).as(user).isTrue();
        }
    }
}
