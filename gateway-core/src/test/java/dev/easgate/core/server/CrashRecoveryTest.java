package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.disk.DiskStateStore;
import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single node is killed with SIGKILL and started again on the same data directory, against a real Dovecot
 * ({@code --backend=imap}): a request whose state was written but whose answer never left is answered the same way
 * when the phone retries it; the phone goes on with its policy key, folder key and sync keys (no 142, no Sync status
 * 3, no FolderSync status 9); on the IMAP server no message is lost or doubled. The node runs in a child JVM
 * ({@link GatewayChild}, {@link CrashPointGatewayMain}) so that the kill is a real one: no shutdown hook, no close.
 */
@Timeout(300)
class CrashRecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static DovecotProcess dovecot;

    @TempDir
    Path data;

    @BeforeAll
    static void startDovecot() {
        dovecot = DovecotProcess.start();
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Test
    void aNodeKilledBetweenAStateWriteAndItsAnswerAnswersTheRetryTheSameWayAndTheServerHasEveryMessageOnce()
            throws Exception {
        String user = dovecot.nextUser();
        for (int i = 0; i < 5; i++) {
            deliver(user, "before the crash " + i);
        }
        Phone phone;
        String policyKey;
        String folderKey;
        Map<String, String> folders;
        String key1;
        String key2;
        // 1. killed right after the Sync that brings the five messages stored its new key and answer
        try (GatewayChild node = GatewayChild.start(options())) {
            EasTestClient client = client(node.uri(), user, null);
            Response folderSync = provisionedHierarchy(client);
            policyKey = client.policyKey();
            folderKey = folderSync.text("SyncKey");
            folders = folderIdsByType(folderSync.body());
            phone = new Phone(folders.get("2"));
            key1 = phone.initial(client);

            node.arm();
            CompletableFuture<Response> lost = CompletableFuture.supplyAsync(
                    () -> client.post("Sync", phone.request(null)));
            String[] held = node.await("HELD", WAIT).split(" ");
            assertThat(held[1]).isEqualTo(phone.collectionId());
            key2 = held[2];
            node.kill();
            assertThat(lost).failsWithin(WAIT); // the phone never got that answer
        }
        CollectionState stored;
        try (DiskStateStore state = DiskStateStore.open(data, DiskStateStore.Durability.FULL)) {
            stored = state.collection(new DeviceKey(user, "CRASHPHONE"), phone.collectionId()).block(WAIT);
        }
        assertThat(stored.syncKey()).isEqualTo(key2);
        assertThat(stored.previousKey()).isEqualTo(key1);

        // 2. restarted: the retry is answered from the stored copy, then the phone deletes one message and flags
        // another as read, and the node is killed again right after that Sync stored its answer
        String deleted;
        String read;
        String key3;
        List<WbxmlElement> commands = new ArrayList<>();
        try (GatewayChild node = GatewayChild.start(options())) {
            EasTestClient client = client(node.uri(), user, policyKey);
            Response hierarchy = client.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                    .child("SyncKey", folderKey).build());
            assertThat(hierarchy.text("Status")).isEqualTo("1");
            assertThat(hierarchy.body().child("Changes").childText("Count")).isEqualTo("0");

            Response retried = client.post("Sync", phone.request(null));
            WbxmlElement collection = collection(retried);
            assertThat(collection).isEqualTo(WbxmlDecoder.DEFAULT.decode(stored.previousResponse()));
            phone.apply(collection);
            assertThat(phone.key()).isEqualTo(key2);
            assertThat(phone.items()).hasSize(5);

            List<String> ids = new ArrayList<>(phone.items());
            deleted = ids.get(0);
            read = ids.get(1);
            Consumer<WbxmlElement.Builder> changes = c -> c
                    .child("Delete", d -> d.child("ServerId", deleted))
                    .child("Change", ch -> ch.child("ServerId", read)
                            .child("ApplicationData", a -> a.child("Email:Read", "1")));
            node.arm();
            CompletableFuture<Response> lost = CompletableFuture.supplyAsync(
                    () -> client.post("Sync", phone.request(changes)));
            key3 = node.await("HELD", WAIT).split(" ")[2];
            node.kill();
            assertThat(lost).failsWithin(WAIT);

            // 3. restarted again: the retried Sync with the same commands is not applied twice
            try (GatewayChild again = GatewayChild.start(options())) {
                EasTestClient phoneClient = client(again.uri(), user, policyKey);
                WbxmlElement replayed = collection(phoneClient.post("Sync", phone.request(changes)));
                assertThat(replayed.childText("Status")).isEqualTo("1");
                assertThat(replayed.childText("SyncKey")).isEqualTo(key3);
                phone.apply(replayed);
                phone.items().remove(deleted);
                phone.syncToEnd(phoneClient);
                assertThat(phone.adds()).isEqualTo(5); // nothing came twice

                // what is on the IMAP server, through a device that never saw a crash
                EasTestClient checker = client(again.uri(), user, null, "CHECKER");
                provisionedHierarchy(checker);
                Phone inbox = new Phone(folders.get("2"));
                inbox.initial(checker);
                inbox.syncToEnd(checker);
                assertThat(inbox.items()).isEqualTo(phone.items()).hasSize(4).doesNotContain(deleted);
                assertThat(inbox.readFlags().get(read)).isEqualTo("1");
                Phone trash = new Phone(folders.get("4"));
                trash.initial(checker);
                trash.syncToEnd(checker);
                assertThat(trash.items()).hasSize(1);
            }
        }
    }

    /**
     * Killed after the store added a draft the phone sent (MS-ASCMD 2.2.3.7.2 Add with a ClientId) and before the
     * answer was stored: the state holds only the claim. The restarted node takes the claim over; the retry is
     * answered with the ServerId of the message the killed run appended, which the server holds once.
     */
    @Test
    void aNodeKilledAfterTheStoreAddedADraftAndBeforeTheAnswerWasStoredAnswersTheRetryWithTheSameServerIdOnce()
            throws Exception {
        String user = dovecot.nextUser();
        Consumer<WbxmlElement.Builder> add = c -> c.child("Add", a -> a.child("Class", "Email")
                .child("ClientId", "draft-1").child("ApplicationData", d -> d
                        .child("Email:To", "\"Bob\" <bob@example.com>")
                        .child("Email:Subject", "Written before the crash")
                        .child("AirSyncBase:Body", b -> b.child("Type", 1).child("Data", "Kept once."))));
        Phone drafts;
        String policyKey;
        String key1;
        try (GatewayChild node = GatewayChild.start(options())) {
            EasTestClient client = client(node.uri(), user, null);
            Response folderSync = provisionedHierarchy(client);
            policyKey = client.policyKey();
            drafts = new Phone(folderIdsByType(folderSync.body()).get("3"));
            key1 = drafts.initial(client);

            node.arm("ARM BEFORE");
            CompletableFuture<Response> lost = CompletableFuture.supplyAsync(
                    () -> client.post("Sync", drafts.request(add)));
            node.await("HELD", WAIT);
            node.kill();
            assertThat(lost).failsWithin(WAIT);
        }
        CollectionState claimed;
        try (DiskStateStore state = DiskStateStore.open(data, DiskStateStore.Durability.FULL)) {
            claimed = state.collection(new DeviceKey(user, "CRASHPHONE"), drafts.collectionId()).block(WAIT);
        }
        assertThat(claimed.previousKey()).isEqualTo(key1);
        assertThat(claimed.previousResponse()).as("no answer was stored").isEmpty();
        assertThat(claimed.claim()).as("the killed run's claim").isNotNull();

        try (GatewayChild node = GatewayChild.start(options())) {
            // the killed run did append the draft
            EasTestClient checker = client(node.uri(), user, null, "CHECKER");
            provisionedHierarchy(checker);
            Phone seen = new Phone(drafts.collectionId());
            seen.initial(checker);
            seen.syncToEnd(checker);
            assertThat(seen.items()).hasSize(1);
            String appended = seen.items().iterator().next();

            EasTestClient client = client(node.uri(), user, policyKey);
            WbxmlElement answer = collection(client.post("Sync", drafts.request(add)));
            assertThat(answer.childText("Status")).isEqualTo("1");
            assertThat(answer.childText("SyncKey")).isEqualTo(Long.toString(Long.parseLong(key1) + 1));
            WbxmlElement response = answer.child("Responses").child("Add");
            assertThat(response.childText("ClientId")).isEqualTo("draft-1");
            assertThat(response.childText("Status")).isEqualTo("1");
            assertThat(response.childText("ServerId")).isEqualTo(appended);
            drafts.apply(answer);
            drafts.items().add(appended);
            drafts.syncToEnd(client);
            assertThat(drafts.adds()).as("the phone's own draft is not sent back to it").isZero();
            assertThat(drafts.items()).containsExactly(appended);

            seen.syncToEnd(checker);
            assertThat(seen.items()).as("the server holds the draft once").containsExactly(appended);
            assertThat(seen.adds()).isEqualTo(1);
        }
    }

    /**
     * Killed after the final policy key was stored and before the Provision acknowledgement was answered: the
     * phone's retry of the acknowledgement gets that key (MS-ASPROV 3.2.5.1.2.1), and the phone goes on with it.
     */
    @Test
    void aNodeKilledBeforeAnsweringAProvisionAcknowledgementGivesTheRetryTheSameFinalKey() throws Exception {
        String user = dovecot.nextUser();
        String temporary;
        String issued;
        try (GatewayChild node = GatewayChild.start(options())) {
            EasTestClient client = client(node.uri(), user, null);
            Response download = client.post("Provision", provision(null));
            temporary = download.body().child("Policies").child("Policy").childText("PolicyKey");
            client.policyKey(temporary);
            node.arm("ARM PROVISIONED");
            CompletableFuture<Response> lost = CompletableFuture.supplyAsync(
                    () -> client.post("Provision", provision(temporary)));
            issued = node.await("HELD", WAIT).split(" ")[1];
            node.kill();
            assertThat(lost).failsWithin(WAIT);
        }
        try (GatewayChild node = GatewayChild.start(options())) {
            EasTestClient client = client(node.uri(), user, temporary);
            Response retried = client.post("Provision", provision(temporary));
            assertThat(retried.text("Status")).isEqualTo("1");
            WbxmlElement policy = retried.body().child("Policies").child("Policy");
            assertThat(policy.childText("Status")).isEqualTo("1");
            assertThat(policy.childText("PolicyKey")).isEqualTo(issued);

            client.policyKey(issued);
            Response folderSync = client.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                    .child("SyncKey", "0").build());
            assertThat(folderSync.text("Status")).as("no 142: the key is the device's").isEqualTo("1");
        }
    }

    @Test
    void killedAtRandomMomentsOfABurstOfSyncsTheDeviceGoesOnAndGetsEveryMessageOnce() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String user = dovecot.nextUser();
        AtomicInteger delivered = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            deliver(user, "seed " + delivered.incrementAndGet());
        }
        String policyKey;
        String folderKey;
        Phone phone;
        GatewayChild node = GatewayChild.start(options());
        try {
            EasTestClient client = client(node.uri(), user, null);
            Response folderSync = provisionedHierarchy(client);
            policyKey = client.policyKey();
            folderKey = folderSync.text("SyncKey");
            phone = new Phone(folderIdsByType(folderSync.body()).get("2"));
            phone.initial(client);
            for (int round = 0; round < 3; round++) {
                EasTestClient burstClient = client(node.uri(), user, policyKey);
                CompletableFuture<Integer> burst = CompletableFuture.supplyAsync(() -> {
                    int syncs = 0;
                    for (int i = 0; i < 40; i++) {
                        if (i % 2 == 0) {
                            deliver(user, "burst " + delivered.incrementAndGet());
                        }
                        Response answer;
                        try {
                            answer = burstClient.post("Sync", phone.request(null, 3));
                        } catch (RuntimeException killed) {
                            return syncs; // the node died under this request: the phone retries it later
                        }
                        phone.apply(answer);
                        syncs++;
                    }
                    return syncs;
                });
                long delay = 300 + random.nextInt(1500);
                Thread.sleep(delay);
                node.kill();
                int syncs = burst.get();
                System.out.printf("crash round %d (seed %d): killed after %d ms, %d Syncs answered%n", round, seed,
                        delay, syncs);

                node = GatewayChild.start(options());
                EasTestClient restarted = client(node.uri(), user, policyKey);
                Response hierarchy = restarted.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                        .child("SyncKey", folderKey).build());
                assertThat(hierarchy.text("Status")).as("FolderSync after crash %d, seed %d", round, seed)
                        .isEqualTo("1");
                // the request that was in flight (if any) again, with the key the phone still holds
                phone.apply(restarted.post("Sync", phone.request(null, 3)));
            }
            EasTestClient last = client(node.uri(), user, policyKey);
            phone.syncToEnd(last);
            assertThat(phone.items()).as("seed %d", seed).hasSize(delivered.get());
            assertThat(phone.adds()).as("every message added once, seed %d", seed).isEqualTo(delivered.get());

            EasTestClient checker = client(node.uri(), user, null, "CHECKER");
            provisionedHierarchy(checker);
            Phone server = new Phone(phone.collectionId());
            server.initial(checker);
            server.syncToEnd(checker);
            assertThat(server.items()).as("seed %d", seed).isEqualTo(phone.items()).hasSize(delivered.get());
        } finally {
            node.close();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private List<String> options() {
        return List.of("--port=0", "--backend=imap", "--imap.url=" + dovecot.imapUrl(),
                "--smtp.url=" + dovecot.submissionUrl(), "--imap.domain=" + DovecotProcess.DOMAIN,
                "--data.dir=" + data, "--heartbeat.min=1", "--shutdown.grace=0");
    }

    private static EasTestClient client(URI uri, String user, String policyKey) {
        return client(uri, user, policyKey, "CRASHPHONE");
    }

    private static EasTestClient client(URI uri, String user, String policyKey, String deviceId) {
        EasTestClient client = new EasTestClient(uri, user, DovecotProcess.PASSWORD, deviceId)
                .protocolVersion("16.1");
        return policyKey == null ? client : client.policyKey(policyKey);
    }

    private static void deliver(String user, String subject) {
        dovecot.deliver(user, ("From: Sender <sender@example.test>\r\nTo: " + user + "@" + DovecotProcess.DOMAIN
                + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + UUID.randomUUID() + "@example.test>\r\n"
                + "Date: Mon, 7 Dec 2026 04:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=US-ASCII\r\n\r\n" + subject + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    private static WbxmlElement provision(String acknowledgedKey) {
        return el(CodePage.PROVISION, "Provision").child("Policies", p -> p.child("Policy", x -> {
            x.child("PolicyType", "MS-EAS-Provisioning-WBXML");
            if (acknowledgedKey != null) {
                x.child("PolicyKey", acknowledgedKey).child("Status", "1");
            }
        })).build();
    }

    /** Provisions the device and answers its first FolderSync (key 0): where every phone of these tests starts. */
    private static Response provisionedHierarchy(EasTestClient client) {
        assertThat(client.provision().text("Status")).isEqualTo("1");
        return client.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build());
    }

    private static Map<String, String> folderIdsByType(WbxmlElement folderSync) {
        Map<String, String> ids = new HashMap<>();
        for (WbxmlElement add : folderSync.child("Changes").children("Add")) {
            ids.putIfAbsent(add.childText("Type"), add.childText("ServerId"));
        }
        return ids;
    }

    private static WbxmlElement collection(Response sync) {
        assertThat(sync.status()).isEqualTo(200);
        assertThat(sync.body()).as("a Sync answer with a body").isNotNull();
        return sync.body().child("Collections").child("Collection");
    }

    /** What a phone holds of one collection: its key, its items and their read flags; thread-safe. */
    private static final class Phone {
        private final String collectionId;
        private final Set<String> items = ConcurrentHashMap.newKeySet();
        private final Map<String, String> read = new ConcurrentHashMap<>();
        private final AtomicInteger adds = new AtomicInteger();
        private volatile String key = "0";

        Phone(String collectionId) {
            this.collectionId = collectionId;
        }

        String collectionId() {
            return collectionId;
        }

        String key() {
            return key;
        }

        Set<String> items() {
            return items;
        }

        Map<String, String> readFlags() {
            return read;
        }

        int adds() {
            return adds.get();
        }

        String initial(EasTestClient client) {
            WbxmlElement first = collection(client.post("Sync", request(null)));
            assertThat(first.childText("Status")).isEqualTo("1");
            key = first.childText("SyncKey");
            return key;
        }

        WbxmlElement request(Consumer<WbxmlElement.Builder> commands) {
            return request(commands, 100);
        }

        WbxmlElement request(Consumer<WbxmlElement.Builder> commands, int window) {
            String current = key;
            return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
                c.child("SyncKey", current).child("CollectionId", collectionId);
                if (!current.equals("0")) {
                    c.child("GetChanges", "1").child("WindowSize", window);
                    if (commands != null) {
                        c.child("Commands", commands);
                    }
                }
            })).build();
        }

        /** Applies an answer: never status 3, never an Add of an item the phone holds. */
        void apply(WbxmlElement collection) {
            assertThat(collection.childText("Status")).as("Sync status").isEqualTo("1");
            key = collection.childText("SyncKey");
            WbxmlElement commands = collection.child("Commands");
            if (commands == null) {
                return;
            }
            for (WbxmlElement add : commands.children("Add")) {
                String id = add.childText("ServerId");
                assertThat(items.add(id)).as("added twice: " + id).isTrue();
                adds.incrementAndGet();
                read.put(id, add.child("ApplicationData").childText("Email:Read"));
            }
            for (WbxmlElement change : commands.children("Change")) {
                String id = change.childText("ServerId");
                assertThat(items).contains(id);
                WbxmlElement data = change.child("ApplicationData");
                if (data != null && data.childText("Email:Read") != null) {
                    read.put(id, data.childText("Email:Read"));
                }
            }
            for (WbxmlElement delete : commands.children("Delete")) {
                assertThat(items.remove(delete.childText("ServerId"))).isTrue();
            }
        }

        /** Applies a whole Sync response: an empty one (HTTP 200 without a body) means nothing changed. */
        void apply(Response response) {
            assertThat(response.status()).isEqualTo(200);
            if (response.body() != null) {
                apply(collection(response));
            }
        }

        /** Syncs until the server has nothing more. */
        void syncToEnd(EasTestClient client) {
            for (int round = 0; round < 50; round++) {
                Response response = client.post("Sync", request(null));
                assertThat(response.status()).isEqualTo(200);
                if (response.body() == null) {
                    return;
                }
                WbxmlElement collection = collection(response);
                apply(collection);
                if (collection.child("MoreAvailable") == null && collection.child("Commands") == null) {
                    return;
                }
            }
            throw new AssertionError("the collection never ran out of changes");
        }
    }
}
