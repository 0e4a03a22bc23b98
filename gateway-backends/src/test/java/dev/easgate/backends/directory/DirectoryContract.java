package dev.easgate.backends.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * What every {@link Directory} does, written once: an implementation's test class implements this interface and
 * supplies a directory holding exactly {@link #FIXTURE}.
 */
public interface DirectoryContract {

    byte[] PICTURE = MemoryDirectory.DEMO_PICTURE;
    byte[] CERTIFICATE = MemoryDirectory.DEMO_CERTIFICATE;

    /** The entries the directory under test holds. */
    List<DirectoryEntry> FIXTURE = List.of(
            new DirectoryEntry("Alice Walker", "Alice", "Walker", "alice@example.com", "+1 555 0101",
                    "+1 555 0100", null, "HQ 2.14", "Product Manager", "Example Corp", "alice", PICTURE,
                    List.of(CERTIFICATE)),
            new DirectoryEntry("Alicia Garcia", "Alicia", "Garcia", "alicia.garcia@example.com", "+1 555 1006",
                    null, null, "HQ 3.06", "Designer", "Example Corp", "agarcia", null, List.of()),
            new DirectoryEntry("Bob Martin", "Bob", "Martin", "bob@example.com", "+1 555 0111", "+1 555 0110",
                    null, "HQ 3.02", "Controller", "Example Corp", "bob", null, List.of()),
            new DirectoryEntry("Carol Nguyen", "Carol", "Nguyen", "carol.nguyen@example.org", null, null, null,
                    null, "Designer", "Nguyen Design", "carol", null, List.of()),
            new DirectoryEntry("Jürgen Müller", "Jürgen", "Müller", "juergen.mueller@example.de",
                    "+49 89 1234 0141", null, null, null, "Geschäftsführer", "Müller & Söhne GmbH", "jmueller",
                    null, List.of()));

    Directory directory();

    @Test
    default void aPrefixOfTheFirstNameFindsTheEntriesInDisplayNameOrder() {
        StepVerifier.create(directory().search("ali", 10).map(DirectoryEntry::displayName).collectList())
                .assertNext(names -> assertThat(names).containsExactly("Alice Walker", "Alicia Garcia"))
                .verifyComplete();
    }

    @Test
    default void lastNameAddressAndAliasPrefixesMatchIgnoringCase() {
        StepVerifier.create(directory().search("WALK", 10).map(DirectoryEntry::email).collectList())
                .assertNext(list -> assertThat(list).containsExactly("alice@example.com")).verifyComplete();
        StepVerifier.create(directory().search("carol.ng", 10).map(DirectoryEntry::email).collectList())
                .assertNext(list -> assertThat(list).containsExactly("carol.nguyen@example.org")).verifyComplete();
        StepVerifier.create(directory().search("agarc", 10).map(DirectoryEntry::email).collectList())
                .assertNext(list -> assertThat(list).containsExactly("alicia.garcia@example.com")).verifyComplete();
    }

    @Test
    default void nonAsciiNamesMatch() {
        StepVerifier.create(directory().search("Mül", 10).map(DirectoryEntry::displayName).collectList())
                .assertNext(list -> assertThat(list).containsExactly("Jürgen Müller")).verifyComplete();
    }

    @Test
    default void theLimitCapsTheResults() {
        StepVerifier.create(directory().search("a", 1).count()).expectNext(1L).verifyComplete();
    }

    @Test
    default void nothingMatchesAnUnknownPrefix() {
        StepVerifier.create(directory().search("zzzq", 10)).verifyComplete();
    }

    @Test
    default void anEntryCarriesItsAttributesPictureAndCertificates() {
        StepVerifier.create(directory().byAddress("ALICE@example.com"))
                .assertNext(e -> {
                    assertThat(e.displayName()).isEqualTo("Alice Walker");
                    assertThat(e.firstName()).isEqualTo("Alice");
                    assertThat(e.lastName()).isEqualTo("Walker");
                    assertThat(e.phone()).isEqualTo("+1 555 0101");
                    assertThat(e.mobilePhone()).isEqualTo("+1 555 0100");
                    assertThat(e.office()).isEqualTo("HQ 2.14");
                    assertThat(e.title()).isEqualTo("Product Manager");
                    assertThat(e.company()).isEqualTo("Example Corp");
                    assertThat(e.alias()).isEqualTo("alice");
                    assertThat(e.picture()).isEqualTo(PICTURE);
                    assertThat(e.certificates()).hasSize(1);
                    assertThat(e.certificates().get(0)).isEqualTo(CERTIFICATE);
                })
                .verifyComplete();
    }

    @Test
    default void anUnknownAddressIsEmpty() {
        StepVerifier.create(directory().byAddress("nobody@example.com")).verifyComplete();
    }

    @Test
    default void aBlankPrefixFindsNothing() {
        StepVerifier.create(directory().search("  ", 10)).verifyComplete();
    }

    @Test
    default void nonAsciiAttributesSurviveTheRoundTrip() {
        StepVerifier.create(directory().byAddress("juergen.mueller@example.de"))
                .assertNext(e -> assertThat(e.company().getBytes(StandardCharsets.UTF_8))
                        .isEqualTo("Müller & Söhne GmbH".getBytes(StandardCharsets.UTF_8)))
                .verifyComplete();
    }
}
