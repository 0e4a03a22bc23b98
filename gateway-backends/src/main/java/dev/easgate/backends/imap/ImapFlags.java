package dev.easgate.backends.imap;

import dev.easgate.backends.mail.EmailFlags;
import jakarta.mail.Flags;
import java.util.ArrayList;
import java.util.List;

/**
 * EAS flags as IMAP flags: \Seen is Read, \Flagged is FlagStatus 2 (keyword {@code $EasFlagComplete} is 1),
 * \Answered is LastVerbExecuted 1 (2 with keyword {@code $EasReplyAll}), {@code $Forwarded} is 3; other keywords not
 * starting with {@code $} are categories. IMAP keeps no time of the last verb.
 */
final class ImapFlags {
    static final String KEYWORD_COMPLETE = "$EasFlagComplete";
    static final String KEYWORD_REPLY_ALL = "$EasReplyAll";
    static final String KEYWORD_FORWARDED = "$Forwarded";

    private ImapFlags() {
    }

    static Flags toFlags(EmailFlags flags) {
        Flags f = new Flags();
        if (flags.read()) {
            f.add(Flags.Flag.SEEN);
        }
        if (flags.flagStatus() == 2) {
            f.add(Flags.Flag.FLAGGED);
        } else if (flags.flagStatus() == 1) {
            f.add(KEYWORD_COMPLETE);
        }
        switch (flags.lastVerb()) {
            case 1 -> f.add(Flags.Flag.ANSWERED);
            case 2 -> {
                f.add(Flags.Flag.ANSWERED);
                f.add(KEYWORD_REPLY_ALL);
            }
            case 3 -> f.add(KEYWORD_FORWARDED);
            default -> { }
        }
        for (String category : flags.categories()) {
            f.add(keyword(category));
        }
        return f;
    }

    static EmailFlags fromFlags(Flags f) {
        int flagStatus = f.contains(Flags.Flag.FLAGGED) ? 2 : f.contains(KEYWORD_COMPLETE) ? 1 : 0;
        int verb = f.contains(KEYWORD_FORWARDED) ? 3 : f.contains(Flags.Flag.ANSWERED)
                ? (f.contains(KEYWORD_REPLY_ALL) ? 2 : 1) : 0;
        List<String> categories = new ArrayList<>();
        for (String keyword : f.getUserFlags()) {
            if (!keyword.startsWith("$")) {
                categories.add(keyword);
            }
        }
        return new EmailFlags(f.contains(Flags.Flag.SEEN), flagStatus, verb, null, categories);
    }

    /** An IMAP keyword (an atom) for a category: characters an atom cannot hold become '_'. */
    static String keyword(String category) {
        StringBuilder atom = new StringBuilder();
        for (char c : category.toCharArray()) {
            boolean special = c <= 0x20 || c >= 0x7f || "(){%*\"\\]".indexOf(c) >= 0;
            atom.append(special ? '_' : c);
        }
        String value = atom.toString();
        return value.startsWith("$") || value.startsWith("\\") ? "_" + value.substring(1) : value;
    }

    /** The flags as an IMAP flag list, e.g. {@code (\Seen $Forwarded)}. */
    static String flagList(Flags flags) {
        StringBuilder list = new StringBuilder("(");
        for (Flags.Flag flag : flags.getSystemFlags()) {
            if (flag == Flags.Flag.SEEN) {
                list.append("\\Seen ");
            } else if (flag == Flags.Flag.FLAGGED) {
                list.append("\\Flagged ");
            } else if (flag == Flags.Flag.ANSWERED) {
                list.append("\\Answered ");
            }
        }
        for (String keyword : flags.getUserFlags()) {
            list.append(keyword).append(' ');
        }
        if (list.length() > 1) {
            list.setLength(list.length() - 1);
        }
        return list.append(')').toString();
    }
}
