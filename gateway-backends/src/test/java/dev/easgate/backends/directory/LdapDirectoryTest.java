package dev.easgate.backends.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The directory contract against a real OpenLDAP slapd, plus the attribute mapping and filter escaping. */
class LdapDirectoryTest implements DirectoryContract {
    private static SlapdProcess slapd;
    private static LdapDirectory directory;

    @BeforeAll
    static void start() {
        slapd = SlapdProcess.start();
        slapd.add(SlapdProcess.ldif(FIXTURE));
        directory = new LdapDirectory(new LdapDirectory.Settings(slapd.url(), SlapdProcess.PEOPLE,
                SlapdProcess.ROOT_DN, SlapdProcess.ROOT_PASSWORD, "(objectClass=inetOrgPerson)",
                LdapDirectory.Mapping.DEFAULT));
    }

    @AfterAll
    static void stop() {
        if (slapd != null) {
            slapd.close();
        }
    }

    @Override
    public Directory directory() {
        return directory;
    }

    @Test
    void aRemappedAttributeIsReadFromItsNewName() {
        LdapDirectory remapped = new LdapDirectory(new LdapDirectory.Settings(slapd.url(), SlapdProcess.PEOPLE,
                SlapdProcess.ROOT_DN, SlapdProcess.ROOT_PASSWORD, "",
                LdapDirectory.Mapping.parse("company=title,title=")));
        StepVerifier.create(remapped.byAddress("bob@example.com"))
                .assertNext(e -> {
                    assertThat(e.company()).isEqualTo("Controller");
                    assertThat(e.title()).isNull();
                })
                .verifyComplete();
    }

    @Test
    void filterCharactersInAPrefixAreEscaped() {
        StepVerifier.create(directory.search("*)(uid=*", 10)).verifyComplete();
        assertThat(LdapDirectory.escape("a*(b)\\")).isEqualTo("a\\2a\\28b\\29\\5c");
    }

    @Test
    void anAnonymousBindThatIsRefusedFailsTheSearch() {
        LdapDirectory wrong = new LdapDirectory(new LdapDirectory.Settings(slapd.url(), SlapdProcess.PEOPLE,
                SlapdProcess.ROOT_DN, "wrong", "", LdapDirectory.Mapping.DEFAULT));
        StepVerifier.create(wrong.search("ali", 10)).expectError(javax.naming.AuthenticationException.class)
                .verify();
    }

    @Test
    void aMappingWithAnUnknownFieldIsRefused() {
        assertThatThrownBy(() -> LdapDirectory.Mapping.parse("nickname=cn"))
                .hasMessageContaining("unknown directory field 'nickname'");
    }
}
