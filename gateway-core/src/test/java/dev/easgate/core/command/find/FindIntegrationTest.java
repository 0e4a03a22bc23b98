package dev.easgate.core.command.find;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Find (16.1) over real HTTP against the memory store and directory. */
class FindIntegrationTest {
    private static GatewayTestServer server;
    private static EasTestClient client;

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        client = server.client("demo", "find-device");
        client.provision();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static WbxmlElement find(String id, String criterion, String text, Consumer<WbxmlElement.Builder> options) {
        return WbxmlElement.el(CodePage.FIND, "Find").child("SearchId", id).child("ExecuteSearch", e -> e
                .child(criterion, c -> {
                    c.child("Query", q -> q.child("FreeText", text));
                    if (options != null) {
                        c.child("Options", options);
                    }
                })).build();
    }

    @Test
    void mailboxFindReturnsTheFindPropertiesAndPagesByRange() {
        EasTestClient.Response response = client.post("Find", find("s1", "MailBoxSearchCriterion", "phoenix",
                o -> o.child("Range", "0-0")));
        assertThat(response.text("Status")).isEqualTo("1");
        WbxmlElement r = response.body().child("Response");
        assertThat(r.childText("ItemOperations:Store")).isEqualTo("Mailbox");
        assertThat(r.childText("Status")).isEqualTo("1");
        assertThat(r.childText("Total")).isEqualTo("2");
        assertThat(r.childText("Range")).isEqualTo("0-0");
        WbxmlElement properties = r.child("Result").child("Properties");
        assertThat(properties.childText("Email:Subject")).startsWith("Project Phoenix");
        assertThat(properties.childText("Preview")).isNotBlank();
        WbxmlElement next = client.post("Find", find("s1", "MailBoxSearchCriterion", "phoenix",
                o -> o.child("Range", "1-1"))).body().child("Response");
        assertThat(next.childText("Range")).isEqualTo("1-1");
        assertThat(next.child("Result").child("Properties").childText("Email:Subject"))
                .isNotEqualTo(properties.childText("Email:Subject"));
    }

    @Test
    void galFindReturnsGalProperties() {
        WbxmlElement r = client.post("Find", find("g1", "GalSearchCriterion", "bob", null)).body().child("Response");
        assertThat(r.childText("ItemOperations:Store")).isEqualTo("GAL");
        assertThat(r.child("Result").child("Properties").childText("GAL:EmailAddress")).isEqualTo("bob@example.com");
    }

    @Test
    void badInputsGetTheFindStatuses() {
        assertThat(client.post("Find", find("n1", "MailBoxSearchCriterion", "a", o -> o.child("Range", "5-9")))
                .body().child("Response").childText("Status")).isEqualTo("4");
        assertThat(client.post("Find", find("n2", "MailBoxSearchCriterion", "a", o -> o.child("Range", "0-1000")))
                .text("Status")).isEqualTo("2");
        assertThat(client.post("Find", find("n3", "MailBoxSearchCriterion", " ", null)).text("Status"))
                .isEqualTo("2");
        assertThat(client.post("Find", WbxmlElement.el(CodePage.FIND, "Find").child("SearchId", "x").build())
                .text("Status")).isEqualTo("2");
        // a folder the hierarchy does not hold: 3, FolderSync first
        WbxmlElement stale = WbxmlElement.el(CodePage.FIND, "Find").child("SearchId", "n5").child("ExecuteSearch",
                e -> e.child("MailBoxSearchCriterion", c -> c.child("Query", q -> q
                        .child("AirSync:CollectionId", "no-such-folder").child("FreeText", "a")))).build();
        assertThat(client.post("Find", stale).text("Status")).isEqualTo("3");
        EasTestClient old = server.client("demo", "find-device").policyKey(client.policyKey()).protocolVersion("16.0");
        assertThat(old.post("Find", find("n4", "GalSearchCriterion", "bob", null)).text("Status")).isEqualTo("2");
    }
}
