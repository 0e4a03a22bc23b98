package dev.easgate.core.command.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.directory.DirectoryContract;
import dev.easgate.backends.directory.SlapdProcess;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Search GAL, Find GAL and ResolveRecipients over real HTTP against a real OpenLDAP (--directory=ldap). */
class GalLdapIntegrationTest {
    private static SlapdProcess slapd;
    private static GatewayTestServer server;
    private static EasTestClient client;

    @BeforeAll
    static void start() {
        slapd = SlapdProcess.start();
        slapd.add(SlapdProcess.ldif(DirectoryContract.FIXTURE));
        server = GatewayTestServer.start(Map.of("directory", "ldap", "directory.ldap.url", slapd.url(),
                "directory.ldap.base", SlapdProcess.PEOPLE, "directory.ldap.bind-dn", SlapdProcess.ROOT_DN,
                "directory.ldap.password", SlapdProcess.ROOT_PASSWORD));
        client = server.client("demo", "ldap-device");
        client.provision();
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, slapd);
    }

    @Test
    void searchGalReadsTheLdapDirectory() {
        EasTestClient.Response response = client.post("Search", WbxmlElement.el(CodePage.SEARCH, "Search")
                .child("Store", s -> s.child("Name", "GAL").child("Query", "ali")
                        .child("Options", o -> o.child("Range", "0-9").child("Picture", p -> p.child("MaxSize", 1000))))
                .build());
        WbxmlElement store = response.body().child("Response").child("Store");
        assertThat(store.childText("Status")).isEqualTo("1");
        assertThat(store.childText("Total")).isEqualTo("2");
        WbxmlElement alice = store.child("Result").child("Properties");
        assertThat(alice.childText("GAL:DisplayName")).isEqualTo("Alice Walker");
        assertThat(alice.childText("GAL:Company")).isEqualTo("Example Corp");
        assertThat(alice.child("GAL:Picture").childText("Status")).isEqualTo("1");
    }

    @Test
    void resolveRecipientsFindsLdapCertificates() {
        EasTestClient.Response response = client.post("ResolveRecipients", WbxmlElement.el(CodePage.RESOLVE_RECIPIENTS,
                "ResolveRecipients").child("To", "alice@example.com")
                .child("Options", o -> o.child("CertificateRetrieval", 2)).build());
        WbxmlElement recipient = response.body().child("Response").child("Recipient");
        assertThat(recipient.childText("DisplayName")).isEqualTo("Alice Walker");
        assertThat(recipient.child("Certificates").childText("Status")).isEqualTo("1");
    }

    @Test
    void findGalReadsTheLdapDirectory() {
        EasTestClient.Response response = client.post("Find", WbxmlElement.el(CodePage.FIND, "Find")
                .child("SearchId", "l1").child("ExecuteSearch", e -> e.child("GalSearchCriterion", g -> g
                        .child("Query", q -> q.child("FreeText", "Mül")))).build());
        WbxmlElement r = response.body().child("Response");
        assertThat(r.childText("Total")).isEqualTo("1");
        assertThat(r.child("Result").child("Properties").childText("GAL:DisplayName")).isEqualTo("Jürgen Müller");
    }
}
