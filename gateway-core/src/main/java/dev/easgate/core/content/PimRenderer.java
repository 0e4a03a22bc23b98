package dev.easgate.core.content;

import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a contact, event, task or note: the stored ApplicationData (already EAS) filtered for the client. Elements
 * a version does not define are dropped, at any depth (the table below names those introduced after 2.5; the whole
 * AirSyncBase page is 12.0+, the Notes page 14.0+), and an AirSyncBase:Body is rewritten under the client's
 * BodyPreference, or as the class's own 2.5 Body element for a 2.5 client. The elements of a Calendar:Exception are
 * treated the same way; the occurrence it replaces is its ExceptionStartTime before 16.0 and its AirSyncBase:InstanceId
 * from 16.0, whichever of the two is stored.
 */
public final class PimRenderer {
    /** Elements by the version that introduced them (MS-ASCNTC, MS-ASCAL, MS-ASTASK protocol version tables). */
    private static final Map<String, ProtocolVersion> INTRODUCED = Map.ofEntries(
            Map.entry("Contacts:Alias", ProtocolVersion.V14_0),
            Map.entry("Contacts:WeightedRank", ProtocolVersion.V14_0),
            // MS-ASCAL 2.2.2.5, 2.2.2.6: an Attendee's AttendeeStatus and AttendeeType are 12.0+
            Map.entry("Calendar:AttendeeStatus", ProtocolVersion.V12_0),
            Map.entry("Calendar:AttendeeType", ProtocolVersion.V12_0),
            Map.entry("Calendar:DisallowNewTimeProposal", ProtocolVersion.V14_0),
            Map.entry("Calendar:ResponseRequested", ProtocolVersion.V14_0),
            Map.entry("Calendar:AppointmentReplyTime", ProtocolVersion.V14_0),
            Map.entry("Calendar:ResponseType", ProtocolVersion.V14_0),
            Map.entry("Calendar:CalendarType", ProtocolVersion.V14_0),
            Map.entry("Calendar:IsLeapMonth", ProtocolVersion.V14_0),
            Map.entry("Calendar:FirstDayOfWeek", ProtocolVersion.V14_1),
            Map.entry("Calendar:OnlineMeetingConfLink", ProtocolVersion.V14_1),
            Map.entry("Calendar:OnlineMeetingExternalLink", ProtocolVersion.V14_1),
            Map.entry("Calendar:ClientUid", ProtocolVersion.V16_0),
            Map.entry("Tasks:CalendarType", ProtocolVersion.V14_0),
            Map.entry("Tasks:IsLeapMonth", ProtocolVersion.V14_0),
            Map.entry("Tasks:FirstDayOfWeek", ProtocolVersion.V14_1));

    private PimRenderer() {
    }

    public static WbxmlElement render(ItemContent.Pim pim, ContentOptions options) {
        return WbxmlElement.parent(pim.applicationData().tag(), children(pim.applicationData(), pim, options, false));
    }

    /** The children of the ApplicationData, or of one Calendar:Exception, for the client's version and options. */
    private static List<WbxmlElement> children(WbxmlElement parent, ItemContent.Pim pim, ContentOptions options,
                                               boolean exception) {
        ProtocolVersion version = options.version();
        List<WbxmlElement> out = new ArrayList<>();
        boolean calendar = pim.itemClass() == ItemClass.CALENDAR;
        WbxmlElement structured = parent.child("AirSyncBase:Location");
        WbxmlElement text = parent.child("Calendar:Location");
        boolean occurrence = false;
        for (WbxmlElement element : parent.children()) {
            if (calendar && (element.matches("Calendar:Location") || element.matches("AirSyncBase:Location"))) {
                WbxmlElement location = location(element, structured, text, version);
                if (location != null) {
                    out.add(location);
                }
            } else if (element.matches("AirSyncBase:Body")) {
                WbxmlElement body = body(element, pim, options);
                if (body != null) {
                    out.add(body);
                }
            } else if (calendar && element.matches("Calendar:Exceptions")) {
                List<WbxmlElement> exceptions = new ArrayList<>();
                for (WbxmlElement each : element.children()) {
                    exceptions.add(WbxmlElement.parent(each.tag(), children(each, pim, options, true)));
                }
                out.add(WbxmlElement.parent(element.tag(), exceptions));
            } else if (exception && (element.matches("Calendar:ExceptionStartTime")
                    || element.matches("AirSyncBase:InstanceId"))) {
                // MS-ASCAL 2.2.2.23: ExceptionStartTime is 2.5 to 14.1; 16.0+ names the occurrence by
                // AirSyncBase:InstanceId (MS-ASAIRS 2.2.2.25), the same Compact DateTime
                if (!occurrence) {
                    occurrence = true;
                    out.add(WbxmlElement.text(version.atLeast(ProtocolVersion.V16_0)
                            ? CodePage.AIR_SYNC_BASE.tag("InstanceId") : CodePage.CALENDAR.tag("ExceptionStartTime"),
                            element.textOrOpaqueUtf8()));
                }
            } else if (exception && element.matches("Calendar:UID")) {
                // MS-ASCAL 2.2.2.46: UID as a child of Exception is 2.5 only
                if (!version.atLeast(ProtocolVersion.V12_0)) {
                    out.add(element);
                }
            } else if (known(element.tag(), version)) {
                out.add(filtered(element, version));
            }
        }
        return out;
    }

    /** The element without the descendants {@code version} does not define (e.g. an Attendee's AttendeeStatus). */
    private static WbxmlElement filtered(WbxmlElement element, ProtocolVersion version) {
        List<WbxmlElement> kept = new ArrayList<>();
        boolean changed = false;
        for (WbxmlElement child : element.children()) {
            if (!known(child.tag(), version)) {
                changed = true;
                continue;
            }
            WbxmlElement filtered = filtered(child, version);
            changed |= filtered != child;
            kept.add(filtered);
        }
        return changed ? WbxmlElement.parent(element.tag(), kept) : element;
    }

    /**
     * An event's location for the client (MS-ASCAL 2.2.2.27, MS-ASAIRS 2.2.2.27 Location): 16.0+ gets the
     * AirSyncBase:Location structure (a stored text Location becomes its DisplayName); earlier versions get the
     * Calendar:Location text (the structure's DisplayName when only the structure is stored). Each is written once.
     */
    private static WbxmlElement location(WbxmlElement element, WbxmlElement structured, WbxmlElement text,
                                         ProtocolVersion version) {
        boolean v16 = version.atLeast(ProtocolVersion.V16_0);
        if (element.matches("AirSyncBase:Location")) {
            if (v16) {
                return element;
            }
            String name = element.childText("AirSyncBase:DisplayName");
            return text == null && name != null ? WbxmlElement.text(CodePage.CALENDAR.tag("Location"), name) : null;
        }
        if (!v16) {
            return element;
        }
        String value = element.textOrOpaqueUtf8();
        return structured == null && value != null
                ? WbxmlElement.el(CodePage.AIR_SYNC_BASE, "Location").child("DisplayName", value).build() : null;
    }

    static boolean known(Tag tag, ProtocolVersion version) {
        if (tag.page() == CodePage.AIR_SYNC_BASE && !version.atLeast(ProtocolVersion.V12_0)) {
            return false;
        }
        // MS-ASNOTE 2.2.2.2-2.2.2.5: the Notes class elements are 14.0+
        if (tag.page() == CodePage.NOTES && !version.atLeast(ProtocolVersion.V14_0)) {
            return false;
        }
        ProtocolVersion introduced = INTRODUCED.get(tag.qualifiedName());
        return introduced == null || version.atLeast(introduced);
    }

    private static WbxmlElement body(WbxmlElement stored, ItemContent.Pim pim, ContentOptions options) {
        String data = stored.childText("AirSyncBase:Data");
        String type = stored.childText("AirSyncBase:Type");
        String text = data == null ? "" : data;
        boolean html = "2".equals(type);
        String plain = html ? BodyRenderer.htmlToText(text) : text;
        if (!options.version().atLeast(ProtocolVersion.V12_0)) {
            // 2.5: the class's own Body element (e.g. Contacts:Body), plain text
            Tag legacy = legacyBodyTag(pim);
            return legacy == null ? null : WbxmlElement.text(legacy, plain);
        }
        BodyPreference wantsHtml = options.preference(BodyPreference.HTML);
        BodyPreference wantsPlain = options.preference(BodyPreference.PLAIN);
        if (html && wantsHtml != null) {
            return BodyRenderer.body(BodyPreference.HTML, text, wantsHtml, plain, options.version());
        }
        if (wantsPlain != null || wantsHtml == null) {
            BodyPreference preference = wantsPlain != null ? wantsPlain : BodyPreference.DEFAULT;
            return BodyRenderer.body(BodyPreference.PLAIN, plain, preference, plain, options.version());
        }
        return BodyRenderer.body(BodyPreference.HTML, BodyRenderer.textToHtml(plain), wantsHtml, plain,
                options.version());
    }

    private static Tag legacyBodyTag(ItemContent.Pim pim) {
        CodePage page = switch (pim.itemClass()) {
            case CONTACTS -> CodePage.CONTACTS;
            case CALENDAR -> CodePage.CALENDAR;
            case TASKS -> CodePage.TASKS;
            default -> null;
        };
        return page == null ? null : page.tag("Body");
    }
}
