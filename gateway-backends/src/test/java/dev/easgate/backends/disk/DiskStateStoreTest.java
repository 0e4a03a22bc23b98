package dev.easgate.backends.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateStoreContract;
import dev.easgate.backends.state.StateStoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

class DiskStateStoreTest implements StateStoreContract {
    @TempDir
    Path dir;
    private DiskStateStore store;

    @BeforeEach
    void open() {
        store = DiskStateStore.open(dir.resolve("data"), DiskStateStore.Durability.FULL);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    public StateStore stateStore() {
        return store;
    }

    @Test
    void everythingStoredIsThereAfterReopening() {
        DeviceKey key = new DeviceKey("alice", "PHONE1");
        DeviceRecord device = DeviceRecord.first(key, "SmartPhone", "UA/1", "16.1", Instant.parse("2026-01-02T03:04:05Z"))
                .withPolicyKeys(7, 8).withWipe(DeviceRecord.WipeState.ACCOUNT_WIPE_REQUESTED)
                .withLastSync(Instant.parse("2026-01-03T00:00:00Z"));
        HierarchyState hierarchy = new HierarchyState("4", List.of(new Folder("f1", Folder.ROOT, "Inbox",
                FolderType.INBOX)), "3", utf8("<FolderSync/>"));
        CollectionState collection = new CollectionState("9", 77, Map.of("f1:1", 5L, "f1:2", 6L), "8",
                utf8("<Collection>answer</Collection>"), utf8("<Options/>"));
        store.putDevice(device).block();
        store.replaceHierarchy(key, null, hierarchy).block();
        store.replaceCollection(key, "f1", null, collection).block();
        store.putValue(key, "lastSync", utf8("last sync request")).block();

        store.close();
        store = DiskStateStore.open(dir.resolve("data"), DiskStateStore.Durability.FULL);

        assertThat(store.device(key).block()).isEqualTo(device);
        assertThat(store.devices("alice").collectList().block()).containsExactly(device);
        HierarchyState readHierarchy = store.hierarchy(key).block();
        assertThat(readHierarchy.syncKey()).isEqualTo("4");
        assertThat(readHierarchy.folders()).isEqualTo(hierarchy.folders());
        assertThat(readHierarchy.previousResponse()).isEqualTo(hierarchy.previousResponse());
        CollectionState read = store.collection(key, "f1").block();
        assertThat(read.syncKey()).isEqualTo("9");
        assertThat(read.watermark()).isEqualTo(77);
        assertThat(read.known()).isEqualTo(collection.known());
        assertThat(read.previousKey()).isEqualTo("8");
        assertThat(read.previousResponse()).isEqualTo(collection.previousResponse());
        assertThat(read.options()).isEqualTo(collection.options());
        assertThat(store.value(key, "lastSync").block()).isEqualTo(utf8("last sync request"));
        // and the compare-and-set goes on from the stored key
        assertThat(store.replaceCollection(key, "f1", "8", collection).block()).isFalse();
        assertThat(store.replaceCollection(key, "f1", "9", collection).block()).isTrue();
    }

    @Test
    void callsRunOnTheStoresOwnThreadsAndAnswerOffThem() {
        AtomicReference<String> answered = new AtomicReference<>();
        Mono.fromRunnable(() -> { }).subscribeOn(Schedulers.single())
                .then(store.putValue(new DeviceKey("u", "d"), "n", utf8("v")))
                .then(Mono.fromRunnable(() -> answered.set(Thread.currentThread().getName())))
                .block();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .anyMatch(name -> name.startsWith("easgate-state-disk"));
        assertThat(answered.get()).startsWith("parallel");
    }

    @Test
    void aMissingDirectoryIsCreatedWithItsParents() {
        Path nested = dir.resolve("a/b/c");
        try (DiskStateStore created = DiskStateStore.open(nested, DiskStateStore.Durability.NORMAL)) {
            assertThat(created.file()).isEqualTo(nested.resolve(DiskStateStore.FILE).toAbsolutePath());
            assertThat(Files.isRegularFile(created.file())).isTrue();
        }
    }

    @Test
    void aCorruptFileIsRefusedAtStartNamingIt() throws Exception {
        Path data = dir.resolve("corrupt");
        Files.createDirectories(data);
        byte[] garbage = new byte[8192];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 31 + 7);
        }
        Files.write(data.resolve(DiskStateStore.FILE), garbage);

        assertThatThrownBy(() -> DiskStateStore.open(data, DiskStateStore.Durability.FULL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(data.resolve(DiskStateStore.FILE).toString())
                .hasMessageContaining("corrupt");
    }

    @Test
    void aDirectoryThatIsAFileOrCannotBeMadeIsRefusedAtStart() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "not a directory");

        assertThatThrownBy(() -> DiskStateStore.open(file, DiskStateStore.Durability.FULL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("is not a directory");
        // below a regular file no directory can be made, whoever runs the test (root ignores permissions)
        assertThatThrownBy(() -> DiskStateStore.open(file.resolve("data"), DiskStateStore.Durability.FULL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be created");
    }

    @Test
    void aStateFileThatIsADirectoryIsRefusedAtStart() throws Exception {
        Path data = dir.resolve("odd");
        Files.createDirectories(data.resolve(DiskStateStore.FILE));

        assertThatThrownBy(() -> DiskStateStore.open(data, DiskStateStore.Durability.FULL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not a writable file");
    }

    @Test
    void whatFollowsAWriteGoesOnInItsCallersContextNotInTheFlushs() throws Exception {
        // a caller's context as Reactor's schedule hooks carry it (the gateway's request log tags do so)
        ThreadLocal<String> caller = new ThreadLocal<>();
        Schedulers.onScheduleHook("test-caller", task -> {
            String mine = caller.get();
            return mine == null ? task : () -> {
                caller.set(mine);
                try {
                    task.run();
                } finally {
                    caller.remove();
                }
            };
        });
        try {
            int writers = 40;
            List<Mono<String>> seen = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String name = "caller-" + i;
                DeviceKey key = new DeviceKey("alice", "PHONE" + i);
                // written together from many threads: one flush commits several callers' writes
                seen.add(Mono.<String>create(sink -> {
                    caller.set(name);
                    try {
                        store.putValue(key, "ping", utf8(name)).then(Mono.fromCallable(caller::get))
                                .subscribe(sink::success, sink::error);
                    } finally {
                        caller.remove();
                    }
                }).subscribeOn(Schedulers.boundedElastic()));
            }
            List<String> after = Flux.merge(seen).collectList().block(Duration.ofSeconds(20));
            assertThat(after).hasSize(writers).doesNotContainNull();
            assertThat(after).containsExactlyInAnyOrderElementsOf(IntStream.range(0, writers)
                    .mapToObj(i -> "caller-" + i).toList());
        } finally {
            Schedulers.resetOnScheduleHook("test-caller");
        }
    }

    @Test
    void aWriteOfWhatIsStoredAlreadyAppendsNothingToTheLog() throws Exception {
        DeviceKey key = new DeviceKey("alice", "PHONE1");
        DeviceRecord device = DeviceRecord.first(key, "SmartPhone", "UA/1", "16.1",
                Instant.parse("2026-01-02T03:04:05Z"));
        Path wal = dir.resolve("data").resolve(DiskStateStore.FILE + "-wal");
        store.putValue(key, "ping", utf8("<Ping>1</Ping>")).block();
        store.putDevice(device).block();
        store.putUserValue("alice", "policy", utf8("strict")).block();
        long logged = Files.size(wal);

        // the same bytes again, e.g. a Ping repeating the device's last one: no page changes, nothing to sync
        store.putValue(key, "ping", utf8("<Ping>1</Ping>")).block();
        store.putDevice(device).block();
        store.putUserValue("alice", "policy", utf8("strict")).block();
        assertThat(Files.size(wal)).isEqualTo(logged);

        store.putValue(key, "ping", utf8("<Ping>2</Ping>")).block();
        assertThat(Files.size(wal)).isGreaterThan(logged);
        logged = Files.size(wal);
        store.putDevice(device.withLastSync(Instant.parse("2026-01-03T00:00:00Z"))).block();
        assertThat(Files.size(wal)).isGreaterThan(logged);
        logged = Files.size(wal);
        store.putUserValue("alice", "policy", utf8("lax")).block();
        assertThat(Files.size(wal)).isGreaterThan(logged);
        assertThat(store.value(key, "ping").block()).isEqualTo(utf8("<Ping>2</Ping>"));
        assertThat(store.device(key).block().lastSync()).isEqualTo(Instant.parse("2026-01-03T00:00:00Z"));
        assertThat(store.userValue("alice", "policy").block()).isEqualTo(utf8("lax"));
    }

    @Test
    void aClosedStoreFailsCallsAsUnavailable() {
        DiskStateStore closed = DiskStateStore.open(dir.resolve("closed"), DiskStateStore.Durability.FULL);
        closed.close();

        assertThatThrownBy(() -> closed.device(new DeviceKey("u", "d")).block())
                .isInstanceOf(StateStoreUnavailableException.class);
    }

    @Test
    void durabilityIsParsedFromItsName() {
        assertThat(DiskStateStore.Durability.of("Full")).isEqualTo(DiskStateStore.Durability.FULL);
        assertThat(DiskStateStore.Durability.of("normal")).isEqualTo(DiskStateStore.Durability.NORMAL);
        assertThatThrownBy(() -> DiskStateStore.Durability.of("off")).hasMessageContaining("full or normal");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
