package dev.easgate.wbxml.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.easgate.wbxml.Opaque;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlXml;
import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-checks the codec and the code pages against libwbxml's {@code wbxml2xml} and {@code xml2wbxml} (Debian
 * package libwbxml2-utils, which CI installs): our WBXML read by libwbxml, libwbxml's WBXML read by us, for the
 * golden vectors and for one document holding every tag of every page.
 *
 * <p>Where libwbxml (0.11.8) and MS-ASWBXML disagree, our tables follow the specification. The disagreements,
 * all checked by {@link #libwbxmlReadsEveryTokenOfEveryPageAsItsOwnTableSays()}:
 * <ul>
 *   <li>Names: libwbxml names some tags after their parent or with other spellings, where the XML of the
 *       protocol (the MS-AS* schemas) uses the names in our tables; see {@link #LIBWBXML_NAMES}. Among them:
 *       Contacts {@code BusinessCity} for {@code BusinessAddressCity} (and the other address parts),
 *       {@code AssistantTelephoneNumber} for {@code AssistantPhoneNumber}; Email {@code Reply-To}, {@code DTStamp},
 *       {@code Recurrence_Type}..., {@code FlagStatus}, {@code AttOId} (a letter O where the specification has the
 *       digit in {@code Att0Id}); Calendar {@code TimeZone} (the Calendar schema writes {@code Timezone}),
 *       {@code Attendee_Email}..., {@code Compressed_RTF}; Tasks {@code UTCDueDate}...; AirSync
 *       {@code RTFTruncation}; Settings {@code SmtpAddress} and {@code ihsManagementInformation} (a truncated
 *       {@code RightsManagementInformation}); ComposeMail {@code MIME}; RightsManagement {@code RMOwner} and
 *       {@code RemoveRightsManagementDistribution} (the specification: {@code Owner},
 *       {@code RemoveRightsManagementProtection}); Provision 0x10 {@code DeviceEncryptionEnabled}, the 12.0 name of
 *       what the specification now calls {@code RequireStorageCardEncryption}.</li>
 *   <li>Namespace: libwbxml writes page 16 as {@code Gal:}; the specification's namespace is {@code GAL}.</li>
 *   <li>Tokens only libwbxml has (not in the specification, so our decoder refuses them): MeetingResponse 0x0D
 *       {@code Version}, Provision 0x12 {@code DocumentBrowseEnabled}, Search 0x1C {@code Schema} and 0x1D
 *       {@code Supported}.</li>
 *   <li>Tokens libwbxml lacks: MeetingResponse 0x10 {@code ProposedStartTime} and 0x11 {@code ProposedEndTime},
 *       Provision 0x3B {@code AccountOnlyRemoteWipe} and the whole page 25 Find (all added in 16.1).</li>
 *   <li>Values: libwbxml writes some OPAQUE values as base64 text and reads base64 text of some tags
 *       ({@code ConversationId}, {@code MIME}) back into OPAQUE bytes; values are compared by their bytes.</li>
 * </ul>
 */
class LibwbxmlCrossCheckTest {

    /** Our qualified name to libwbxml's local name, where they differ. */
    static final Map<String, String> LIBWBXML_NAMES = new HashMap<>();

    /** Tags libwbxml 0.11.8 does not know: it decodes them as an element named {@code unknown}. */
    static final Set<String> MISSING_IN_LIBWBXML = Set.of("MeetingResponse:ProposedStartTime",
            "MeetingResponse:ProposedEndTime", "Provision:AccountOnlyRemoteWipe");

    static {
        LIBWBXML_NAMES.put("AirSync:RtfTruncation", "RTFTruncation");
        LIBWBXML_NAMES.put("Contacts:AssistantPhoneNumber", "AssistantTelephoneNumber");
        for (String place : List.of("Business", "Home", "Other")) {
            for (String part : List.of("City", "Country", "PostalCode", "State", "Street")) {
                LIBWBXML_NAMES.put("Contacts:" + place + "Address" + part, place + part);
            }
        }
        LIBWBXML_NAMES.put("Email:Att0Id", "AttOId");
        LIBWBXML_NAMES.put("Email:ReplyTo", "Reply-To");
        LIBWBXML_NAMES.put("Email:DtStamp", "DTStamp");
        LIBWBXML_NAMES.put("Email:Status", "FlagStatus");
        for (String part : List.of("Type", "Until", "Occurrences", "Interval", "DayOfWeek", "DayOfMonth",
                "WeekOfMonth", "MonthOfYear")) {
            LIBWBXML_NAMES.put("Email:" + part, "Recurrence_" + part);
            LIBWBXML_NAMES.put("Calendar:" + part, "Recurrence_" + part);
            LIBWBXML_NAMES.put("Tasks:" + part, "Recurrence_" + part);
        }
        LIBWBXML_NAMES.put("Calendar:Timezone", "TimeZone");
        LIBWBXML_NAMES.put("Calendar:Email", "Attendee_Email");
        LIBWBXML_NAMES.put("Calendar:Name", "Attendee_Name");
        LIBWBXML_NAMES.put("Calendar:AttendeeStatus", "Attendee_Status");
        LIBWBXML_NAMES.put("Calendar:AttendeeType", "Attendee_Type");
        LIBWBXML_NAMES.put("Calendar:CompressedRTF", "Compressed_RTF");
        LIBWBXML_NAMES.put("Calendar:DtStamp", "DTStamp");
        LIBWBXML_NAMES.put("Calendar:Deleted", "Exception_Deleted");
        LIBWBXML_NAMES.put("Calendar:ExceptionStartTime", "Exception_StartTime");
        LIBWBXML_NAMES.put("Calendar:OrganizerEmail", "Organizer_Email");
        LIBWBXML_NAMES.put("Calendar:OrganizerName", "Organizer_Name");
        LIBWBXML_NAMES.put("Tasks:UtcDueDate", "UTCDueDate");
        LIBWBXML_NAMES.put("Tasks:UtcStartDate", "UTCStartDate");
        LIBWBXML_NAMES.put("Tasks:Start", "Recurrence_Start");
        LIBWBXML_NAMES.put("Tasks:Regenerate", "Recurrence_Regenerate");
        LIBWBXML_NAMES.put("Tasks:DeadOccur", "Recurrence_DeadOccur");
        LIBWBXML_NAMES.put("Provision:RequireStorageCardEncryption", "DeviceEncryptionEnabled");
        LIBWBXML_NAMES.put("Settings:SMTPAddress", "SmtpAddress");
        LIBWBXML_NAMES.put("Settings:RightsManagementInformation", "ihsManagementInformation");
        LIBWBXML_NAMES.put("ComposeMail:Mime", "MIME");
        LIBWBXML_NAMES.put("RightsManagement:Owner", "RMOwner");
        LIBWBXML_NAMES.put("RightsManagement:RemoveRightsManagementProtection",
                "RemoveRightsManagementDistribution");
    }

    private static final String DOCTYPE =
            "<!DOCTYPE ActiveSync PUBLIC \"-//MICROSOFT//DTD ActiveSync//EN\" \"http://www.microsoft.com/\">";

    private static Path wbxml2xml;
    private static Path xml2wbxml;

    @TempDir
    Path work;

    @BeforeAll
    static void findLibwbxml() {
        wbxml2xml = findExecutable("wbxml2xml");
        xml2wbxml = findExecutable("xml2wbxml");
    }

    private static Path findExecutable(String name) {
        List<String> dirs = new ArrayList<>(Arrays.asList(
                System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("'" + name + "' from libwbxml is not installed, and this cross-check must not be skipped: "
                + "install it with 'apt-get install -y libwbxml2-utils' (.ci/run does this in CI)");
    }

    // ---- the tests ----------------------------------------------------------------------------------------------

    @Test
    void libwbxmlReadsTheGoldenVectorsAsWeWriteThem() throws Exception {
        for (String name : GoldenVectors.NAMES) {
            WbxmlElement document = WbxmlXml.parse(GoldenVectors.xml(name));
            byte[] ours = WbxmlEncoder.encode(document);

            LibNode theirs = parseLibwbxmlXml(runWbxml2xml(ours, name));

            compare(document, theirs, name + ": /" + document.name());
        }
    }

    @Test
    void weReadWhatLibwbxmlWritesForTheGoldenVectors() throws Exception {
        for (String name : GoldenVectors.NAMES) {
            WbxmlElement document = WbxmlXml.parse(GoldenVectors.xml(name));

            byte[] theirs = runXml2wbxml(toLibwbxmlXml(document), name);
            WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(theirs);

            compareValues(document, decoded, name + ": /" + document.name());
        }
    }

    @Test
    void libwbxmlReadsEveryTokenOfEveryPageAsItsOwnTableSays() throws Exception {
        // one document: every tag of pages 0 to 24 (libwbxml has no page 25) as an empty child of the root
        List<Tag> tags = new ArrayList<>();
        for (CodePage page : CodePage.values()) {
            if (page != CodePage.FIND) {
                tags.addAll(page.tags());
            }
        }
        WbxmlElement.Builder root = WbxmlElement.el(CodePage.AIR_SYNC, "Sync");
        for (Tag tag : tags) {
            root.child(WbxmlElement.empty(tag));
        }

        LibNode theirs = parseLibwbxmlXml(runWbxml2xml(WbxmlEncoder.encode(root.build()), "all-tokens"));

        assertThat(theirs.children).hasSize(tags.size());
        for (int i = 0; i < tags.size(); i++) {
            Tag tag = tags.get(i);
            LibNode node = theirs.children.get(i);
            if (MISSING_IN_LIBWBXML.contains(tag.qualifiedName())) {
                assertThat(node.name).as(tag.toString()).isEqualTo("unknown");
                continue;
            }
            assertThat(node.name).as(tag.toString()).isEqualTo(libwbxmlName(tag));
            assertThat(node.namespace).as(tag.toString()).isEqualTo(libwbxmlNamespace(tag.page()));
        }
    }

    @Test
    void libwbxmlWritesEveryTagItKnowsWithOurToken() throws Exception {
        WbxmlElement.Builder root = WbxmlElement.el(CodePage.AIR_SYNC, "Sync");
        for (CodePage page : CodePage.values()) {
            for (Tag tag : page.tags()) {
                if (page != CodePage.FIND && !MISSING_IN_LIBWBXML.contains(tag.qualifiedName())) {
                    root.child(WbxmlElement.empty(tag));
                }
            }
        }
        WbxmlElement document = root.build();

        WbxmlElement decoded = WbxmlDecoder.DEFAULT.decode(runXml2wbxml(toLibwbxmlXml(document), "all-tokens"));

        assertThat(decoded).isEqualTo(document);
    }

    // ---- libwbxml as a process ------------------------------------------------------------------------------

    private String runWbxml2xml(byte[] wbxml, String name) throws IOException, InterruptedException {
        Path in = work.resolve(name + ".wbxml");
        Path out = work.resolve(name + ".lib.xml");
        Files.write(in, wbxml);
        // -m 2: canonical output, which writes CR and LF in values as character references; -k keeps whitespace
        run(wbxml2xml.toString(), "-l", "ACTIVESYNC", "-m", "2", "-k", "-o", out.toString(), in.toString());
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private byte[] runXml2wbxml(String xml, String name) throws IOException, InterruptedException {
        Path in = work.resolve(name + ".in.xml");
        Path out = work.resolve(name + ".lib.wbxml");
        Files.writeString(in, xml, StandardCharsets.UTF_8);
        // -a: no public id string (header 03 01 6A 00 as EAS writes it), -n: no string table, -k: keep whitespace
        run(xml2wbxml.toString(), "-a", "-n", "-k", "-v", "1.3", "-o", out.toString(), in.toString());
        return Files.readAllBytes(out);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within 30 s");
        }
        if (process.exitValue() != 0) {
            fail(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    // ---- libwbxml's names and XML ---------------------------------------------------------------------------

    static String libwbxmlName(Tag tag) {
        return LIBWBXML_NAMES.getOrDefault(tag.qualifiedName(), tag.name());
    }

    static String libwbxmlNamespace(CodePage page) {
        return (page == CodePage.GAL ? "Gal" : page.namespace()) + ":";
    }

    /** The document as XML for xml2wbxml: libwbxml's names, a namespace on every element, opaque as text. */
    static String toLibwbxmlXml(WbxmlElement root) {
        StringBuilder out = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").append(DOCTYPE);
        appendLibwbxmlXml(root, null, out);
        return out.toString();
    }

    private static void appendLibwbxmlXml(WbxmlElement element, CodePage parentPage, StringBuilder out) {
        String name = libwbxmlName(element.tag());
        out.append('<').append(name);
        if (element.page() != parentPage) {
            out.append(" xmlns=\"").append(libwbxmlNamespace(element.page())).append('"');
        }
        String value = element.text();
        if (element.opaque() != null) {
            byte[] bytes = element.opaque().toByteArray();
            String utf8 = utf8OrNull(bytes);
            value = utf8 != null ? utf8 : Base64.getEncoder().encodeToString(bytes);
        }
        if (element.children().isEmpty() && value == null) {
            out.append("/>");
            return;
        }
        out.append('>');
        for (WbxmlElement child : element.children()) {
            appendLibwbxmlXml(child, element.page(), out);
        }
        if (value != null) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '&' -> out.append("&amp;");
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '\r' -> out.append("&#13;");
                    case '\n' -> out.append("&#10;");
                    default -> out.append(c);
                }
            }
        }
        out.append("</").append(name).append('>');
    }

    /** An element as libwbxml's XML shows it. */
    static final class LibNode {
        final String namespace;
        final String name;
        final List<LibNode> children = new ArrayList<>();
        final StringBuilder text = new StringBuilder();

        LibNode(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }
    }

    static LibNode parseLibwbxmlXml(String xml) throws XMLStreamException {
        // the DOCTYPE names an external DTD that nothing needs: drop it rather than let a parser go looking for it
        String body = xml.replaceFirst("<!DOCTYPE[^>]*>", "");
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        XMLStreamReader reader = factory.createXMLStreamReader(new StringReader(body));
        Deque<LibNode> open = new ArrayDeque<>();
        LibNode root = null;
        while (reader.hasNext()) {
            switch (reader.next()) {
                case XMLStreamConstants.START_ELEMENT -> {
                    LibNode node = new LibNode(reader.getNamespaceURI(), reader.getLocalName());
                    if (open.isEmpty()) {
                        root = node;
                    } else {
                        open.peek().children.add(node);
                    }
                    open.push(node);
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (!open.isEmpty()) {
                        open.peek().text.append(reader.getText());
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> open.pop();
                default -> {
                    // declaration, comments: nothing to compare
                }
            }
        }
        assertThat(root).as("libwbxml's output has a root element").isNotNull();
        return root;
    }

    // ---- comparisons ----------------------------------------------------------------------------------------

    private static void compare(WbxmlElement ours, LibNode theirs, String path) {
        assertThat(theirs.name).as(path).isEqualTo(libwbxmlName(ours.tag()));
        assertThat(theirs.namespace).as(path).isEqualTo(libwbxmlNamespace(ours.page()));
        assertThat(theirs.children).as(path + " children").hasSize(ours.children().size());
        for (int i = 0; i < ours.children().size(); i++) {
            WbxmlElement child = ours.children().get(i);
            compare(child, theirs.children.get(i), path + "/" + child.name() + "[" + i + "]");
        }
        if (ours.children().isEmpty()) {
            String text = theirs.text.toString();
            if (ours.opaque() != null) {
                byte[] bytes = ours.opaque().toByteArray();
                assertThat(text).as(path + " (opaque, as text or base64)")
                        .isIn(new String(bytes, StandardCharsets.UTF_8), Base64.getEncoder().encodeToString(bytes));
            } else {
                assertThat(text).as(path).isEqualTo(ours.text() == null ? "" : ours.text());
            }
        } else {
            assertThat(theirs.text.toString()).as(path + " text beside children").isBlank();
        }
    }

    /** Same tags in the same places; values equal as bytes, whether text or opaque (see the class comment). */
    private static void compareValues(WbxmlElement expected, WbxmlElement actual, String path) {
        assertThat(actual.tag()).as(path).isSameAs(expected.tag());
        assertThat(actual.children()).as(path + " children").hasSize(expected.children().size());
        for (int i = 0; i < expected.children().size(); i++) {
            WbxmlElement child = expected.children().get(i);
            compareValues(child, actual.children().get(i), path + "/" + child.name() + "[" + i + "]");
        }
        if (expected.children().isEmpty()) {
            byte[] want = valueBytes(expected);
            byte[] got = valueBytes(actual);
            if (expected.opaque() != null && !Arrays.equals(want, got)) {
                // libwbxml kept the base64 text we gave it for an opaque value that is not UTF-8
                got = Base64.getDecoder().decode(new String(got, StandardCharsets.US_ASCII));
            }
            assertThat(got).as(path).isEqualTo(want);
        }
    }

    private static byte[] valueBytes(WbxmlElement element) {
        Opaque opaque = element.opaque();
        if (opaque != null) {
            return opaque.toByteArray();
        }
        return element.text() == null ? new byte[0] : element.text().getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
