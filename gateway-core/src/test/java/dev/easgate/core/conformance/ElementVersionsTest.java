package dev.easgate.core.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway emits no element at a protocol version its specification does not define it for. The table
 * (src/test/resources/conformance/element-versions.tsv) holds the "Protocol Versions" tables of the elements checked
 * against Microsoft's open specifications; for each version from 2.5 to 16.1 a client provisions, runs FolderSync,
 * Ping, Settings, Sync of the demo mail, calendar, contacts, tasks and notes folders, GetItemEstimate and
 * ItemOperations Fetch over HTTP, and every element of every response is looked up in the table.
 */
class ElementVersionsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String USER = "demo";
    /** The elements whose children are an item's top-level elements. */
    private static final Set<String> ITEM_LEVEL =
            Set.of("AirSync:ApplicationData", "ItemOperations:Properties", "Search:Properties");
    /** The item schema specifications and the class of their items. */
    private static final Map<String, String> SPEC_CLASS = Map.of("MS-ASEMAIL", "Email", "MS-ASCAL", "Calendar",
            "MS-ASCNTC", "Contacts", "MS-ASTASK", "Tasks", "MS-ASNOTE", "Notes");

    private static GatewayTestServer server;

    /**
     * One row of the table.
     *
     * @param element   qualified name, e.g. {@code Email2:ConversationId}
     * @param itemClass the item class the row is limited to, or {@code null}
     * @param command   the command whose responses the row is limited to, or {@code null}
     * @param parent    the qualified name of the parent the row is limited to, or {@code null}
     * @param itemLevel the row is limited to an item's top-level elements
     * @param first     first supporting version
     * @param last      last supporting version, {@code null} when still supported
     */
    record Row(String element, String itemClass, String command, String parent, boolean itemLevel,
               ProtocolVersion first, ProtocolVersion last, String section, String source) {
        boolean covers(ProtocolVersion version) {
            return version.atLeast(first) && (last == null || last.atLeast(version));
        }

        String range() {
            return first.header() + (last == null ? "+" : last == first ? " only" : " to " + last.header());
        }
    }

    static List<Row> table() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = ElementVersionsTest.class.getResourceAsStream("/conformance/element-versions.tsv")) {
            assertThat(in).as("conformance/element-versions.tsv on the test classpath").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cells = line.split("\t", -1);
                assertThat(cells).as(line).hasSize(6);
                String itemClass = null;
                String command = null;
                String parent = null;
                boolean itemLevel = false;
                String[] context = cells[1].strip().split(" +");
                for (int i = 1; i < context.length; i++) {
                    if (context[i].equals("under")) {
                        parent = context[++i];
                    } else if (context[i].equals("item")) {
                        itemLevel = true;
                    } else {
                        command = context[i];
                    }
                }
                itemClass = SPEC_CLASS.get(context[0]);
                ProtocolVersion first = ProtocolVersion.ofHeader(cells[2].strip());
                ProtocolVersion last = cells[3].isBlank() ? null : ProtocolVersion.ofHeader(cells[3].strip());
                assertThat(first).as("first version of " + line).isNotNull();
                assertThat(last == null && !cells[3].isBlank()).as("last version of " + line).isFalse();
                rows.add(new Row(cells[0].strip(), itemClass, command, parent, itemLevel, first, last,
                        cells[4].strip(), cells[5].strip()));
            }
        }
        return rows;
    }

    @BeforeAll
    static void start() {
        server = GatewayTestServer.start(Map.of());
        seedRecurringEventWithExceptions();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyRowNamesARealElementAVersionRangeASectionAndItsSource() throws IOException {
        List<Row> rows = table();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(100);
        for (Row row : rows) {
            assertThat(CodePage.resolve(row.element(), null)).as(row.element()).isNotNull();
            if (row.parent() != null) {
                assertThat(CodePage.resolve(row.parent(), null)).as(row.parent()).isNotNull();
            }
            assertThat(row.last() == null || row.last().atLeast(row.first())).as(row.element()).isTrue();
            assertThat(row.section()).as(row.element()).startsWith("MS-AS");
            assertThat(row.source()).as(row.element()).startsWith("http");
        }
    }

    @Test
    void noResponseElementAppearsAtAVersionOutsideItsRange() throws IOException {
        List<Row> rows = table();
        Map<String, List<Row>> byElement = new LinkedHashMap<>();
        rows.forEach(row -> byElement.computeIfAbsent(row.element(), k -> new ArrayList<>()).add(row));
        Set<String> violations = new LinkedHashSet<>();
        Set<Row> exercised = new LinkedHashSet<>();
        for (ProtocolVersion version : ProtocolVersion.values()) {
            new Session(version, byElement, violations, exercised).run();
        }
        assertThat(violations).as("elements emitted outside the versions the specification gives them").isEmpty();
        // the walk really met the table: most of what the gateway emits has a row
        assertThat(new TreeSet<>(exercised.stream().map(Row::element).toList())).hasSizeGreaterThanOrEqualTo(60);
    }

    /** Adds a weekly event with two exceptions, one of them carrying a 2.5-style Calendar:UID. */
    private static void seedRecurringEventWithExceptions() {
        MailStore store = server.gateway().services().mailStore();
        Folder calendar = store.folders(USER).filter(f -> f.type() == FolderType.CALENDAR).blockFirst(WAIT);
        WbxmlElement data = WbxmlElement.el("AirSync:ApplicationData")
                .child("Calendar:StartTime", "20300107T090000Z")
                .child("Calendar:EndTime", "20300107T093000Z")
                .child("Calendar:Subject", "Weekly review")
                .child("Calendar:UID", "element-versions-series")
                .child("Calendar:Location", "Room 1")
                .child("Calendar:Recurrence", r -> r.child("Type", 1).child("Interval", 1).child("DayOfWeek", 2))
                .child("Calendar:Exceptions", list -> list
                        .child("Exception", e -> e.child("ExceptionStartTime", "20300114T090000Z")
                                .child("Deleted", 1))
                        .child("Exception", e -> e.child("ExceptionStartTime", "20300121T090000Z")
                                .child("Subject", "Weekly review (moved)")
                                .child("StartTime", "20300121T100000Z")
                                .child("EndTime", "20300121T103000Z")
                                .child("Location", "Room 2")
                                .child("UID", "element-versions-series")))
                .child("AirSyncBase:Body", b -> b.child("Type", 1).child("Data", "Agenda: numbers."))
                .build();
        store.add(USER, calendar.id(), new ItemContent.Pim(ItemClass.CALENDAR, data)).block(WAIT);
    }

    /** One device speaking one protocol version through the whole scenario. */
    private static final class Session {
        private final ProtocolVersion version;
        private final Map<String, List<Row>> rows;
        private final Set<String> violations;
        private final Set<Row> exercised;
        private final EasTestClient client;
        /** Folder id to item class, from FolderSync. */
        private final Map<String, String> classes = new LinkedHashMap<>();
        private final Map<Integer, String> byType = new LinkedHashMap<>();
        private final Map<String, String> byName = new LinkedHashMap<>();
        private final Map<String, String> keys = new LinkedHashMap<>();
        private final Map<String, String> firstItem = new LinkedHashMap<>();
        private String fileReference;

        Session(ProtocolVersion version, Map<String, List<Row>> rows, Set<String> violations, Set<Row> exercised) {
            this.version = version;
            this.rows = rows;
            this.violations = violations;
            this.exercised = exercised;
            this.client = server.client(USER, "ev" + version.base64Code()).protocolVersion(version.header());
        }

        void run() {
            provision();
            folderSync();
            ping();
            if (version.atLeast(ProtocolVersion.V12_0)) {
                settings();
            }
            for (int type : List.of(2, 3, 8, 9, 7, 10)) {
                sync(byType.get(type), false);
            }
            sync(byType.get(2), true);
            getItemEstimate();
            if (version.atLeast(ProtocolVersion.V12_0)) {
                itemOperations();
            }
        }

        private void provision() {
            String type = version.atLeast(ProtocolVersion.V12_0) ? "MS-EAS-Provisioning-WBXML"
                    : "MS-WAP-Provisioning-XML";
            // settings:DeviceInformation inside Provision is 14.1+ (MS-ASPROV 2.2.2.53): sent at every version, it
            // must be ignored, not answered, before 14.1
            EasTestClient.Response first = post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                    .child("Settings:DeviceInformation", d -> d.child("Set", s -> s.child("Model", "Conformance")))
                    .child("Policies", p -> p.child("Policy", x -> x.child("PolicyType", type)))
                    .build());
            String temporary = first.body().child("Policies").child("Policy").childText("PolicyKey");
            assertThat(temporary).as("temporary policy key at " + version.header()).isNotNull();
            client.policyKey(temporary);
            EasTestClient.Response second = post("Provision", WbxmlElement.el(CodePage.PROVISION, "Provision")
                    .child("Policies", p -> p.child("Policy", x -> x.child("PolicyType", type)
                            .child("PolicyKey", temporary).child("Status", "1")))
                    .build());
            client.policyKey(second.body().child("Policies").child("Policy").childText("PolicyKey"));
        }

        private void folderSync() {
            EasTestClient.Response response = post("FolderSync",
                    WbxmlElement.el(CodePage.FOLDER_HIERARCHY, "FolderSync").child("SyncKey", "0").build());
            for (WbxmlElement add : response.body().child("Changes").children("Add")) {
                int type = Integer.parseInt(add.childText("Type"));
                String id = add.childText("ServerId");
                byType.putIfAbsent(type, id);
                byName.put(add.childText("DisplayName"), id);
                classes.put(id, switch (type) {
                    case 7, 15 -> "Tasks";
                    case 8, 13 -> "Calendar";
                    case 9, 14 -> "Contacts";
                    case 10, 17 -> "Notes";
                    default -> "Email";
                });
            }
        }

        private void ping() {
            String archive = byName.get("Archive");
            Consumer<WbxmlElement.Builder> folders = f -> f.child("Folder", x -> x.child("Id", archive)
                    .child("Class", "Email"));
            // a heartbeat below the minimum (status 5, HeartbeatInterval), then one that answers at once with the
            // unsynced Archive folder (status 2, Folders)
            post("Ping", WbxmlElement.el(CodePage.PING, "Ping").child("HeartbeatInterval", 1)
                    .child("Folders", folders).build());
            post("Ping", WbxmlElement.el(CodePage.PING, "Ping").child("HeartbeatInterval", 120)
                    .child("Folders", folders).build());
        }

        private void settings() {
            post("Settings", WbxmlElement.el(CodePage.SETTINGS, "Settings")
                    .child("Oof", o -> o.child("Get", g -> g.child("BodyType", "Text")))
                    .child("DeviceInformation", d -> d.child("Set", s -> s.child("Model", "Conformance")
                            .child("OS", "Test 1")))
                    .child("UserInformation", u -> u.empty("Get"))
                    .child("DevicePassword", d -> d.child("Set", s -> s.child("Password", "secret")))
                    .build());
            // RightsManagementInformation is 14.1+ (MS-ASCMD 2.2.3.156): asked at every version in its own request
            post("Settings", WbxmlElement.el(CodePage.SETTINGS, "Settings")
                    .child("RightsManagementInformation", r -> r.empty("Get")).build());
        }

        /** Sync 0 then the first key, with body options as a client of this version sends them. */
        private void sync(String folderId, boolean mime) {
            String itemClass = classes.get(folderId);
            post("Sync", syncRequest("0", folderId, itemClass, null));
            EasTestClient.Response response = post("Sync", syncRequest("1", folderId, itemClass,
                    options -> options(options, itemClass, mime)));
            WbxmlElement collection = response.body().child("Collections").child("Collection");
            keys.put(folderId, collection.childText("SyncKey"));
            WbxmlElement commands = collection.child("Commands");
            if (commands == null) {
                return;
            }
            for (WbxmlElement add : commands.children("Add")) {
                firstItem.putIfAbsent(folderId, add.childText("ServerId"));
                WbxmlElement attachments = add.child("ApplicationData").child("AirSyncBase:Attachments");
                if (fileReference == null && attachments != null) {
                    fileReference = attachments.child("Attachment").childText("FileReference");
                }
            }
        }

        private WbxmlElement syncRequest(String key, String folderId, String itemClass,
                                         Consumer<WbxmlElement.Builder> options) {
            return WbxmlElement.el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs.child("Collection", c -> {
                if (!version.atLeast(ProtocolVersion.V12_0)) {
                    c.child("Class", itemClass); // MS-ASCMD 2.2.3.27.6: the collection's class in 2.5
                }
                c.child("SyncKey", key).child("CollectionId", folderId);
                if (options != null) {
                    c.child("WindowSize", 200).child("Options", options);
                }
            })).build();
        }

        private void options(WbxmlElement.Builder options, String itemClass, boolean mime) {
            boolean email = itemClass.equals("Email");
            if (!version.atLeast(ProtocolVersion.V12_0)) {
                if (email && mime) {
                    options.child("MIMESupport", 2).child("MIMETruncation", 1);
                } else {
                    options.child("Truncation", 1);
                }
                return;
            }
            if (email && mime) {
                options.child("MIMESupport", 2).child("AirSyncBase:BodyPreference", b -> b.child("Type", 4)
                        .child("TruncationSize", 200));
                return;
            }
            options.child("AirSyncBase:BodyPreference", b -> {
                b.child("Type", email ? 2 : 1).child("TruncationSize", 40);
                if (version.atLeast(ProtocolVersion.V14_0)) {
                    b.child("Preview", 60); // MS-ASAIRS 2.2.2.35.4: 14.0+
                }
            });
        }

        private void getItemEstimate() {
            post("GetItemEstimate", WbxmlElement.el(CodePage.GET_ITEM_ESTIMATE, "GetItemEstimate")
                    .child("Collections", cs -> keys.forEach((id, key) -> cs.child("Collection", c -> c
                            .child("CollectionId", id).child("AirSync:SyncKey", key))))
                    .build());
        }

        private void itemOperations() {
            WbxmlElement.Builder request = WbxmlElement.el(CodePage.ITEM_OPERATIONS, "ItemOperations");
            firstItem.forEach((folderId, serverId) -> request.child("Fetch", f -> f.child("Store", "Mailbox")
                    .child("AirSync:CollectionId", folderId).child("AirSync:ServerId", serverId)
                    .child("Options", o -> o.child("AirSyncBase:BodyPreference", b -> b.child("Type", 1)
                            .child("TruncationSize", 40)))));
            assertThat(fileReference).as("an attachment in the demo Inbox at " + version.header()).isNotNull();
            request.child("Fetch", f -> f.child("Store", "Mailbox").child("AirSyncBase:FileReference", fileReference));
            // the conversation Move is 14.0+ (MS-ASCMD 2.2.3.117.1): sent at every version
            request.child("Move", m -> m.child("ConversationId", "conversation")
                    .child("DstFldId", byName.get("Archive")).child("Options", o -> o.empty("MoveAlways")));
            post("ItemOperations", request.build());
        }

        private EasTestClient.Response post(String command, WbxmlElement body) {
            EasTestClient.Response response = client.post(command, body);
            assertThat(response.status()).as(command + " at " + version.header()).isEqualTo(200);
            if (response.body() != null) {
                walk(command, response.body(), null, null);
            }
            return response;
        }

        private void walk(String command, WbxmlElement element, WbxmlElement parent, String itemClass) {
            String inherited = itemClass;
            if (element.matches("AirSync:Collection") && element.childText("AirSync:CollectionId") != null) {
                inherited = classes.get(element.childText("AirSync:CollectionId"));
            } else if (element.matches("ItemOperations:Fetch") && element.childText("AirSync:Class") != null) {
                inherited = element.childText("AirSync:Class");
            }
            check(command, element, parent, inherited);
            for (WbxmlElement child : element.children()) {
                walk(command, child, element, inherited);
            }
        }

        private void check(String command, WbxmlElement element, WbxmlElement parent, String itemClass) {
            String name = element.tag().qualifiedName();
            String parentName = parent == null ? null : parent.tag().qualifiedName();
            for (Row row : rows.getOrDefault(name, List.of())) {
                if ((row.command() != null && !row.command().equals(command))
                        || (row.parent() != null && !row.parent().equals(parentName))
                        || (row.itemLevel() && !ITEM_LEVEL.contains(parentName))
                        || (row.itemClass() != null && itemClass != null && !row.itemClass().equals(itemClass))) {
                    continue;
                }
                exercised.add(row);
                if (!row.covers(version)) {
                    violations.add(name + " in the " + command + " response at " + version.header()
                            + (parentName == null ? "" : " (in " + parentName + ")") + ": " + row.section()
                            + " gives " + row.range());
                }
            }
        }
    }
}
