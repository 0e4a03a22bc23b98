package dev.easgate.core.policy;

import static dev.easgate.core.policy.PolicySetsIntegrationTest.folderSync;
import static dev.easgate.core.policy.PolicySetsIntegrationTest.provision;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.directory.SlapdProcess;
import dev.easgate.core.testing.AdminTestClient;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Policy sets chosen by a real OpenLDAP: a group's members get its set, an attribute naming a set wins over groups,
 * an administrator's assignment wins over both, and a membership changed in the directory sends the device back
 * to Provision once the node's kept answer (policy.ldap.refresh-seconds) is older than the change.
 */
class PolicyLdapIntegrationTest {
    static final String GROUPS = "ou=groups," + SlapdProcess.SUFFIX;
    static final String STRICT = "cn=phones-strict," + GROUPS;
    private static SlapdProcess slapd;
    private static GatewayTestServer server;
    private static AdminTestClient admin;

    @BeforeAll
    static void start() {
        slapd = SlapdProcess.start();
        slapd.add("""
                dn: uid=carol,%1$s
                objectClass: inetOrgPerson
                uid: carol
                cn: Carol Jones
                sn: Jones
                mail: carol@example.com
                employeeType: byod

                dn: uid=dave,%1$s
                objectClass: inetOrgPerson
                uid: dave
                cn: Dave Smith
                sn: Smith
                mail: dave@example.com

                dn: uid=erin,%1$s
                objectClass: inetOrgPerson
                uid: erin
                cn: Erin Lee
                sn: Lee
                mail: erin@example.com

                dn: %2$s
                objectClass: organizationalUnit
                ou: groups

                dn: %3$s
                objectClass: groupOfNames
                cn: phones-strict
                member: uid=dave,%1$s
                member: uid=carol,%1$s
                """.formatted(SlapdProcess.PEOPLE, GROUPS, STRICT));
        server = GatewayTestServer.start(PolicySetsIntegrationTest.options(Map.of(
                "memory.password", "pw",
                "directory.ldap.url", slapd.url(), "directory.ldap.base", SlapdProcess.PEOPLE,
                "directory.ldap.bind-dn", SlapdProcess.ROOT_DN, "directory.ldap.password", SlapdProcess.ROOT_PASSWORD,
                "policy.ldap.group.strict", STRICT,
                "policy.ldap.attribute", "employeeType",
                "policy.ldap.refresh-seconds", "1")));
        admin = new AdminTestClient(server.gateway().adminPort(), PolicySetsIntegrationTest.TOKEN);
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, slapd);
    }

    private static EasTestClient phone(String user, String deviceId) {
        return server.client(user, "pw", deviceId);
    }

    @Test
    void theGroupTheAttributeAndTheAdminDecideInThatOrderOfStrength() {
        assertThat(provision(phone("dave", "ldap-dave")).childText("DevicePasswordEnabled")).isEqualTo("1");
        assertThat(admin.get("/admin/v1/users/dave/policy").object()).containsEntry("effective", "strict")
                .containsEntry("source", "ldap-group " + STRICT);
        // carol is in the strict group too, but her employeeType names byod
        assertThat(provision(phone("carol", "ldap-carol")).childText("AllowCamera")).isEqualTo("0");
        assertThat(admin.get("/admin/v1/users/carol/policy").object()).containsEntry("effective", "byod");
        assertThat(provision(phone("erin@example.com", "ldap-erin")).childText("DevicePasswordEnabled"))
                .isEqualTo("0");

        EasTestClient dave = phone("dave", "ldap-dave-2");
        provision(dave);
        assertThat(admin.put("/admin/v1/users/dave/policy", "{\"set\":\"byod\"}").status()).isEqualTo(200);
        assertThat(dave.post("FolderSync", folderSync()).text("Status")).isEqualTo("142");
        assertThat(provision(dave).childText("AllowCamera")).isEqualTo("0");
        admin.delete("/admin/v1/users/dave/policy");
        assertThat(dave.post("FolderSync", folderSync()).text("Status")).isEqualTo("142");
        assertThat(provision(dave).childText("DevicePasswordEnabled")).isEqualTo("1");
    }

    @Test
    void aMembershipChangedInTheDirectoryReachesTheDevice() throws InterruptedException {
        EasTestClient erin = phone("erin", "ldap-erin-2");
        assertThat(provision(erin).childText("DevicePasswordEnabled")).isEqualTo("0");
        assertThat(erin.post("FolderSync", folderSync()).text("Status")).isEqualTo("1");

        slapd.modify("""
                dn: %s
                changetype: modify
                add: member
                member: uid=erin,%s
                """.formatted(STRICT, SlapdProcess.PEOPLE));
        try {
            String status = "1";
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (status.equals("1") && System.nanoTime() < deadline) {
                Thread.sleep(250);
                status = erin.post("FolderSync", folderSync()).text("Status");
            }
            assertThat(status).isEqualTo("142");
            assertThat(provision(erin).childText("DevicePasswordEnabled")).isEqualTo("1");
            assertThat(erin.post("FolderSync", folderSync()).text("Status")).isEqualTo("1");
        } finally {
            slapd.modify("""
                    dn: %s
                    changetype: modify
                    delete: member
                    member: uid=erin,%s
                    """.formatted(STRICT, SlapdProcess.PEOPLE));
        }
    }
}
