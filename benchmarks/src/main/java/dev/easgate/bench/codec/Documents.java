package dev.easgate.bench.codec;

import static dev.easgate.wbxml.WbxmlElement.el;

import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;

import java.nio.charset.StandardCharsets;

/**
 * The documents the codec benchmark measures, built with the {@link WbxmlElement} builder. Content is deterministic:
 * the same documents, byte for byte, on every run, so that figures from different runs and from the libwbxml harness
 * compare.
 */
public final class Documents {
    /** Emails in {@link #syncResponse()}. */
    public static final int SYNC_EMAILS = 50;
    /** UTF-8 length of every AirSyncBase:Preview in {@link #syncResponse()}. */
    public static final int PREVIEW_BYTES = 512;
    /** UTF-8 length of every (truncated) AirSyncBase:Body/Data in {@link #syncResponse()}. */
    public static final int BODY_BYTES = 1024;

    private static final String[] WORDS = {
            "meeting", "tomorrow", "quarterly", "report", "attached", "please", "review", "the", "draft", "before",
            "Friday", "thanks", "regards", "budget", "schedule", "update", "customer", "feedback", "about", "release",
            "café", "résumé", "naïve", "Zürich", "São", "Paulo", "Łódź", "smörgåsbord", "déjà", "vu",
            "\uD83D\uDE00", "\uD83D\uDCC5", "\uD83D\uDE80", "\u2014", "\u20AC42", "\u00BD", "OK", "and", "to", "for",
    };
    private static final String[] PEOPLE = {
            "Alice Martin", "Bob Müller", "Chloé Dubois", "Dmitri Ivanov", "Eva Nováková", "Farid Haddad",
            "Grace O'Neil", "Hiro Tanaka",
    };

    private Documents() {
    }

    /**
     * A Sync response carrying {@value #SYNC_EMAILS} new emails in one collection: headers, a truncated plain-text
     * body, a {@value #PREVIEW_BYTES}-byte preview, an opaque ConversationId/ConversationIndex, a flag.
     */
    public static WbxmlElement syncResponse() {
        return el(CodePage.AIR_SYNC, "Sync").child("Collections", collections -> collections
                .child("Collection", collection -> {
                    collection.child("SyncKey", "1843072291")
                            .child("CollectionId", "7")
                            .child("Status", 1)
                            .child("Commands", commands -> {
                                for (int i = 0; i < SYNC_EMAILS; i++) {
                                    int n = i;
                                    commands.child("Add", add -> add
                                            .child("ServerId", "7:" + (1000 + n))
                                            .child("ApplicationData", data -> email(data, n)));
                                }
                            })
                            .empty("MoreAvailable");
                }))
                .build();
    }

    private static void email(WbxmlElement.Builder data, int n) {
        String from = PEOPLE[n % PEOPLE.length];
        String to = PEOPLE[(n * 3 + 1) % PEOPLE.length];
        String subject = (n % 3 == 0 ? "RE: " : "") + "Quarterly report " + (n + 1) + " \u2014 café budget review";
        data.child("Email:To", quoted(to))
                .child("Email:From", quoted(from))
                .child("Email:Subject", subject)
                .child("Email:DateReceived", String.format("2025-03-%02dT%02d:%02d:%02d.000Z",
                        1 + n % 28, n % 24, (n * 7) % 60, (n * 13) % 60))
                .child("Email:DisplayTo", to)
                .child("Email:ThreadTopic", subject.startsWith("RE: ") ? subject.substring(4) : subject)
                .child("Email:Importance", n % 5 == 0 ? 2 : 1)
                .child("Email:Read", n % 2)
                .child("Email:MessageClass", "IPM.Note")
                .child("AirSyncBase:Body", body -> body
                        .child("Type", 1)
                        .child("EstimatedDataSize", 4096 + n * 37)
                        .child("Truncated", 1)
                        .child("Data", text(BODY_BYTES, n * 11 + 5)))
                .child("AirSyncBase:NativeBodyType", 2)
                .opaque("Email2:ConversationId", bytes(16, n / 3))
                .opaque("Email2:ConversationIndex", bytes(n % 3 == 0 ? 5 : 10, n))
                .child("AirSyncBase:Preview", text(PREVIEW_BYTES, n))
                .child("Email:Flag", flag -> {
                    if (n % 4 == 0) {
                        flag.child("Status", 2).child("FlagType", "Follow up");
                    }
                })
                .child("Email:InternetCPID", 65001)
                .child("Email:ContentClass", "urn:content-classes:message");
    }

    private static String quoted(String name) {
        String address = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z]+", ".") + "@example.com";
        return "\"" + name + "\" <" + address + ">";
    }

    /**
     * Deterministic prose of exactly {@code utf8Bytes} bytes of UTF-8: mostly ASCII words, some accented Latin and a
     * few non-BMP characters (emoji), as in real mail.
     */
    static String text(int utf8Bytes, int seed) {
        StringBuilder text = new StringBuilder(utf8Bytes);
        int bytes = 0;
        int state = seed * 7919 + 17;
        while (true) {
            state = state * 1103515245 + 12345;
            String word = WORDS[(state >>> 16) % WORDS.length];
            int wordBytes = word.getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes + wordBytes > utf8Bytes) {
                break;
            }
            text.append(word).append((state & 0x700) == 0 ? '\n' : ' ');
            bytes += wordBytes;
        }
        while (bytes < utf8Bytes) {
            text.append('.');
            bytes++;
        }
        return text.toString();
    }

    private static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        int state = seed * 31 + 7;
        for (int i = 0; i < length; i++) {
            state = state * 1103515245 + 12345;
            bytes[i] = (byte) (state >>> 16);
        }
        return bytes;
    }

    /** A Ping request: a heartbeat interval and five folders to watch. */
    public static WbxmlElement pingRequest() {
        String[][] folders = {{"5", "Email"}, {"7", "Email"}, {"2", "Calendar"}, {"3", "Contacts"}, {"9", "Tasks"}};
        return el(CodePage.PING, "Ping")
                .child("HeartbeatInterval", 480)
                .child("Folders", list -> {
                    for (String[] folder : folders) {
                        list.child("Folder", f -> f.child("Id", folder[0]).child("Class", folder[1]));
                    }
                })
                .build();
    }
}
