package dev.easgate.backends.directory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The global address list: the people of the organisation, searched by the Search command's GAL store, Find's
 * GalSearchCriterion and ResolveRecipients. Asynchronous like every SPI: an implementation over a blocking
 * protocol (LDAP through JNDI) runs its calls on a bounded scheduler, never on the caller's thread.
 *
 * <p>The shared contract (DirectoryContract in this module's test-jar) pins the rules down: prefix matching is
 * case-insensitive over the display name and its words, first and last name, alias and address; results are
 * ordered by display name; {@code limit} caps them.
 */
public interface Directory {

    /** The entries whose names or address start with {@code prefix}, ordered by display name, at most {@code limit}. */
    Flux<DirectoryEntry> search(String prefix, int limit);

    /** The entry whose address is {@code address} (case-insensitive), or empty. */
    Mono<DirectoryEntry> byAddress(String address);

    /** A directory with nobody in it. */
    static Directory empty() {
        return new Directory() {
            @Override
            public Flux<DirectoryEntry> search(String prefix, int limit) {
                return Flux.empty();
            }

            @Override
            public Mono<DirectoryEntry> byAddress(String address) {
                return Mono.empty();
            }
        };
    }
}
