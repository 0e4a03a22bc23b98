package dev.easgate.core.content;

import dev.easgate.backends.mail.EmailFlags;
import dev.easgate.backends.mail.ItemClass;
import dev.easgate.backends.mail.ItemContent;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads the ApplicationData of a phone's Sync Add or Change into what the store keeps. */
public final class ApplicationDataReader {
    private ApplicationDataReader() {
    }

    /**
     * A copy of {@code element} that owns its bytes: decoded request elements are views of the request buffer,
     * which is released when the handler completes, so anything stored must be detached first.
     */
    public static WbxmlElement detach(WbxmlElement element) {
        return WbxmlDecoder.DEFAULT.decode(WbxmlEncoder.encode(element));
    }

    /** A new contact, event, task or note: the ApplicationData as sent. */
    public static ItemContent.Pim newPim(ItemClass itemClass, WbxmlElement applicationData) {
        WbxmlElement data = detach(applicationData);
        if (itemClass == ItemClass.CALENDAR) {
            data = WbxmlElement.parent(data.tag(), calendarLocation(data.children(), tagsOf(data)));
        }
        return new ItemContent.Pim(itemClass, data);
    }

    private static Set<Tag> tagsOf(WbxmlElement data) {
        Set<Tag> tags = new LinkedHashSet<>();
        for (WbxmlElement element : data.children()) {
            tags.add(element.tag());
        }
        return tags;
    }

    /**
     * An event keeps its location in both forms (MS-ASCAL Location, MS-ASAIRS 2.2.2.27 Location for 16.0+) so that
     * every version and the DAV backend read it: when the client sent the AirSyncBase:Location structure, the
     * Calendar:Location text becomes its DisplayName; when it sent only the text (a pre-16.0 client), a stored
     * structure is dropped as stale.
     */
    private static List<WbxmlElement> calendarLocation(List<WbxmlElement> elements, Set<Tag> sent) {
        Tag structuredTag = CodePage.AIR_SYNC_BASE.tag("Location");
        Tag textTag = CodePage.CALENDAR.tag("Location");
        List<WbxmlElement> out = new ArrayList<>();
        WbxmlElement structured = null;
        for (WbxmlElement element : elements) {
            if (element.tag().equals(structuredTag)) {
                structured = element;
            }
        }
        boolean structureSent = sent.contains(structuredTag);
        boolean textSent = sent.contains(textTag);
        for (WbxmlElement element : elements) {
            if (element.tag().equals(textTag) && structureSent) {
                continue; // rewritten from the structure below
            }
            if (element.tag().equals(structuredTag) && textSent && !structureSent) {
                continue; // the text changed without the structure: the structure is stale
            }
            out.add(element);
        }
        if (structureSent && structured != null) {
            String name = structured.childText("AirSyncBase:DisplayName");
            if (name != null) {
                out.add(WbxmlElement.text(textTag, name));
            }
        }
        return out;
    }

    /**
     * A changed contact, event, task or note (MS-ASCMD 2.2.3.11, 2.2.3.168 Supported). Each element sent replaces
     * the stored elements of the same name. When the client declared the elements it supports (Supported, in its
     * first Sync), a supported element it leaves out is deleted and every other stored element is kept ("ghosted");
     * without that declaration nothing sent is deleted by omission (elements are merged, never lost).
     *
     * @param supported qualified names the client declared supported, or {@code null} when it declared none
     */
    public static ItemContent.Pim changedPim(ItemContent.Pim stored, WbxmlElement sent, Set<String> supported) {
        Set<Tag> sentTags = new LinkedHashSet<>();
        for (WbxmlElement element : sent.children()) {
            sentTags.add(element.tag());
        }
        List<WbxmlElement> merged = new ArrayList<>();
        for (WbxmlElement element : stored.applicationData().children()) {
            boolean replaced = sentTags.contains(element.tag());
            boolean deletedByOmission = supported != null && supported.contains(element.tag().qualifiedName());
            if (!replaced && !deletedByOmission) {
                merged.add(element);
            }
        }
        merged.addAll(detach(sent).children());
        if (stored.itemClass() == ItemClass.CALENDAR) {
            merged = calendarLocation(merged, sentTags);
        }
        return new ItemContent.Pim(stored.itemClass(), WbxmlElement.parent(stored.applicationData().tag(), merged));
    }

    /**
     * The flags of an email after a client Change: only Read, Flag and Categories may change (MS-ASEMAIL 2.2.2.34,
     * 2.2.2.51, 2.2.2.14); every other element of the Change is ignored. An empty Flag clears the flag.
     */
    public static EmailFlags changedEmailFlags(EmailFlags current, WbxmlElement sent) {
        EmailFlags flags = current;
        String read = sent.childText("Email:Read");
        if (read != null) {
            flags = flags.withRead(read.strip().equals("1"));
        }
        WbxmlElement flag = sent.child("Email:Flag");
        if (flag != null) {
            String status = flag.childText("Email:Status");
            int value = status == null ? 0 : Integer.parseInt(status.strip());
            flags = flags.withFlagStatus(value);
        }
        WbxmlElement categories = sent.child("Email:Categories");
        if (categories != null) {
            List<String> names = new ArrayList<>();
            for (WbxmlElement category : categories.children("Email:Category")) {
                String name = category.textOrOpaqueUtf8();
                if (name != null) {
                    names.add(name);
                }
            }
            flags = flags.withCategories(names);
        }
        return flags;
    }
}
