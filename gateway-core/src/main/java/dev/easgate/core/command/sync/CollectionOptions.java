package dev.easgate.core.command.sync;

import dev.easgate.backends.mail.ItemClass;
import dev.easgate.core.content.BodyPreference;
import dev.easgate.core.content.ContentOptions;
import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.codepage.CodePage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The options a device set for a collection (MS-ASCMD 2.2.3.125.5 Options): kept in
 * {@link dev.easgate.backends.state.CollectionState#options()} as the Options and Supported elements it sent, and
 * reused while later requests omit them.
 *
 * @param options   the Options elements last sent (empty: none)
 * @param supported the Supported element of the initial Sync, or {@code null}
 */
public record CollectionOptions(List<WbxmlElement> options, WbxmlElement supported) {
    public static final CollectionOptions NONE = new CollectionOptions(List.of(), null);

    public CollectionOptions {
        options = List.copyOf(options);
    }

    /** The options in force after a request: its own Options when it sent any, else the stored ones. */
    public CollectionOptions update(CollectionRequest request) {
        List<WbxmlElement> newOptions = request.options().isEmpty() ? options : request.options();
        WbxmlElement newSupported = request.supported() != null ? request.supported() : supported;
        return new CollectionOptions(newOptions, newSupported);
    }

    /** The Options element that applies to items of {@code itemClass}: without Class, or with that Class. */
    WbxmlElement effective(ItemClass itemClass) {
        WbxmlElement fallback = null;
        for (WbxmlElement option : options) {
            String cls = option.childText("AirSync:Class");
            if (cls == null) {
                fallback = fallback == null ? option : fallback;
            } else if (cls.strip().equals(itemClass.easName())) {
                return option;
            }
        }
        return fallback;
    }

    /** Body options for the renderer; throws SyncProtocolException when an option is malformed. */
    public ContentOptions content(ProtocolVersion version, ItemClass itemClass) {
        WbxmlElement option = effective(itemClass);
        if (option == null) {
            return ContentOptions.defaults(version);
        }
        try {
            List<BodyPreference> preferences = new ArrayList<>();
            for (WbxmlElement preference : option.children("AirSyncBase:BodyPreference")) {
                preferences.add(BodyPreference.parse(preference));
            }
            return new ContentOptions(version, preferences, intOr(option, "AirSync:MIMESupport", 0),
                    intOr(option, "AirSync:Truncation", -1), intOr(option, "AirSync:MIMETruncation", -1));
        } catch (IllegalArgumentException e) {
            throw new SyncProtocolException("malformed Options: " + e.getMessage());
        }
    }

    /** FilterType (MS-ASCMD 2.2.3.68.2), 0 when absent. */
    public int filterType(ItemClass itemClass) {
        WbxmlElement option = effective(itemClass);
        try {
            return option == null ? 0 : intOr(option, "AirSync:FilterType", 0);
        } catch (NumberFormatException e) {
            throw new SyncProtocolException("malformed FilterType");
        }
    }

    /**
     * The oldest item date a FilterType lets through, or {@code null} for no limit (MS-ASCMD 2.2.3.68.2: 1 one day,
     * 2 three days, 3 one week, 4 two weeks, 5 one month, 6 three months, 7 six months; 8, incomplete tasks, is
     * not applied). Emails are filtered by received date, events by start.
     */
    public Instant cutoff(ItemClass itemClass, Instant now) {
        if (itemClass != ItemClass.EMAIL && itemClass != ItemClass.CALENDAR) {
            return null;
        }
        return switch (filterType(itemClass)) {
            case 1 -> now.minus(Duration.ofDays(1));
            case 2 -> now.minus(Duration.ofDays(3));
            case 3 -> now.minus(Duration.ofDays(7));
            case 4 -> now.minus(Duration.ofDays(14));
            case 5 -> now.minus(Duration.ofDays(31));
            case 6 -> now.minus(Duration.ofDays(92));
            case 7 -> now.minus(Duration.ofDays(183));
            default -> null;
        };
    }

    /** Qualified names listed in Supported, or {@code null} when the client declared none. */
    public Set<String> supportedNames() {
        if (supported == null) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        for (WbxmlElement element : supported.children()) {
            names.add(element.tag().qualifiedName());
        }
        return names;
    }

    /** Encodes for {@link dev.easgate.backends.state.CollectionState#options()}. */
    public byte[] encode() {
        if (options.isEmpty() && supported == null) {
            return new byte[0];
        }
        WbxmlElement.Builder holder = WbxmlElement.el(CodePage.AIR_SYNC, "Collection").children(options);
        if (supported != null) {
            holder.child(supported);
        }
        return WbxmlEncoder.encode(holder.build());
    }

    public static CollectionOptions decode(byte[] bytes) {
        if (bytes.length == 0) {
            return NONE;
        }
        WbxmlElement holder = WbxmlDecoder.DEFAULT.decode(bytes);
        return new CollectionOptions(holder.children("AirSync:Options"), holder.child("AirSync:Supported"));
    }

    private static int intOr(WbxmlElement parent, String name, int fallback) {
        String value = parent.childText(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }
}
