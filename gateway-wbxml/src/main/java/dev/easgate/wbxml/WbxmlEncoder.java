package dev.easgate.wbxml;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.List;

/**
 * Encodes a {@link WbxmlElement} tree as an EAS WBXML document: header {@code 03 01 6A 00}, SWITCH_PAGE only where
 * the page changes, STR_I for text, OPAQUE for binary values, the content bit on tags that have content.
 *
 * <p>The exact length is computed first, so the output is written in one pass into a buffer sized once.
 */
public final class WbxmlEncoder {
    private WbxmlEncoder() {
    }

    /** Writes the document into {@code out} at its writer index. */
    public static void encode(WbxmlElement root, ByteBuf out) {
        out.ensureWritable(encodedLength(root));
        out.writeBytes(WbxmlTokens.HEADER);
        writeElement(root, out, 0);
    }

    /** The document in a new buffer from {@code allocator}, sized exactly; the caller releases it. */
    public static ByteBuf encode(WbxmlElement root, ByteBufAllocator allocator) {
        int length = encodedLength(root);
        ByteBuf out = allocator.buffer(length, length);
        try {
            out.writeBytes(WbxmlTokens.HEADER);
            writeElement(root, out, 0);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** The document as a new array of exactly its length. */
    public static byte[] encode(WbxmlElement root) {
        byte[] bytes = new byte[encodedLength(root)];
        ByteBuf out = Unpooled.wrappedBuffer(bytes);
        out.writerIndex(0);
        out.writeBytes(WbxmlTokens.HEADER);
        writeElement(root, out, 0);
        return bytes;
    }

    /** The exact number of bytes {@link #encode(WbxmlElement, ByteBuf)} writes, header included. */
    public static int encodedLength(WbxmlElement root) {
        long length = WbxmlTokens.HEADER.length + (elementLength(root, 0) & 0xFFFF_FFFFL);
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("document of " + length + " bytes is too large to encode");
        }
        return (int) length;
    }

    /**
     * The encoded length of one element in the low 32 bits and the code page in effect after it in the high 32
     * bits, so that SWITCH_PAGE is counted exactly as {@link #writeElement} writes it.
     */
    private static long elementLength(WbxmlElement element, int page) {
        long length = 0;
        int elementPage = element.page().number();
        if (elementPage != page) {
            length += 2;
            page = elementPage;
        }
        length += 1;
        List<WbxmlElement> children = element.children();
        if (!children.isEmpty()) {
            for (int i = 0, n = children.size(); i < n; i++) {
                long packed = elementLength(children.get(i), page);
                length += packed & 0xFFFF_FFFFL;
                page = (int) (packed >>> 32);
            }
            length += 1; // END
        } else {
            String text = element.text();
            if (text != null) {
                length += 2L + ByteBufUtil.utf8Bytes(text);
                length += 1; // END
            } else {
                Opaque opaque = element.opaque();
                if (opaque != null) {
                    length += 1L + mbUInt32Length(opaque.length()) + opaque.length();
                    length += 1; // END
                }
            }
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("element " + element.tag().qualifiedName() + " is too large to encode");
        }
        return ((long) page << 32) | length;
    }

    /** Writes one element; returns the code page in effect afterwards. */
    private static int writeElement(WbxmlElement element, ByteBuf out, int page) {
        int elementPage = element.page().number();
        if (elementPage != page) {
            out.writeByte(WbxmlTokens.SWITCH_PAGE);
            out.writeByte(elementPage);
            page = elementPage;
        }
        int token = element.tag().token();
        List<WbxmlElement> children = element.children();
        if (!children.isEmpty()) {
            out.writeByte(token | WbxmlTokens.CONTENT);
            for (int i = 0, n = children.size(); i < n; i++) {
                page = writeElement(children.get(i), out, page);
            }
            out.writeByte(WbxmlTokens.END);
            return page;
        }
        String text = element.text();
        if (text != null) {
            out.writeByte(token | WbxmlTokens.CONTENT);
            out.writeByte(WbxmlTokens.STR_I);
            // exact reservation: writeUtf8 alone reserves 3 bytes a char and fails on an exactly sized buffer
            ByteBufUtil.reserveAndWriteUtf8(out, text, ByteBufUtil.utf8Bytes(text));
            out.writeByte(0);
            out.writeByte(WbxmlTokens.END);
            return page;
        }
        Opaque opaque = element.opaque();
        if (opaque != null) {
            out.writeByte(token | WbxmlTokens.CONTENT);
            out.writeByte(WbxmlTokens.OPAQUE);
            writeMbUInt32(out, opaque.length());
            out.writeBytes(opaque.buffer());
            out.writeByte(WbxmlTokens.END);
            return page;
        }
        out.writeByte(token);
        return page;
    }

    static int mbUInt32Length(int value) {
        int length = 1;
        while ((value >>>= 7) != 0) {
            length++;
        }
        return length;
    }

    static void writeMbUInt32(ByteBuf out, int value) {
        int shift = (mbUInt32Length(value) - 1) * 7;
        for (; shift > 0; shift -= 7) {
            out.writeByte(0x80 | ((value >>> shift) & 0x7F));
        }
        out.writeByte(value & 0x7F);
    }
}
