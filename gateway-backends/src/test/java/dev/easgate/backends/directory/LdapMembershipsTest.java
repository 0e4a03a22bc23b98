package dev.easgate.backends.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.directory.Memberships.Facts;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Group membership and an attribute of a user's entry, read from a real OpenLDAP. */
class LdapMembershipsTest {
    static final String GROUPS = "ou=groups," + SlapdProcess.SUFFIX;
    static final String STRICT = "cn=strict," + GROUPS;
    static final String BYOD = "cn=byod," + GROUPS;
    private static SlapdProcess slapd;
    private static Scheduler scheduler;

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
                cn: Dave (Ops)
                sn: Dave
                mail: dave@example.com

                dn: %2$s
                objectClass: organizationalUnit
                ou: groups

                dn: %3$s
                objectClass: groupOfNames
                cn: strict
                member: uid=dave,%1$s

                dn: %4$s
                objectClass: groupOfNames
                cn: byod
                member: uid=carol,%1$s
                member: uid=dave,%1$s
                """.formatted(SlapdProcess.PEOPLE, GROUPS, STRICT, BYOD));
        scheduler = Schedulers.newBoundedElastic(2, 100, "ldap-memberships-test");
    }

    @AfterAll
    static void stop() {
        scheduler.dispose();
        slapd.close();
    }

    private static LdapMemberships memberships(String attribute) {
        return new LdapMemberships(new LdapMemberships.Settings(slapd.url(), SlapdProcess.SUFFIX, SlapdProcess.ROOT_DN,
                SlapdProcess.ROOT_PASSWORD, "(&(objectClass=inetOrgPerson)(|(uid={user})(mail={user})))",
                List.of(STRICT, BYOD, "cn=absent," + GROUPS), attribute), scheduler);
    }

    @Test
    void groupsTheUserIsAMemberOfAndTheAttribute() {
        Facts carol = memberships("employeeType").lookup("carol").block();
        assertThat(carol.found()).isTrue();
        assertThat(carol.groups()).containsExactly(BYOD);
        assertThat(carol.attribute()).containsExactly("byod");

        Facts dave = memberships("employeeType").lookup("dave@example.com").block();
        assertThat(dave.groups()).containsExactlyInAnyOrder(STRICT, BYOD);
        assertThat(dave.attribute()).isEmpty();
    }

    @Test
    void anUnknownUserOrAFilterInjectionFindsNothing() {
        assertThat(memberships("").lookup("nobody").block()).isEqualTo(Facts.NONE);
        assertThat(memberships("").lookup("*").block()).isEqualTo(Facts.NONE);
        assertThat(memberships("").lookup("carol)(uid=*").block()).isEqualTo(Facts.NONE);
    }

    @Test
    void aChangedMembershipIsReadAtTheNextLookup() {
        slapd.modify("""
                dn: %s
                changetype: modify
                add: member
                member: uid=carol,%s
                """.formatted(STRICT, SlapdProcess.PEOPLE));
        try {
            assertThat(memberships("").lookup("carol").block().groups()).containsExactlyInAnyOrder(STRICT, BYOD);
        } finally {
            slapd.modify("""
                    dn: %s
                    changetype: modify
                    delete: member
                    member: uid=carol,%s
                    """.formatted(STRICT, SlapdProcess.PEOPLE));
        }
        assertThat(memberships("").lookup("carol").block().groups()).containsExactly(BYOD);
    }
}
