package dev.easgate.wbxml;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes a {@link WbxmlElement} tree as an EAS WBXML document: header {@code 03 01 6A 00}, SWITCH_PAGE only where
 * the page changes, STR_I for text, OPAQUE for binary values, the content bit on tags that have content.
 *
 * <p>One pass writes the document into a per-thread array: in chunks of a few kilobytes copied into a
 * destination buffer as they fill up, or whole, then copied once into an exactly sized array or buffer. Text is
 * converted to UTF-8 here, a block of chars at a time; an unpaired surrogate becomes {@code ?}, as
 * {@link String#getBytes} does. The tree is walked with an explicit stack, so a deep tree built in code cannot
 * overflow the Java stack. {@link #encodedLength} counts the same bytes without writing them.
 */
public final class WbxmlEncoder {
    /** Bytes staged before they are copied into a destination buffer. */
    private static final int CHUNK_BYTES = 8192;
    /** Chars of a text converted at a time: at most 3 bytes each, so a block always fits an empty chunk. */
    private static final int BLOCK_CHARS = 2048;
    /** Largest staging array a thread keeps between documents written whole. */
    private static final int MAX_RETAINED_BYTES = 1 << 20;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final ThreadLocal<Writer> WRITERS = ThreadLocal.withInitial(Writer::new);

    private WbxmlEncoder() {
    }

    /**
     * Writes the document into {@code out} at its writer index, growing it as needed. When that fails (the buffer
     * cannot grow enough), the writer index is put back where it was.
     */
    public static void encode(WbxmlElement root, ByteBuf out) {
        Writer writer = WRITERS.get();
        int writerIndex = out.writerIndex();
        try {
            writer.startChunked(out);
            writer.document(root);
            writer.flush();
        } catch (RuntimeException e) {
            out.writerIndex(writerIndex);
            throw e;
        } finally {
            writer.clear();
        }
    }

    /** The document in a new buffer from {@code allocator}, sized exactly; the caller releases it. */
    public static ByteBuf encode(WbxmlElement root, ByteBufAllocator allocator) {
        Writer writer = WRITERS.get();
        try {
            int length = writer.whole(root);
            ByteBuf out = allocator.buffer(length, length);
            out.writeBytes(writer.bytes, 0, length);
            return out;
        } finally {
            writer.clear();
        }
    }

    /** The document as a new array of exactly its length. */
    public static byte[] encode(WbxmlElement root) {
        Writer writer = WRITERS.get();
        try {
            int length = writer.whole(root);
            return Arrays.copyOf(writer.bytes, length);
        } finally {
            writer.clear();
        }
    }

    /** The exact number of bytes {@link #encode(WbxmlElement, ByteBuf)} writes, header included. */
    public static int encodedLength(WbxmlElement root) {
        Writer writer = WRITERS.get();
        try {
            return writer.length(root);
        } finally {
            writer.clear();
        }
    }

    static int mbUInt32Length(int value) {
        int length = 1;
        while ((value >>>= 7) != 0) {
            length++;
        }
        return length;
    }

    /**
     * Writes a document into an array: a chunk flushed into a destination buffer, or a staging array that grows to
     * hold the whole document. One per thread, reused; holds no reference to a destination between documents.
     */
    private static final class Writer {
        private final byte[] chunk = new byte[CHUNK_BYTES];
        private byte[] staging = new byte[CHUNK_BYTES];
        private final char[] block = new char[BLOCK_CHARS];
        private byte[] bytes;
        private int pos;
        private int limit;
        private ByteBuf out; // null when writing a whole document into the staging array

        /** Writes the whole document into the staging array; returns its length. */
        int whole(WbxmlElement root) {
            bytes = staging;
            pos = 0;
            limit = staging.length;
            out = null;
            document(root);
            staging = bytes.length <= MAX_RETAINED_BYTES ? bytes : new byte[CHUNK_BYTES];
            return pos;
        }

        void startChunked(ByteBuf destination) {
            bytes = chunk;
            pos = 0;
            limit = chunk.length;
            out = destination;
        }

        /** Makes room for {@code n} more bytes: flushes the chunk (n is at most a chunk) or grows the staging array. */
        private void room(int n) {
            if (limit - pos < n) {
                if (out != null) {
                    flush();
                } else {
                    grow(n);
                }
            }
        }

        private void grow(int n) {
            long wanted = Math.max((long) pos + n, 2L * bytes.length);
            if ((long) pos + n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("document of more than " + pos + " bytes is too large to encode");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(wanted, Integer.MAX_VALUE - 8));
            limit = bytes.length;
        }

        void flush() {
            if (out != null && pos > 0) {
                out.writeBytes(chunk, 0, pos);
                pos = 0;
            }
        }

        // the open parents of the walk: element and index of its next child; iterative, so depth never grows the
        // Java stack (a tree built in code has no depth limit)
        private WbxmlElement[] parents = new WbxmlElement[16];
        private int[] nextChild = new int[16];
        private int deepest;

        private void push(int depth, WbxmlElement parent) {
            if (depth == parents.length) {
                parents = Arrays.copyOf(parents, depth * 2);
                nextChild = Arrays.copyOf(nextChild, depth * 2);
            }
            parents[depth] = parent;
            nextChild[depth] = 0;
            deepest = Math.max(deepest, depth + 1);
        }

        /** Forgets the destination and the elements of the last walk. */
        void clear() {
            bytes = null;
            out = null;
            Arrays.fill(parents, 0, deepest, null);
            deepest = 0;
        }

        /** The exact encoded length of the document, header included; walks the tree as {@link #document} does. */
        int length(WbxmlElement root) {
            long length = WbxmlTokens.HEADER.length;
            int page = 0;
            int depth = 0;
            WbxmlElement element = root;
            while (true) {
                int elementPage = element.page().number();
                if (elementPage != page) {
                    length += 2;
                    page = elementPage;
                }
                length += 1;
                if (!element.children().isEmpty()) {
                    push(depth++, element);
                } else {
                    String text = element.text();
                    if (text != null) {
                        length += 3 + utf8Length(text); // STR_I, text, NUL, END
                    } else {
                        Opaque opaque = element.opaque();
                        if (opaque != null) {
                            length += 2 + mbUInt32Length(opaque.length()) + opaque.length(); // OPAQUE, length, END
                        }
                    }
                }
                element = null;
                while (depth > 0) {
                    WbxmlElement parent = parents[depth - 1];
                    List<WbxmlElement> children = parent.children();
                    int next = nextChild[depth - 1];
                    if (next < children.size()) {
                        nextChild[depth - 1] = next + 1;
                        element = children.get(next);
                        break;
                    }
                    length += 1; // END of the parent
                    depth--;
                }
                if (element == null) {
                    break;
                }
            }
            if (length > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("document of " + length + " bytes is too large to encode");
            }
            return (int) length;
        }

        /** Writes the document: header, then the elements in document order. */
        void document(WbxmlElement root) {
            room(WbxmlTokens.HEADER.length);
            System.arraycopy(WbxmlTokens.HEADER, 0, bytes, pos, WbxmlTokens.HEADER.length);
            pos += WbxmlTokens.HEADER.length;
            int page = 0;
            int depth = 0;
            WbxmlElement element = root;
            while (true) {
                room(9); // SWITCH_PAGE, page, tag, then OPAQUE and a length of up to 5 bytes at most
                byte[] b = bytes;
                int p = pos;
                int elementPage = element.page().number();
                if (elementPage != page) {
                    b[p++] = WbxmlTokens.SWITCH_PAGE;
                    b[p++] = (byte) elementPage;
                    page = elementPage;
                }
                int token = element.tag().token();
                if (!element.children().isEmpty()) {
                    b[p++] = (byte) (token | WbxmlTokens.CONTENT);
                    pos = p;
                    push(depth++, element);
                } else {
                    pos = leaf(element, b, p, token);
                }
                element = null;
                while (depth > 0) {
                    WbxmlElement parent = parents[depth - 1];
                    List<WbxmlElement> children = parent.children();
                    int next = nextChild[depth - 1];
                    if (next < children.size()) {
                        nextChild[depth - 1] = next + 1;
                        element = children.get(next);
                        break;
                    }
                    room(1);
                    bytes[pos++] = WbxmlTokens.END;
                    depth--;
                }
                if (element == null) {
                    return;
                }
            }
        }

        /** Writes an element without children from its tag on; {@code b[p]} has room for 7 bytes. */
        private int leaf(WbxmlElement element, byte[] b, int p, int token) {
            String text = element.text();
            if (text != null) {
                b[p++] = (byte) (token | WbxmlTokens.CONTENT);
                b[p++] = WbxmlTokens.STR_I;
                pos = p;
                text(text);
                room(2);
                bytes[pos++] = 0;
                bytes[pos++] = WbxmlTokens.END;
                return pos;
            }
            Opaque opaque = element.opaque();
            if (opaque != null) {
                b[p++] = (byte) (token | WbxmlTokens.CONTENT);
                b[p++] = (byte) WbxmlTokens.OPAQUE;
                pos = mbUInt32(b, p, opaque.length());
                opaque(opaque);
                room(1);
                bytes[pos++] = WbxmlTokens.END;
                return pos;
            }
            b[p++] = (byte) token;
            return p;
        }

        private static int mbUInt32(byte[] b, int p, int value) {
            for (int shift = (mbUInt32Length(value) - 1) * 7; shift > 0; shift -= 7) {
                b[p++] = (byte) (0x80 | ((value >>> shift) & 0x7F));
            }
            b[p++] = (byte) (value & 0x7F);
            return p;
        }

        private void opaque(Opaque opaque) {
            int length = opaque.length();
            if (out == null || length <= limit - pos) {
                room(length);
                opaque.copyTo(bytes, pos);
                pos += length;
            } else {
                flush();
                opaque.writeTo(out);
            }
        }

        /** Writes {@code text} as UTF-8, a block of chars at a time. */
        private void text(String text) {
            char[] chars = block;
            int length = text.length();
            for (int i = 0; i < length; ) {
                int n = Math.min(length - i, chars.length);
                text.getChars(i, i + n, chars, 0);
                if (i + n < length && Character.isHighSurrogate(chars[n - 1])) {
                    n--; // keep a surrogate pair in one block
                }
                room(3 * n);
                pos = utf8(chars, n, bytes, pos);
                i += n;
            }
        }

        /** The UTF-8 length of {@code text} as {@link #text} writes it, counted a block of chars at a time. */
        private long utf8Length(String text) {
            char[] chars = block;
            int length = text.length();
            long bytes = 0;
            for (int i = 0; i < length; ) {
                int n = Math.min(length - i, chars.length);
                text.getChars(i, i + n, chars, 0);
                if (i + n < length && Character.isHighSurrogate(chars[n - 1])) {
                    n--;
                }
                bytes += utf8Length(chars, n);
                i += n;
            }
            return bytes;
        }

        private static int utf8Length(char[] chars, int n) {
            int bytes = n;
            int i = 0;
            while (i < n) {
                // eight ASCII chars at a time, one byte each; a group with other chars is counted char by char
                int end = Math.min(i + 8, n);
                if (end - i == 8 && (chars[i] | chars[i + 1] | chars[i + 2] | chars[i + 3] | chars[i + 4]
                        | chars[i + 5] | chars[i + 6] | chars[i + 7]) < 0x80) {
                    i = end;
                    continue;
                }
                while (i < end) {
                    char c = chars[i++];
                    if (c >= 0x80) {
                        if (c < 0x800) {
                            bytes += 1;
                        } else if (!Character.isSurrogate(c)) {
                            bytes += 2;
                        } else if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(chars[i])) {
                            bytes += 2; // two chars, four bytes
                            i++;
                        } // an unpaired surrogate is written as '?'
                    }
                }
            }
            return bytes;
        }

        /** Encodes {@code chars[0..n)} into {@code b} at {@code p}; returns the position after the last byte. */
        private static int utf8(char[] chars, int n, byte[] b, int p) {
            int i = 0;
            while (i + 8 <= n) {
                long c0 = chars[i];
                long c1 = chars[i + 1];
                long c2 = chars[i + 2];
                long c3 = chars[i + 3];
                long c4 = chars[i + 4];
                long c5 = chars[i + 5];
                long c6 = chars[i + 6];
                long c7 = chars[i + 7];
                if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) < 0x80) { // eight ASCII chars: one store
                    LONG_LE.set(b, p, c0 | c1 << 8 | c2 << 16 | c3 << 24 | c4 << 32 | c5 << 40 | c6 << 48 | c7 << 56);
                    i += 8;
                    p += 8;
                } else { // char by char to the end of the group (or one past it, for a surrogate pair)
                    for (int end = i + 8; i < end; ) {
                        char c = chars[i++];
                        if (c < 0x80) {
                            b[p++] = (byte) c;
                        } else {
                            p = utf8(c, chars, i, n, b, p);
                            if (p < 0) { // a surrogate pair: its low half is consumed too
                                p = ~p;
                                i++;
                            }
                        }
                    }
                }
            }
            while (i < n) {
                char c = chars[i++];
                if (c < 0x80) {
                    b[p++] = (byte) c;
                } else {
                    p = utf8(c, chars, i, n, b, p);
                    if (p < 0) {
                        p = ~p;
                        i++;
                    }
                }
            }
            return p;
        }

        /**
         * Encodes one char of 0x80 or more, {@code chars[i]} being the next one; returns the position after the
         * last byte, or its complement when {@code chars[i]} was consumed as the low half of a surrogate pair.
         */
        private static int utf8(char c, char[] chars, int i, int n, byte[] b, int p) {
            if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (!Character.isSurrogate(c)) {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(chars[i])) {
                int cp = Character.toCodePoint(c, chars[i]);
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
                return ~p;
            } else {
                b[p++] = '?';
            }
            return p;
        }
    }
}
