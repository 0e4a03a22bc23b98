package dev.easgate.core.loop;

import java.util.List;

/**
 * Known client behaviours that a naive server takes for errors or loops, how the gateway handles each, and where
 * it is documented. Each has a test of its own ({@code ClientQuirksTest}), so a change that breaks the handling
 * fails the build. Loop detection ({@link LoopGuard}) never counts any of them.
 */
public final class ClientQuirks {

    /**
     * One quirk.
     *
     * @param name      short name
     * @param clients   the clients known to do it
     * @param behaviour what they send
     * @param handling  what the gateway does with it
     * @param sources   where it is documented (specification sections, public trackers)
     */
    public record Quirk(String name, String clients, String behaviour, String handling, List<String> sources) {
        public Quirk {
            sources = List.copyOf(sources);
        }
    }

    public static final Quirk IOS_CLIENT_ID = new Quirk("iOS ClientId forms", "iOS Mail, Calendar, Contacts",
            "ClientId values of a Sync Add are not small counters but GUID-like strings (hex groups joined by "
                    + "hyphens); a resent Add after a lost answer carries the same ClientId",
            "a ClientId is an opaque string of up to 64 characters; an Add resent with the same key and ClientId "
                    + "is answered from the kept answer with the same ServerId, never a second item",
            List.of("MS-ASCMD 2.2.3.28.2 ClientId (Sync): up to 64 digits and letters, typically (not necessarily) "
                            + "an integer: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/"
                            + "ms-ascmd/c5f14f3b-55eb-4d27-ba63-c3c9a4ff1d58",
                    "MS-ASCMD 2.2.3.181.4 SyncKey: a request repeating the previous key gets the same answer"));

    public static final Quirk SEMICOLON_RECIPIENTS = new Quirk("';'-separated recipients",
            "Android mail clients and other phone mail apps",
            "the To, Cc or Bcc header of SendMail's MIME lists addresses separated by ';' (as typed in Outlook) "
                    + "instead of ',' (RFC 5322 3.4)",
            "SendMail, SmartReply and SmartForward read the recipient headers with Jakarta Mail's lenient "
                    + "(non-strict) address parser (MessageComposer.recipients), which takes a ';' outside a group "
                    + "as a separator: every address is delivered",
            List.of("RFC 5322 3.4: address lists are comma-separated; ';' ends a group",
                    "tine20/tine20 issue 1379: clients sending 'a@x;b@y' in one To header, only the last delivered: "
                            + "https://github.com/tine20/tine20/issues/1379",
                    "mozilla-b2g/gaia pull 27542 (Bug 1116728): a phone mail client's mail to ';'-separated "
                            + "recipients could not be sent: https://github.com/mozilla-b2g/gaia/pull/27542"));

    public static final Quirk HEARTBEAT_SYNC = new Quirk("heartbeat Syncs without collections",
            "iOS, Outlook for iOS and Android, most 14.0+ clients",
            "a Sync with no body, or only Partial with HeartbeatInterval or Wait, sent again and again while "
                    + "nothing changes",
            "the cached request stands for it (its collections and keys), the answer is the empty Sync response; "
                    + "such requests are never counted as repeats by loop detection",
            List.of("MS-ASCMD 2.2.1.21.1 Empty Sync Request: https://learn.microsoft.com/en-us/openspecs/"
                            + "exchange_server_protocols/ms-ascmd/cf24b26c-3090-4349-af8f-795f2eedbe8f",
                    "MS-ASCMD 2.2.3.131 Partial: Partial with only Wait or HeartbeatInterval is a valid request: "
                            + "https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-ascmd/"
                            + "ce87a247-3999-4958-99ee-50f9dddf01a6"));

    public static final Quirk GMAIL_FOLDERSYNC_ZERO = new Quirk("Gmail's repeated FolderSync 0",
            "Gmail for Android (Exchange accounts), since late 2025",
            "FolderSync with SyncKey 0 during ordinary syncs (a pull to refresh), not only at account set-up",
            "FolderSync 0 answers the whole folder list with a new hierarchy key and keeps every folder's Sync "
                    + "state: the collections' keys stay valid, nothing is downloaded again, and it is not counted "
                    + "as a repeat",
            List.of("MS-ASCMD 2.2.1.5 FolderSync and 2.2.3.181.2 SyncKey: with key 0 every folder is returned",
                    "Z-Hub/Z-Push issue 176: Gmail 2025.11 sends FolderSync 0 while syncing; a server that drops "
                            + "its states makes messages vanish and download again: "
                            + "https://github.com/Z-Hub/Z-Push/issues/176"));

    /** Every known quirk. */
    public static final List<Quirk> ALL = List.of(IOS_CLIENT_ID, SEMICOLON_RECIPIENTS, HEARTBEAT_SYNC,
            GMAIL_FOLDERSYNC_ZERO);

    private ClientQuirks() {
    }
}
