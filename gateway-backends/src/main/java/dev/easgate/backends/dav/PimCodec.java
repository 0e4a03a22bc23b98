package dev.easgate.backends.dav;

import dev.easgate.backends.mail.ItemClass;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import ezvcard.VCard;
import ezvcard.property.RawProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;

/**
 * EAS items to and from their DAV resources, losslessly.
 *
 * <p>Every field iCalendar/vCard can hold is converted, so other DAV clients see the item properly. On top, the
 * resource carries what the phone sent: {@code X-EASGATE-EAS} (base64 of the ApplicationData in WBXML) and
 * {@code X-EASGATE-FP} (a digest of the native conversion of the resource as written). Reading back: while the
 * resource's native conversion still has that digest (nobody changed it on the server), the phone gets exactly
 * the tree it sent, element order, number formats and elements iCalendar/vCard cannot carry included. When the
 * resource was changed on the server, the native conversion wins and the remembered elements that conversion
 * does not produce (unknown to it) are kept.
 */
final class PimCodec {
    static final String SNAPSHOT = "X-EASGATE-EAS";
    static final String FINGERPRINT = "X-EASGATE-FP";

    private PimCodec() {
    }

    /** The resource text of an item; {@code uid} names it when the item has no UID of its own. */
    static String toDav(ItemClass itemClass, WbxmlElement data, String uid, Instant now) {
        switch (itemClass) {
            case CONTACTS -> {
                VCard card = VcardConverter.toVcard(data, uid);
                String fp = fingerprint(VcardConverter.toEas(VcardConverter.parse(VcardConverter.write(card))));
                card.addExtendedProperty(SNAPSHOT, snapshot(data));
                card.addExtendedProperty(FINGERPRINT, fp);
                return VcardConverter.write(card);
            }
            case CALENDAR, TASKS -> {
                Calendar cal = itemClass == ItemClass.CALENDAR ? IcalConverter.eventToIcal(data, uid, now)
                        : IcalConverter.taskToIcal(data, uid, now);
                String fp = fingerprint(nativeEas(itemClass, Ics.parse(Ics.write(cal))));
                Component main = Ics.components(cal, itemClass == ItemClass.CALENDAR ? "VEVENT" : "VTODO").get(0);
                main.add(Ics.prop(SNAPSHOT, snapshot(data)));
                main.add(Ics.prop(FINGERPRINT, fp));
                return Ics.write(cal);
            }
            default -> throw new IllegalArgumentException("no DAV form for " + itemClass);
        }
    }

    /** The EAS form of a resource, or null when it is not of this class (a VTODO in an event calendar). */
    static WbxmlElement toEas(ItemClass itemClass, String text) {
        String snapshot;
        String fp;
        WbxmlElement converted;
        if (itemClass == ItemClass.CONTACTS) {
            VCard card = VcardConverter.parse(text);
            converted = VcardConverter.toEas(card);
            RawProperty s = card.getExtendedProperty(SNAPSHOT);
            RawProperty f = card.getExtendedProperty(FINGERPRINT);
            snapshot = s == null ? null : s.getValue();
            fp = f == null ? null : f.getValue();
        } else {
            Calendar cal = Ics.parse(text);
            if (IcalConverter.classOf(cal) != itemClass) {
                return null;
            }
            converted = nativeEas(itemClass, cal);
            Component main = Ics.components(cal, itemClass == ItemClass.CALENDAR ? "VEVENT" : "VTODO").stream()
                    .filter(c -> c.getProperty(SNAPSHOT).isPresent()).findFirst().orElse(null);
            snapshot = main == null ? null : Ics.value(main, SNAPSHOT);
            fp = main == null ? null : Ics.value(main, FINGERPRINT);
        }
        if (snapshot == null) {
            return converted;
        }
        WbxmlElement original = WbxmlDecoder.DEFAULT.decode(Base64.getDecoder().decode(snapshot.trim()));
        if (fingerprint(converted).equals(fp)) {
            return original;
        }
        return merge(converted, original, handled(itemClass));
    }

    static WbxmlElement nativeEas(ItemClass itemClass, Calendar cal) {
        return itemClass == ItemClass.CALENDAR ? IcalConverter.eventToEas(cal) : IcalConverter.taskToEas(cal);
    }

    /** What the native conversion produces, plus the remembered elements it does not know. */
    static WbxmlElement merge(WbxmlElement converted, WbxmlElement original, Set<String> handled) {
        WbxmlElement.Builder out = WbxmlElement.el("AirSync:ApplicationData").children(converted.children());
        for (WbxmlElement child : original.children()) {
            if (!handled.contains(child.page().namespace() + ":" + child.name())) {
                out.child(child);
            }
        }
        return out.build();
    }

    static Set<String> handled(ItemClass itemClass) {
        return switch (itemClass) {
            case CONTACTS -> VcardConverter.HANDLED;
            case CALENDAR -> IcalConverter.CALENDAR_HANDLED;
            default -> IcalConverter.TASKS_HANDLED;
        };
    }

    private static String snapshot(WbxmlElement data) {
        return Base64.getEncoder().encodeToString(WbxmlEncoder.encode(data));
    }

    static String fingerprint(WbxmlElement converted) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(WbxmlEncoder.encode(converted));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
