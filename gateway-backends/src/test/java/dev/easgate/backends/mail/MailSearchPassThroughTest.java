package dev.easgate.backends.mail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.bus.ChangePublishingMailStore;
import dev.easgate.backends.bus.InProcessChangeBus;
import dev.easgate.backends.dav.CompositeMailStore;
import dev.easgate.backends.dav.DavClient;
import dev.easgate.backends.dav.DavStore;
import dev.easgate.backends.memory.MemoryMailStore;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** {@link MailStore#mailSearch()}: the memory store has none; wrapping stores pass on the wrapped store's. */
class MailSearchPassThroughTest {

    /** A store that only answers {@code search} (with one version per call) and {@code mailSearch}. */
    private static MailStore searching() {
        Object[] self = new Object[1];
        self[0] = Proxy.newProxyInstance(MailStore.class.getClassLoader(),
                new Class<?>[] {MailStore.class, MailSearch.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "mailSearch" -> Optional.of((MailSearch) proxy);
                    case "search" -> Flux.just(new ItemVersion(args[1] + ":hit", 1, Instant.EPOCH));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (MailStore) self[0];
    }

    @Test
    void theMemoryStoreHasNoSearchAndWrappersKeepItSo() {
        MemoryMailStore memory = new MemoryMailStore(Clock.systemUTC());
        assertThat(memory.mailSearch()).isEmpty();
        assertThat(new ChangePublishingMailStore(memory, new InProcessChangeBus()).mailSearch()).isEmpty();
    }

    @Test
    void wrappersPassTheSearchOnAndTheCompositeRoutesOnlyMailFolders() {
        MailSearch.MailQuery query = new MailSearch.MailQuery("a b", null, null);
        assertThat(query.words()).containsExactly("a", "b");
        MailStore published = new ChangePublishingMailStore(searching(), new InProcessChangeBus());
        assertThat(published.mailSearch()).isPresent();
        assertThat(published.mailSearch().get().search("u", "f1", query).map(ItemVersion::id).collectList()
                .block()).isEqualTo(List.of("f1:hit"));

        DavStore dav = new DavStore(new DavClient(Duration.ofSeconds(1)), user -> java.util.Optional.empty(),
                URI.create("http://127.0.0.1:9/"), Clock.systemUTC(), 10, Duration.ofMinutes(1));
        MailStore composite = new CompositeMailStore(searching(), dav);
        MailSearch search = composite.mailSearch().orElseThrow();
        assertThat(search.search("u", "f1", query).map(ItemVersion::id).collectList().block())
                .isEqualTo(List.of("f1:hit"));
        assertThat(Flux.from(search.search("u", "d0123456789", query)).materialize().blockFirst().getThrowable())
                .isInstanceOfSatisfying(MailStoreException.class,
                        e -> assertThat(e.kind()).isEqualTo(MailStoreException.Kind.NOT_FOUND));
        assertThat(new CompositeMailStore(new MemoryMailStore(Clock.systemUTC()), dav).mailSearch()).isEmpty();
    }
}
