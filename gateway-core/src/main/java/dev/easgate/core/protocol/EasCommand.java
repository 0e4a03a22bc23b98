package dev.easgate.core.protocol;

import dev.easgate.wbxml.codepage.CodePage;

/**
 * Every command of MS-ASCMD with its code in the base64 query form (MS-ASHTTP 2.2.1.1.1.1.2) and the root and
 * status elements of its WBXML response (used where a response must carry a status the handler never sees, such
 * as 142 for a device that must provision).
 */
public enum EasCommand {
    SYNC("Sync", 0, CodePage.AIR_SYNC, "Sync"),
    SEND_MAIL("SendMail", 1, CodePage.COMPOSE_MAIL, "SendMail"),
    SMART_FORWARD("SmartForward", 2, CodePage.COMPOSE_MAIL, "SmartForward"),
    SMART_REPLY("SmartReply", 3, CodePage.COMPOSE_MAIL, "SmartReply"),
    GET_ATTACHMENT("GetAttachment", 4, null, null),
    FOLDER_SYNC("FolderSync", 9, CodePage.FOLDER_HIERARCHY, "FolderSync"),
    FOLDER_CREATE("FolderCreate", 10, CodePage.FOLDER_HIERARCHY, "FolderCreate"),
    FOLDER_DELETE("FolderDelete", 11, CodePage.FOLDER_HIERARCHY, "FolderDelete"),
    FOLDER_UPDATE("FolderUpdate", 12, CodePage.FOLDER_HIERARCHY, "FolderUpdate"),
    MOVE_ITEMS("MoveItems", 13, CodePage.MOVE, "MoveItems"),
    GET_ITEM_ESTIMATE("GetItemEstimate", 14, CodePage.GET_ITEM_ESTIMATE, "GetItemEstimate"),
    MEETING_RESPONSE("MeetingResponse", 15, CodePage.MEETING_RESPONSE, "MeetingResponse"),
    SEARCH("Search", 16, CodePage.SEARCH, "Search"),
    SETTINGS("Settings", 17, CodePage.SETTINGS, "Settings"),
    PING("Ping", 18, CodePage.PING, "Ping"),
    ITEM_OPERATIONS("ItemOperations", 19, CodePage.ITEM_OPERATIONS, "ItemOperations"),
    PROVISION("Provision", 20, CodePage.PROVISION, "Provision"),
    RESOLVE_RECIPIENTS("ResolveRecipients", 21, CodePage.RESOLVE_RECIPIENTS, "ResolveRecipients"),
    VALIDATE_CERT("ValidateCert", 22, CodePage.VALIDATE_CERT, "ValidateCert"),
    FIND("Find", 23, CodePage.FIND, "Find");

    private final String wireName;
    private final int base64Code;
    private final CodePage page;
    private final String root;

    EasCommand(String wireName, int base64Code, CodePage page, String root) {
        this.wireName = wireName;
        this.base64Code = base64Code;
        this.page = page;
        this.root = root;
    }

    /** The value of the Cmd query parameter. */
    public String wireName() {
        return wireName;
    }

    public int base64Code() {
        return base64Code;
    }

    /** The code page of the response's root element, or {@code null} when the response is not WBXML. */
    public CodePage page() {
        return page;
    }

    /** The name of the response's root element, or {@code null}. */
    public String root() {
        return root;
    }

    public static EasCommand ofWireName(String name) {
        for (EasCommand command : values()) {
            if (command.wireName.equals(name)) {
                return command;
            }
        }
        return null;
    }

    public static EasCommand ofBase64Code(int code) {
        for (EasCommand command : values()) {
            if (command.base64Code == code) {
                return command;
            }
        }
        return null;
    }
}
