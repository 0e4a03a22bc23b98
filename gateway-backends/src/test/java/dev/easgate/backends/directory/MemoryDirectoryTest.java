package dev.easgate.backends.directory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class MemoryDirectoryTest implements DirectoryContract {
    private final MemoryDirectory directory = new MemoryDirectory(FIXTURE);

    @Override
    public Directory directory() {
        return directory;
    }

    @Test
    void theDemoDirectoryHoldsTheDemoAccountsAndTheCompany() {
        MemoryDirectory demo = MemoryDirectory.demo("example.com");
        assertThat(demo.entries()).hasSizeGreaterThanOrEqualTo(33);
        StepVerifier.create(demo.byAddress("bob@example.com").map(DirectoryEntry::displayName))
                .expectNext("Bob Martin").verifyComplete();
        StepVerifier.create(demo.byAddress("alice@example.com"))
                .assertNext(e -> assertThat(e.certificates()).hasSize(1)).verifyComplete();
        StepVerifier.create(demo.search("ol", 50).map(DirectoryEntry::displayName).collectList())
                .assertNext(names -> assertThat(names).contains("Olivia Carter")).verifyComplete();
    }
}
