package dev.easgate.core.command.mail;

import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.http.EasQuery;
import dev.easgate.wbxml.Opaque;
import dev.easgate.wbxml.WbxmlElement;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A SendMail, SmartReply or SmartForward request in either form, with its bytes copied out of the request buffer
 * (which is only valid while the handler runs):
 * <ul>
 * <li>14.0 and later: a ComposeMail WBXML body (MS-ASCMD 2.2.1.17.1, 2.2.1.19.1, 2.2.1.20.1) with ClientId,
 *     SaveInSentItems, ReplaceMime, Source and the message as opaque Mime;</li>
 * <li>12.x and earlier: the MIME itself as the body (Content-Type message/rfc822) with the query parameters
 *     SaveInSent=T, ItemId, CollectionId and LongId (MS-ASHTTP 2.2.1.1.1.2).</li>
 * </ul>
 *
 * @param mode        which command
 * @param clientId    the client's id for duplicate detection, or {@code null} (the 12.x form has none)
 * @param saveInSent  put a copy into the sender's Sent Items
 * @param replaceMime the client sent the whole message: do not add the original (MS-ASCMD 2.2.3.148)
 * @param mime        the message as the client wrote it
 * @param source      the item replied to or forwarded, or {@code null} for SendMail
 */
public record ComposeRequest(ComposeMode mode, String clientId, boolean saveInSent, boolean replaceMime,
                             byte[] mime, SourceRef source) {

    /**
     * The item a SmartReply or SmartForward refers to (MS-ASCMD 2.2.3.173 Source); every part may be missing.
     *
     * @param folderId   the folder holding it (FolderId / CollectionId)
     * @param itemId     its server id (ItemId)
     * @param longId     a Search result's long id (LongId)
     * @param instanceId the occurrence of a recurring meeting (InstanceId), ignored for email
     */
    public record SourceRef(String folderId, String itemId, String longId, String instanceId) {
    }

    public ComposeRequest {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(mime, "mime");
        if (mode.hasSource() != (source != null)) {
            throw new IllegalArgumentException(mode + (mode.hasSource() ? " needs" : " has no") + " source");
        }
    }

    /** Reads the request of {@code mode}; throws {@link ComposeException} when it is not well-formed. */
    public static ComposeRequest from(CommandRequest request, ComposeMode mode) {
        return request.hasBody() ? fromWbxml(request.body(), mode) : fromRawMime(request, mode);
    }

    static ComposeRequest fromWbxml(WbxmlElement body, ComposeMode mode) {
        if (!body.matches("ComposeMail:" + mode.command().root())) {
            throw new ComposeException(ComposeStatus.INVALID_XML, "root is " + body.name());
        }
        WbxmlElement mime = body.child("Mime");
        if (mime == null) {
            throw new ComposeException(ComposeStatus.INVALID_XML, "no Mime element");
        }
        SourceRef source = null;
        if (mode.hasSource()) {
            WbxmlElement s = body.child("Source");
            if (s == null) {
                throw new ComposeException(ComposeStatus.INVALID_XML, "no Source element");
            }
            source = new SourceRef(text(s, "FolderId"), text(s, "ItemId"), text(s, "LongId"),
                    text(s, "InstanceId"));
        }
        return new ComposeRequest(mode, text(body, "ClientId"), flag(body.child("SaveInSentItems")),
                flag(body.child("ReplaceMime")), bytesOf(mime), source);
    }

    static ComposeRequest fromRawMime(CommandRequest request, ComposeMode mode) {
        if (!request.rawBody().isReadable()) {
            throw new ComposeException(ComposeStatus.INVALID_MIME, "empty body");
        }
        byte[] mime = ByteBufUtil.getBytes(request.rawBody());
        EasQuery query = request.query();
        SourceRef source = mode.hasSource()
                ? new SourceRef(blankToNull(query.parameter("CollectionId")), blankToNull(query.parameter("ItemId")),
                        blankToNull(query.parameter("LongId")), null)
                : null;
        // 12.x has no ReplaceMime: the server always adds the original (MS-ASCMD 2.2.3.148 is 14.0 and later)
        return new ComposeRequest(mode, null, query.saveInSent(), false, mime, source);
    }

    /** An empty tag means "set" (MS-ASCMD 2.2.3.148, 2.2.3.157); a value of 0 or F is read as "not set". */
    private static boolean flag(WbxmlElement element) {
        if (element == null) {
            return false;
        }
        String value = element.text();
        return value == null || !(value.equals("0") || value.equalsIgnoreCase("F") || value.equalsIgnoreCase("false"));
    }

    private static byte[] bytesOf(WbxmlElement element) {
        Opaque opaque = element.opaque();
        if (opaque != null) {
            return opaque.toByteArray();
        }
        String text = element.text();
        return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(WbxmlElement parent, String name) {
        return blankToNull(parent.childText(name));
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    @Override
    public String toString() {
        return "ComposeRequest[" + mode + ", " + mime.length + " bytes, saveInSent=" + saveInSent + ", replaceMime="
                + replaceMime + ", source=" + source + "]";
    }
}
