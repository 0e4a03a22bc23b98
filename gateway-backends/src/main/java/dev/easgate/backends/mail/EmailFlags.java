package dev.easgate.backends.mail;

import java.time.Instant;
import java.util.List;

/**
 * The mutable state of an email beside its immutable MIME content (MS-ASEMAIL Read, Flag, Categories,
 * Email2 LastVerbExecuted).
 *
 * @param read              the message was read (IMAP \Seen)
 * @param flagStatus        0 cleared, 1 complete, 2 active (MS-ASEMAIL FlagStatus; IMAP \Flagged is 2)
 * @param lastVerb          0 unknown, 1 reply to sender, 2 reply to all, 3 forward (MS-ASEMAIL LastVerbExecuted)
 * @param lastVerbTime      when the last verb was executed, or {@code null}
 * @param categories        user categories (IMAP keywords)
 */
public record EmailFlags(boolean read, int flagStatus, int lastVerb, Instant lastVerbTime, List<String> categories) {
    public static final EmailFlags UNREAD = new EmailFlags(false, 0, 0, null, List.of());

    public EmailFlags {
        if (flagStatus < 0 || flagStatus > 2) {
            throw new IllegalArgumentException("flag status " + flagStatus);
        }
        if (lastVerb < 0 || lastVerb > 3) {
            throw new IllegalArgumentException("last verb " + lastVerb);
        }
        categories = List.copyOf(categories);
    }

    public EmailFlags withRead(boolean value) {
        return new EmailFlags(value, flagStatus, lastVerb, lastVerbTime, categories);
    }

    public EmailFlags withFlagStatus(int value) {
        return new EmailFlags(read, value, lastVerb, lastVerbTime, categories);
    }

    public EmailFlags withLastVerb(int verb, Instant at) {
        return new EmailFlags(read, flagStatus, verb, at, categories);
    }

    public EmailFlags withCategories(List<String> value) {
        return new EmailFlags(read, flagStatus, lastVerb, lastVerbTime, value);
    }
}
