package dev.easgate.core.command.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Search over real HTTP against the memory store and the memory directory. */
class SearchIntegrationTest {
    private static GatewayTestServer server;
    private static MailStore store;
    private static EasTestClient client;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        store = server.gateway().services().mailStore();
        client = server.client("demo", "search-device");
        client.provision();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static WbxmlElement search(String storeName, Consumer<WbxmlElement.Builder> query,
                               Consumer<WbxmlElement.Builder> options) {
        return WbxmlElement.el(CodePage.SEARCH, "Search").child("Store", s -> {
            s.child("Name", storeName);
            s.child("Query", query);
            if (options != null) {
                s.child("Options", options);
            }
        }).build();
    }

    static WbxmlElement gal(String text, Consumer<WbxmlElement.Builder> options) {
        return WbxmlElement.el(CodePage.SEARCH, "Search").child("Store", s -> {
            s.child("Name", "GAL").child("Query", text);
            if (options != null) {
                s.child("Options", options);
            }
        }).build();
    }

    static WbxmlElement storeOf(EasTestClient.Response response) {
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).isEqualTo("1");
        return response.body().child("Response").child("Store");
    }

    static String folderId(String name) {
        return store.folders("demo").filter(f -> f.name().equals(name)).map(Folder::id).blockFirst();
    }

    @Test
    void galPrefixFindsPeopleWithTheirPropertiesAndTotal() {
        WbxmlElement result = storeOf(client.post("Search", gal("ali", null)));
        assertThat(result.childText("Status")).isEqualTo("1");
        List<WbxmlElement> results = result.children("Result");
        assertThat(results).isNotEmpty();
        WbxmlElement first = results.get(0).child("Properties");
        assertThat(first.childText("GAL:DisplayName")).isEqualTo("Alice Walker");
        assertThat(first.childText("GAL:EmailAddress")).isEqualTo("alice@example.com");
        assertThat(first.childText("GAL:Title")).isEqualTo("Product Manager");
        assertThat(first.childText("GAL:MobilePhone")).isEqualTo("+1 555 0100");
        assertThat(first.child("GAL:Picture")).isNull();
        assertThat(result.childText("Total")).isEqualTo(String.valueOf(results.size()));
        assertThat(result.childText("Range")).isEqualTo("0-" + (results.size() - 1));
    }

    @Test
    void galRangePagesAndDefaultsTo0To99() {
        WbxmlElement all = storeOf(client.post("Search", gal("a", null)));
        int total = Integer.parseInt(all.childText("Total"));
        assertThat(total).isGreaterThanOrEqualTo(10);
        assertThat(all.children("Result")).hasSize(total);
        assertThat(all.childText("Range")).isEqualTo("0-" + (total - 1));
        WbxmlElement page = storeOf(client.post("Search", gal("a", o -> o.child("Range", "5-7"))));
        assertThat(page.children("Result")).hasSize(3);
        assertThat(page.childText("Range")).isEqualTo("5-7");
        assertThat(page.child("Result").child("Properties").childText("GAL:DisplayName"))
                .isEqualTo(all.children("Result").get(5).child("Properties").childText("GAL:DisplayName"));
        WbxmlElement tail = storeOf(client.post("Search", gal("a", o -> o.child("Range", "8-40"))));
        assertThat(tail.childText("Range")).isEqualTo("8-" + (total - 1));
        assertThat(page.childText("Total")).isEqualTo(String.valueOf(total));
    }

    @Test
    void galPicturesFrom141WithTheirStatuses() {
        WbxmlElement result = storeOf(client.post("Search", gal("demo", o -> o.child("Picture", p -> p
                .child("MaxSize", 10000).child("MaxPictures", 5)))));
        WbxmlElement picture = result.child("Result").child("Properties").child("GAL:Picture");
        assertThat(picture.childText("Status")).isEqualTo("1");
        assertThat(picture.child("Data").opaque().length()).isGreaterThan(0);

        WbxmlElement small = storeOf(client.post("Search", gal("demo", o -> o.child("Picture", p -> p
                .child("MaxSize", 10)))));
        assertThat(small.child("Result").child("Properties").child("GAL:Picture").childText("Status"))
                .isEqualTo("174");
        WbxmlElement none = storeOf(client.post("Search", gal("bob", o -> o.child("Picture", p -> p
                .child("MaxSize", 10000)))));
        assertThat(none.child("Result").child("Properties").child("GAL:Picture").childText("Status"))
                .isEqualTo("173");
        WbxmlElement old = storeOf(server.client("demo", "search-device").policyKey(client.policyKey())
                .protocolVersion("14.0").post("Search", gal("demo", o -> o.child("Picture", p -> p
                        .child("MaxSize", 10000)))));
        assertThat(old.child("Result").child("Properties").child("GAL:Picture")).isNull();
    }

    @Test
    void galWithNoMatchAnswersAnEmptyResult() {
        WbxmlElement result = storeOf(client.post("Search", gal("qqqzz", null)));
        assertThat(result.childText("Status")).isEqualTo("1");
        assertThat(result.child("Result").children()).isEmpty();
        assertThat(result.childText("Total")).isEqualTo("0");
    }

    @Test
    void mailboxFreeTextOverOneFolderRendersTheEmail() {
        String inbox = folderId("Inbox");
        WbxmlElement result = storeOf(client.post("Search", search("Mailbox", q -> q.child("And", a -> a
                .child("AirSync:Class", "Email")
                .child("AirSync:CollectionId", inbox)
                .child("FreeText", "noodle")), o -> o
                .child("Range", "0-4")
                .child("AirSyncBase:BodyPreference", b -> b.child("Type", 1).child("TruncationSize", 20)))));
        assertThat(result.childText("Status")).isEqualTo("1");
        List<WbxmlElement> results = result.children("Result");
        assertThat(results).hasSize(1);
        WbxmlElement hit = results.get(0);
        assertThat(hit.childText("AirSync:Class")).isEqualTo("Email");
        assertThat(hit.childText("AirSync:CollectionId")).isEqualTo(inbox);
        assertThat(hit.childText("LongId")).isNotBlank();
        WbxmlElement properties = hit.child("Properties");
        assertThat(properties.childText("Email:Subject")).isEqualTo("Lunch on Friday?");
        WbxmlElement bodyElement = properties.child("AirSyncBase:Body");
        assertThat(bodyElement.childText("Type")).isEqualTo("1");
        assertThat(bodyElement.childText("Truncated")).isEqualTo("1");
        assertThat(result.childText("Total")).isEqualTo("1");
        assertThat(result.childText("Range")).isEqualTo("0-0");
    }

    @Test
    void mailboxWithoutAFolderSearchesAllMailAndDeepTraversalReachesSubfolders() {
        // "Phoenix" is only in Inbox/Projects
        WbxmlElement all = storeOf(client.post("Search", search("Mailbox", q -> q.child("And", a -> a
                .child("AirSync:Class", "Email").child("FreeText", "phoenix")), null)));
        assertThat(all.childText("Total")).isEqualTo("2");
        String inbox = folderId("Inbox");
        WbxmlElement shallow = storeOf(client.post("Search", search("Mailbox", q -> q.child("And", a -> a
                .child("AirSync:Class", "Email").child("AirSync:CollectionId", inbox)
                .child("FreeText", "phoenix")), null)));
        assertThat(shallow.childText("Total")).isEqualTo("0");
        WbxmlElement deep = storeOf(client.post("Search", search("Mailbox", q -> q.child("And", a -> a
                .child("AirSync:Class", "Email").child("AirSync:CollectionId", inbox)
                .child("FreeText", "phoenix")), o -> o.empty("DeepTraversal").empty("RebuildResults"))));
        assertThat(deep.childText("Total")).isEqualTo("2");
    }

    @Test
    void mailboxDateRangeKeepsMailReceivedBetweenTheBounds() {
        Instant now = Instant.now();
        String inbox = folderId("Inbox");
        WbxmlElement recent = storeOf(client.post("Search", search("Mailbox", q -> q.child("And", a -> a
                .child("AirSync:Class", "Email").child("AirSync:CollectionId", inbox)
                .child("GreaterThan", g -> g.empty("Email:DateReceived")
                        .child("Value", now.minus(25, ChronoUnit.HOURS).toString()))), o -> o.child("Range", "0-49"))));
        // the demo Inbox has three messages of the last 25 hours (2, 9 and 21 hours old)
        assertThat(recent.childText("Total")).isEqualTo("3");
        WbxmlElement between = storeOf(client.post("Search", search("Mailbox", q -> q.child("And", a -> a
                .child("AirSync:Class", "Email").child("AirSync:CollectionId", inbox)
                .child("GreaterThan", g -> g.empty("Email:DateReceived")
                        .child("Value", now.minus(25, ChronoUnit.HOURS).toString()))
                .child("LessThan", g -> g.empty("Email:DateReceived")
                        .child("Value", now.minus(5, ChronoUnit.HOURS).toString()))), null)));
        assertThat(between.childText("Total")).isEqualTo("2");
    }

    @Test
    void documentLibraryIsBlockedAndUnknownStoresAreInvalidRequests() {
        WbxmlElement library = storeOf(client.post("Search", search("DocumentLibrary", q -> q.child("EqualTo", e -> e
                .empty("DocumentLibrary:LinkId").child("Value", "\\\\server\\share")), null)));
        assertThat(library.childText("Status")).isEqualTo("13");
        WbxmlElement unknown = storeOf(client.post("Search", gal("x", null).children().isEmpty() ? null
                : search("Calendar", q -> q.child("FreeText", "x"), null)));
        assertThat(unknown.childText("Status")).isEqualTo("2");
    }

    @Test
    void malformedQueriesAndRangesGetTheStatusTheSpecGives() {
        // malformed Range: 2
        assertThat(storeOf(client.post("Search", gal("ali", o -> o.child("Range", "5-2")))).childText("Status"))
                .isEqualTo("2");
        assertThat(storeOf(client.post("Search", gal("ali", o -> o.child("Range", "x")))).childText("Status"))
                .isEqualTo("2");
        // a Range starting past the results: 12 (end of retrievable range)
        assertThat(storeOf(client.post("Search", gal("ali", o -> o.child("Range", "50-59")))).childText("Status"))
                .isEqualTo("12");
        // blank GAL query: 2
        assertThat(storeOf(client.post("Search", gal(" ", null))).childText("Status")).isEqualTo("2");
        // Or: query too complex, 8
        assertThat(storeOf(client.post("Search", search("Mailbox", q -> q.child("Or", o -> o
                .child("FreeText", "a").child("FreeText", "b")), null))).childText("Status")).isEqualTo("8");
        // malformed date: 2
        assertThat(storeOf(client.post("Search", search("Mailbox", q -> q.child("And", a -> a
                .child("GreaterThan", g -> g.empty("Email:DateReceived").child("Value", "yesterday"))), null)))
                .childText("Status")).isEqualTo("2");
        // a folder the hierarchy does not hold: 11, FolderSync first
        assertThat(storeOf(client.post("Search", search("Mailbox", q -> q.child("And", a -> a
                .child("AirSync:CollectionId", "no-such-folder").child("FreeText", "a")), null)))
                .childText("Status")).isEqualTo("11");
        // no Store at all: 2
        assertThat(storeOf(client.post("Search", WbxmlElement.el(CodePage.SEARCH, "Search").build()))
                .childText("Status")).isEqualTo("2");
    }

    @Test
    void mailboxSearchIsNotOffered25Clients() {
        EasTestClient old = server.client("demo", "search-device").policyKey(client.policyKey())
                .protocolVersion("2.5");
        WbxmlElement result = storeOf(old.post("Search", search("Mailbox", q -> q.child("FreeText", "lunch"), null)));
        assertThat(result.childText("Status")).isEqualTo("2");
        WbxmlElement galResult = storeOf(old.post("Search", gal("bob", null)));
        assertThat(galResult.childText("Status")).isEqualTo("1");
    }
}
