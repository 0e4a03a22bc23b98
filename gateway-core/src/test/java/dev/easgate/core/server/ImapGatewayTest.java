package dev.easgate.core.server;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.imap.DovecotProcess;
import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.ItemVersion;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.testing.Closing;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.EasTestClient.Response;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on {@code --backend=imap} against a real Dovecot: a phone provisions, lists its folders, syncs the
 * Inbox and parks a Ping; a mail delivered through LMTP makes Dovecot's push-notification Lua script call the
 * gateway's webhook, the Ping answers 2, the next Sync brings the mail. SendMail goes out through Dovecot's
 * submission service to another local user.
 */
class ImapGatewayTest {
    private static final String TOKEN = "push-" + UUID.randomUUID();
    private static DovecotProcess dovecot;
    private static GatewayTestServer server;

    @BeforeAll
    static void start() {
        int port = DovecotProcess.freePort();
        dovecot = DovecotProcess.start(new DovecotProcess.Options("http://127.0.0.1:" + port + "/push/v1/events",
                TOKEN));
        server = GatewayTestServer.start(Map.of("port", Integer.toString(port), "backend", "imap",
                "imap.url", dovecot.imapUrl(), "smtp.url", dovecot.submissionUrl(),
                "imap.domain", DovecotProcess.DOMAIN, "push.token", TOKEN, "heartbeat.min", "1"));
    }

    @AfterAll
    static void stop() {
        Closing.closeAll(server, dovecot);
    }

    private static Map<String, String> folderIdsByType(WbxmlElement folderSync) {
        Map<String, String> ids = new HashMap<>();
        for (WbxmlElement add : folderSync.child("Changes").children("Add")) {
            ids.putIfAbsent(add.childText("Type"), add.childText("ServerId"));
        }
        return ids;
    }

    private static WbxmlElement sync(String collectionId, String key) {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
            c.child("SyncKey", key).child("CollectionId", collectionId);
            if (!key.equals("0")) {
                c.child("GetChanges", "1").child("WindowSize", 50)
                        .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b
                                .child("AirSyncBase:Type", 1).child("AirSyncBase:TruncationSize", 100000)));
            }
        })).build();
    }

    private static WbxmlElement collection(Response sync) {
        return sync.body().child("Collections").child("Collection");
    }

    @Test
    void aDeliveredMailWakesTheParkedPingThroughDovecotPushAndSyncsWithBodyAndFlags() throws Exception {
        EasTestClient phone = server.client("user1", DovecotProcess.PASSWORD, "IMAPPHONE1").protocolVersion("14.1");
        assertThat(phone.provision().status()).isEqualTo(200);
        Response folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                .child("SyncKey", "0").build());
        assertThat(folders.text("Status")).isEqualTo("1");
        Map<String, String> ids = folderIdsByType(folders.body());
        assertThat(ids).containsKeys("2", "3", "4", "5"); // Inbox, Drafts, Deleted Items, Sent Items
        String inbox = ids.get("2");

        String key = collection(phone.post("Sync", sync(inbox, "0"))).childText("SyncKey");
        Response first = phone.post("Sync", sync(inbox, key));
        if (first.body() != null) {
            key = collection(first).childText("SyncKey");
        }

        CompletableFuture<Response> ping = CompletableFuture.supplyAsync(() -> phone.post("Ping",
                el(CodePage.PING, "Ping").child("HeartbeatInterval", 300)
                        .child("Folders", f -> f.child("Folder", x -> x.child("Id", inbox).child("Class", "Email")))
                        .build()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.gateway().services().heartbeat().parked() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.gateway().services().heartbeat().parked()).isEqualTo(1);

        long delivered = System.nanoTime();
        dovecot.deliver("user1", ("From: Carol <carol@example.org>\r\nTo: user1@example.test\r\n"
                + "Subject: pushed through Dovecot\r\nDate: Tue, 3 Jun 2025 09:00:00 +0000\r\n"
                + "Message-ID: <" + UUID.randomUUID() + "@example.org>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nHello from LMTP.\r\n")
                .getBytes(StandardCharsets.UTF_8));
        Response woken = ping.get(5, TimeUnit.SECONDS);
        long wakeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - delivered);

        assertThat(woken.text("Status")).isEqualTo("2");
        assertThat(woken.body().child("Folders").childText("Folder")).isEqualTo(inbox);
        assertThat(wakeMillis).isLessThan(1000);

        Response next = phone.post("Sync", sync(inbox, key));
        WbxmlElement add = collection(next).child("Commands").child("Add");
        WbxmlElement data = add.child("ApplicationData");
        assertThat(data.childText("Email:Subject")).isEqualTo("pushed through Dovecot");
        assertThat(data.childText("Email:Read")).isEqualTo("0");
        assertThat(data.child("AirSyncBase:Body").childText("AirSyncBase:Data")).contains("Hello from LMTP.");
    }

    @Test
    void sendMailGoesOutThroughSubmissionToAnotherLocalUserWithACopyInSent() throws Exception {
        EasTestClient sender = server.client("user2", DovecotProcess.PASSWORD, "IMAPPHONE2").protocolVersion("14.1");
        assertThat(sender.provision().status()).isEqualTo(200);
        MailStore store = server.gateway().services().mailStore();
        // user3 logs in once so that the gateway may look into their mailbox
        assertThat(server.gateway().services().accounts().authenticate("user3", DovecotProcess.PASSWORD).block())
                .isNotNull();
        String subject = "over submission " + UUID.randomUUID();
        String mime = "To: user3@example.test\r\nSubject: " + subject + "\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nSent through SMTP.\r\n";

        Response sent = sender.post("SendMail", el(CodePage.COMPOSE_MAIL, "SendMail")
                .child("ClientId", UUID.randomUUID().toString()).empty("SaveInSentItems")
                .opaque("Mime", mime.getBytes(StandardCharsets.UTF_8)).build());
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.body()).isNull(); // success: an empty response

        String inbox = store.folders("user3").filter(f -> f.type() == FolderType.INBOX).map(Folder::id)
                .blockFirst();
        String found = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (found == null && System.nanoTime() < deadline) {
            List<String> ids = store.changesSince("user3", inbox, 0).block().changed().stream()
                    .map(ItemVersion::id).toList();
            for (var item : store.items("user3", inbox, ids).collectList().block()) {
                String text = new String(((ItemContent.Email) item.content()).mime(), StandardCharsets.UTF_8);
                if (text.contains(subject)) {
                    found = text;
                }
            }
            Thread.sleep(50);
        }
        assertThat(found).contains("Sent through SMTP.").contains("user2@example.test");

        String sentFolder = store.folders("user2").filter(f -> f.type() == FolderType.SENT_ITEMS).map(Folder::id)
                .blockFirst();
        List<String> sentIds = store.changesSince("user2", sentFolder, 0).block().changed().stream()
                .map(ItemVersion::id).toList();
        assertThat(store.items("user2", sentFolder, sentIds).collectList().block())
                .anySatisfy(item -> assertThat(new String(((ItemContent.Email) item.content()).mime(),
                        StandardCharsets.UTF_8)).contains(subject));
    }

    @Test
    void itemOperationsFetchesABigAttachmentAsItsOwnMimePartNotTheWholeMessage() throws Exception {
        String user = dovecot.nextUser();
        EasTestClient phone = server.client(user, DovecotProcess.PASSWORD, "IMAPPHONE3").protocolVersion("14.1");
        assertThat(phone.provision().status()).isEqualTo(200);
        byte[] big = new byte[4 * 1024 * 1024 + 3];
        new java.util.Random(11).nextBytes(big);
        String boundary = "b-" + UUID.randomUUID();
        dovecot.deliver(user, ("From: Carol <carol@example.org>\r\nTo: " + user + "@example.test\r\n"
                + "Subject: the big file\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n"
                + "--" + boundary + "\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
                + "--" + boundary + "\r\nContent-Type: application/zip; name=\"big.zip\"\r\n"
                + "Content-Disposition: attachment; filename=\"big.zip\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(big) + "\r\n--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        MailStore store = server.gateway().services().mailStore();
        String inbox = store.folders(user).filter(f -> f.type() == FolderType.INBOX).map(Folder::id).blockFirst();
        String itemId = store.changesSince(user, inbox, 0).block().changed().get(0).id();

        WbxmlElement item = phone.post("ItemOperations", el(CodePage.ITEM_OPERATIONS, "ItemOperations")
                .child("Fetch", f -> f.child("Store", "Mailbox").child("AirSync:CollectionId", inbox)
                        .child("AirSync:ServerId", itemId)
                        .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b.child("Type", 1))))
                .build()).body().child("Response").child("Fetch");
        String reference = item.child("Properties").child("AirSyncBase:Attachments").child("Attachment")
                .childText("FileReference");
        assertThat(reference).isNotNull();

        dev.easgate.backends.imap.ImapMailStore imap = (dev.easgate.backends.imap.ImapMailStore)
                store.attachmentSource().orElseThrow();
        long wholeMessages = imap.messageFetches();
        long parts = imap.partFetches();
        long slicesBefore = imap.attachmentSlices();
        // fetched in ranges as phones do (one WBXML string of the test client holds at most 1 MiB)
        java.io.ByteArrayOutputStream fetched = new java.io.ByteArrayOutputStream();
        int chunk = 512 * 1024;
        int requests = 0;
        for (int from = 0; from < big.length; from += chunk) {
            String range = from + "-" + (Math.min(big.length, from + chunk) - 1);
            WbxmlElement file = phone.post("ItemOperations", el(CodePage.ITEM_OPERATIONS, "ItemOperations")
                    .child("Fetch", f -> f.child("Store", "Mailbox").child("AirSyncBase:FileReference", reference)
                            .child("Options", o -> o.child("Range", range)))
                    .build()).body().child("Response").child("Fetch");
            requests++;
            assertThat(file.childText("Status")).isEqualTo("1");
            WbxmlElement properties = file.child("Properties");
            assertThat(properties.childText("AirSyncBase:ContentType")).isEqualTo("application/zip");
            assertThat(properties.childText("Total")).isEqualTo(Integer.toString(big.length));
            assertThat(properties.childText("Range")).isEqualTo(range);
            fetched.writeBytes(java.util.Base64.getDecoder().decode(properties.childText("Data")));
        }
        assertThat(fetched.toByteArray()).isEqualTo(big);
        assertThat(imap.messageFetches()).as("no whole-message FETCH for the attachment").isEqualTo(wholeMessages);
        assertThat(imap.partFetches()).isEqualTo(parts + requests);
        // the part is counted once, then each range reads only the slices up to its end: fewer slices than a
        // whole read per request
        long slicesPerRead = (java.util.Base64.getMimeEncoder().encodeToString(big).length()
                + dev.easgate.backends.imap.ImapMailStore.ATTACHMENT_SLICE - 1)
                / dev.easgate.backends.imap.ImapMailStore.ATTACHMENT_SLICE;
        assertThat(imap.attachmentSlices() - slicesBefore).isLessThan(requests * slicesPerRead);

        // a 12.1 phone takes it with GetAttachment: streamed from IMAP slice by slice, sent chunked
        EasTestClient older = server.client(user, DovecotProcess.PASSWORD, "IMAPPHONE3").protocolVersion("12.1")
                .policyKey(phone.policyKey());
        long slices = imap.attachmentSlices();
        EasTestClient.Response download = older.postBytes("GetAttachment", new byte[0], null,
                java.util.Map.of("AttachmentName", reference));
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.header("Content-Type")).isEqualTo("application/zip");
        assertThat(download.header("Content-Length")).as("size unknown until decoded: chunked").isNull();
        assertThat(download.bytes()).isEqualTo(big);
        long encoded = java.util.Base64.getMimeEncoder().encodeToString(big).length();
        assertThat(imap.attachmentSlices() - slices).isGreaterThanOrEqualTo(
                (encoded + dev.easgate.backends.imap.ImapMailStore.ATTACHMENT_SLICE - 1)
                        / dev.easgate.backends.imap.ImapMailStore.ATTACHMENT_SLICE);
        assertThat(imap.messageFetches()).isEqualTo(wholeMessages);
    }

    @Test
    void mailboxSearchIsPushedDownToImapSearchAndFindsExactlyTheMatchingMail() {
        String user = dovecot.nextUser();
        EasTestClient phone = server.client(user, DovecotProcess.PASSWORD, "IMAPPHONE4").protocolVersion("14.1");
        assertThat(phone.provision().status()).isEqualTo(200);
        String[][] mails = {
                {"Quarterly numbers", "The spreadsheet is attached somewhere.", "dave@example.org"},
                {"Garden plans", "Plant the zucchini next to the tomatoes.", "erin@example.org"},
                {"Band practice", "Bring the amplifier on Thursday.", "frank@example.org"}};
        for (String[] mail : mails) {
            dovecot.deliver(user, ("From: " + mail[2] + "\r\nTo: " + user + "@example.test\r\nSubject: " + mail[0]
                    + "\r\nMessage-ID: <" + UUID.randomUUID() + "@example.org>\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + mail[1] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        MailStore store = server.gateway().services().mailStore();
        assertThat(store.mailSearch()).isPresent();
        String inbox = store.folders(user).filter(f -> f.type() == FolderType.INBOX).map(Folder::id).blockFirst();

        // a word of the body only
        WbxmlElement result = searchMailbox(phone, inbox, "ZUCCHINI", null);
        assertThat(result.childText("Status")).isEqualTo("1");
        assertThat(result.childText("Total")).isEqualTo("1");
        List<WbxmlElement> results = result.children("Result");
        assertThat(results).hasSize(1);
        WbxmlElement hit = results.get(0);
        assertThat(hit.childText("AirSync:Class")).isEqualTo("Email");
        assertThat(hit.childText("AirSync:CollectionId")).isEqualTo(inbox);
        WbxmlElement properties = hit.child("Properties");
        assertThat(properties.childText("Email:Subject")).isEqualTo("Garden plans");
        assertThat(properties.childText("Email:From")).contains("erin@example.org");
        assertThat(properties.child("AirSyncBase:Body").childText("AirSyncBase:Data"))
                .contains("Plant the zucchini");

        // a word of a subject, two words that must both occur, a sender
        assertThat(searchMailbox(phone, inbox, "band", null).child("Result").child("Properties")
                .childText("Email:Subject")).isEqualTo("Band practice");
        assertThat(searchMailbox(phone, inbox, "amplifier thursday", null).childText("Total")).isEqualTo("1");
        assertThat(searchMailbox(phone, inbox, "amplifier zucchini", null).childText("Total")).isEqualTo("0");
        assertThat(searchMailbox(phone, inbox, "dave", null).child("Result").child("Properties")
                .childText("Email:Subject")).isEqualTo("Quarterly numbers");
        // the received range: all three arrived in the last hour, none before it
        java.time.Instant now = java.time.Instant.now();
        assertThat(searchMailbox(phone, inbox, null, now.minusSeconds(3600)).childText("Total")).isEqualTo("3");
        assertThat(searchMailbox(phone, inbox, null, now.plusSeconds(3600)).childText("Total")).isEqualTo("0");

        // Find (16.1) runs the same IMAP search
        EasTestClient newer = server.client(user, DovecotProcess.PASSWORD, "IMAPPHONE4").protocolVersion("16.1")
                .policyKey(phone.policyKey());
        WbxmlElement found = newer.post("Find", el(CodePage.FIND, "Find").child("SearchId", "imap-find")
                .child("ExecuteSearch", e -> e.child("MailBoxSearchCriterion", c -> c
                        .child("Query", q -> q.child("AirSync:Class", "Email").child("AirSync:CollectionId", inbox)
                                .child("FreeText", "zucchini"))
                        .child("Options", o -> o.child("Range", "0-9"))))
                .build()).body().child("Response");
        assertThat(found.childText("Status")).isEqualTo("1");
        assertThat(found.childText("Total")).isEqualTo("1");
        assertThat(found.child("Result").child("Properties").childText("Email:Subject")).isEqualTo("Garden plans");
    }

    private static WbxmlElement searchMailbox(EasTestClient phone, String folder, String freeText,
                                              java.time.Instant after) {
        Response response = phone.post("Search", el(CodePage.SEARCH, "Search").child("Store", s -> s
                .child("Name", "Mailbox")
                .child("Query", q -> q.child("And", a -> {
                    a.child("AirSync:Class", "Email").child("AirSync:CollectionId", folder);
                    if (freeText != null) {
                        a.child("FreeText", freeText);
                    }
                    if (after != null) {
                        a.child("GreaterThan", g -> g.empty("Email:DateReceived").child("Value", after.toString()));
                    }
                }))
                .child("Options", o -> o.child("Range", "0-9")
                        .child("AirSyncBase:BodyPreference", b -> b.child("Type", 1).child("TruncationSize", 1000))))
                .build());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).isEqualTo("1");
        return response.body().child("Response").child("Store");
    }
}
