package dev.easgate.wbxml;

import static dev.easgate.wbxml.WbxmlException.Reason.BAD_HEADER;
import static dev.easgate.wbxml.WbxmlException.Reason.INTEGER_OVERFLOW;
import static dev.easgate.wbxml.WbxmlException.Reason.MALFORMED_STRUCTURE;
import static dev.easgate.wbxml.WbxmlException.Reason.TOO_DEEP;
import static dev.easgate.wbxml.WbxmlException.Reason.TOO_LONG;
import static dev.easgate.wbxml.WbxmlException.Reason.TOO_MANY_ELEMENTS;
import static dev.easgate.wbxml.WbxmlException.Reason.TRAILING_DATA;
import static dev.easgate.wbxml.WbxmlException.Reason.TRUNCATED;
import static dev.easgate.wbxml.WbxmlException.Reason.UNKNOWN_PAGE;
import static dev.easgate.wbxml.WbxmlException.Reason.UNKNOWN_TOKEN;
import static dev.easgate.wbxml.WbxmlException.Reason.UNSUPPORTED_FEATURE;

import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes a whole EAS WBXML document (MS-ASWBXML 2.1.2) into an immutable {@link WbxmlElement} tree.
 *
 * <p>Iterative, so nesting never grows the Java stack; every length is checked against the {@link WbxmlLimits}
 * and against the bytes actually present before anything is allocated. Opaque values are views of the input, not
 * copies. Thread-safe: all per-document state lives in a {@link Cursor}.
 */
public final class WbxmlDecoder {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** A decoder with {@link WbxmlLimits#DEFAULT}. */
    public static final WbxmlDecoder DEFAULT = new WbxmlDecoder(WbxmlLimits.DEFAULT);

    private final WbxmlLimits limits;

    public WbxmlDecoder(WbxmlLimits limits) {
        this.limits = limits;
    }

    public WbxmlLimits limits() {
        return limits;
    }

    /** Decodes the whole array; opaque values view the array. */
    public WbxmlElement decode(byte[] document) {
        return decode(Unpooled.wrappedBuffer(document));
    }

    /**
     * Decodes the readable bytes of {@code document}, which must hold exactly one document, and moves its reader
     * index to the end. Opaque values view {@code document}: keep it (and its reference count) while they are used.
     *
     * @throws WbxmlException when the input is not a well-formed EAS WBXML document within the limits
     */
    public WbxmlElement decode(ByteBuf document) {
        int start = document.readerIndex();
        int end = document.writerIndex();
        WbxmlElement root = new Cursor(document, start, end, limits).document();
        document.readerIndex(end);
        return root;
    }

    /**
     * UTF-8 to String for inline strings. Well-formed UTF-8 has exactly one decoding, so this gives what
     * {@code new String(bytes, UTF_8)} gives, which it leaves malformed input to (its replacement rules apply).
     * Faster on mostly-ASCII text with some other chars (mail in European languages): eight ASCII bytes at a time,
     * and the chars go through a per-thread array instead of a twice-too-large one trimmed afterwards.
     */
    static final class Utf8 {
        static final int SCRATCH_CHARS = 16 * 1024;
        private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
        private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

        private static final class Scratch {
            final char[] chars = new char[SCRATCH_CHARS];
            final byte[] bytes = new byte[SCRATCH_CHARS];
        }

        private Utf8() {
        }

        static byte[] scratchBytes() {
            return SCRATCH.get().bytes;
        }

        static String decode(byte[] a, int offset, int length) {
            int end = offset + length;
            int i = offset;
            while (i + 8 <= end && ((long) LONG_LE.get(a, i) & HIGH_BITS) == 0) {
                i += 8;
            }
            while (i < end && a[i] >= 0) {
                i++;
            }
            if (i == end) { // ASCII: one copy
                return new String(a, offset, length, StandardCharsets.ISO_8859_1);
            }
            if (length > SCRATCH_CHARS) {
                return new String(a, offset, length, StandardCharsets.UTF_8);
            }
            char[] chars = SCRATCH.get().chars;
            int n = 0;
            for (int j = offset; j < i; j++) {
                chars[n++] = (char) a[j];
            }
            while (i < end) {
                if (i + 8 <= end) {
                    long v = (long) LONG_LE.get(a, i);
                    if ((v & HIGH_BITS) == 0) {
                        for (int k = 0; k < 8; k++) {
                            chars[n + k] = (char) ((v >>> (k << 3)) & 0x7F);
                        }
                        n += 8;
                        i += 8;
                        continue;
                    }
                }
                int b = a[i];
                if (b >= 0) {
                    chars[n++] = (char) b;
                    i++;
                } else if ((b & 0xE0) == 0xC0 && b >= (byte) 0xC2 && i + 1 < end && isContinuation(a[i + 1])) {
                    chars[n++] = (char) (((b & 0x1F) << 6) | (a[i + 1] & 0x3F));
                    i += 2;
                } else if ((b & 0xF0) == 0xE0 && i + 2 < end && isContinuation(a[i + 1]) && isContinuation(a[i + 2])) {
                    int c = ((b & 0x0F) << 12) | ((a[i + 1] & 0x3F) << 6) | (a[i + 2] & 0x3F);
                    if (c < 0x800 || Character.isSurrogate((char) c)) {
                        return new String(a, offset, length, StandardCharsets.UTF_8); // overlong or a surrogate
                    }
                    chars[n++] = (char) c;
                    i += 3;
                } else if ((b & 0xF8) == 0xF0 && i + 3 < end && isContinuation(a[i + 1])
                        && isContinuation(a[i + 2]) && isContinuation(a[i + 3])) {
                    int c = ((b & 0x07) << 18) | ((a[i + 1] & 0x3F) << 12) | ((a[i + 2] & 0x3F) << 6)
                            | (a[i + 3] & 0x3F);
                    if (c < 0x1_0000 || c > Character.MAX_CODE_POINT) {
                        return new String(a, offset, length, StandardCharsets.UTF_8);
                    }
                    chars[n++] = Character.highSurrogate(c);
                    chars[n++] = Character.lowSurrogate(c);
                    i += 4;
                } else {
                    return new String(a, offset, length, StandardCharsets.UTF_8); // malformed: the JDK's rules
                }
            }
            return new String(chars, 0, n);
        }

        private static boolean isContinuation(byte b) {
            return (b & 0xC0) == 0x80;
        }
    }

    /** The state of decoding one document. */
    private static final class Cursor {
        private final ByteBuf in;
        private final byte[] array;
        private final int arrayOffset;
        private final int base;
        private final int end;
        private final WbxmlLimits limits;
        private int pos;
        private CodePage page = CodePage.AIR_SYNC;
        private int elements;

        // the open elements, index 1 is the root; children wait in one shared array until their parent closes
        private Tag[] openTags = new Tag[16];
        private Object[] openValues = new Object[16];
        private int[] openChildStart = new int[16];
        private int depth;
        private WbxmlElement[] pending = new WbxmlElement[32];
        private int pendingSize;

        Cursor(ByteBuf in, int start, int end, WbxmlLimits limits) {
            this.in = in;
            this.base = start;
            this.pos = start;
            this.end = end;
            this.limits = limits;
            if (in.hasArray()) {
                this.array = in.array();
                this.arrayOffset = in.arrayOffset();
            } else {
                this.array = null;
                this.arrayOffset = 0;
            }
        }

        private WbxmlException fail(WbxmlException.Reason reason, int at, String detail) {
            return new WbxmlException(reason, at - base, detail);
        }

        private int readByte(String what) {
            if (pos >= end) {
                throw fail(TRUNCATED, pos, "input ends inside " + what);
            }
            return byteAt(pos++);
        }

        /** The byte at {@code index}, unsigned: straight from the array when the input has one. */
        private int byteAt(int index) {
            return array != null ? array[arrayOffset + index] & 0xFF : in.getUnsignedByte(index);
        }

        /** WBXML mb_u_int32: at most 5 bytes, 7 bits each, most significant first; bounded to int here. */
        private int readMbUInt32(String what) {
            int at = pos;
            long value = 0;
            for (int i = 0; i < 5; i++) {
                int b = readByte(what);
                value = (value << 7) | (b & 0x7F);
                if ((b & 0x80) == 0) {
                    if (value > Integer.MAX_VALUE) {
                        throw fail(INTEGER_OVERFLOW, at, what + " " + value + " is too large");
                    }
                    return (int) value;
                }
            }
            throw fail(INTEGER_OVERFLOW, at, what + " is longer than 5 bytes");
        }

        WbxmlElement document() {
            header();
            WbxmlElement root = null;
            while (root == null) {
                if (pos >= end) {
                    throw fail(TRUNCATED, pos, depth == 0 ? "input ends before the root element"
                            : "input ends inside element " + openTags[depth].qualifiedName());
                }
                int at = pos;
                int token = byteAt(pos++);
                switch (token) {
                    case WbxmlTokens.SWITCH_PAGE -> switchPage();
                    case WbxmlTokens.END -> root = closeElement(at);
                    case WbxmlTokens.STR_I -> addValue(at, inlineString(at));
                    case WbxmlTokens.OPAQUE -> addValue(at, opaque(at));
                    case WbxmlTokens.ENTITY, WbxmlTokens.LITERAL, WbxmlTokens.LITERAL_A, WbxmlTokens.LITERAL_C,
                         WbxmlTokens.LITERAL_AC, WbxmlTokens.PI, WbxmlTokens.STR_T ->
                            throw fail(UNSUPPORTED_FEATURE, at, "global token 0x" + Integer.toHexString(token)
                                    + " is not used by EAS");
                    default -> root = tag(at, token);
                }
            }
            if (pos < end) {
                throw fail(TRAILING_DATA, pos, (end - pos) + " bytes after the end of the root element");
            }
            return root;
        }

        private void header() {
            int version = readByte("the header");
            if (version < 0x01 || version > 0x03) {
                throw fail(BAD_HEADER, base, "WBXML version 0x" + Integer.toHexString(version) + " is not 1.x");
            }
            int publicIdAt = pos;
            int publicId = readMbUInt32("the public identifier");
            if (publicId == 0) {
                throw fail(UNSUPPORTED_FEATURE, publicIdAt, "a public identifier in the string table");
            }
            int charsetAt = pos;
            int charset = readMbUInt32("the charset");
            if (charset != WbxmlTokens.CHARSET_UTF8) {
                throw fail(BAD_HEADER, charsetAt, "charset " + charset + " is not UTF-8 (106)");
            }
            int tableAt = pos;
            int stringTable = readMbUInt32("the string table length");
            if (stringTable != 0) {
                throw fail(UNSUPPORTED_FEATURE, tableAt, "a string table of " + stringTable + " bytes");
            }
        }

        private void switchPage() {
            int at = pos;
            int number = readByte("SWITCH_PAGE");
            CodePage next = CodePage.byNumber(number);
            if (next == null) {
                throw fail(UNKNOWN_PAGE, at, "code page " + number + " is not defined");
            }
            page = next;
        }

        /** Returns the root when this tag is an empty root element, otherwise {@code null}. */
        private WbxmlElement tag(int at, int token) {
            if ((token & 0x3F) < 0x05) { // EXT_*, PI, LITERAL_*, STR_T: global tokens EAS never uses
                throw fail(UNSUPPORTED_FEATURE, at, "global token 0x" + Integer.toHexString(token)
                        + " is not used by EAS");
            }
            if ((token & WbxmlTokens.ATTRIBUTES) != 0) {
                throw fail(UNSUPPORTED_FEATURE, at, "attributes on tag 0x" + Integer.toHexString(token));
            }
            Tag tag = page.tag(token & 0x3F);
            if (tag == null) {
                throw fail(UNKNOWN_TOKEN, at, "token 0x" + Integer.toHexString(token & 0x3F)
                        + " is not defined in code page " + page.namespace());
            }
            if (++elements > limits.maxElements()) {
                throw fail(TOO_MANY_ELEMENTS, at, "more than " + limits.maxElements() + " elements");
            }
            if (depth > 0 && openValues[depth] != null) {
                throw fail(MALFORMED_STRUCTURE, at, "element " + tag.qualifiedName() + " beside a value in "
                        + openTags[depth].qualifiedName());
            }
            if (depth + 1 > limits.maxDepth()) { // an empty leaf counts too: the root is depth 1
                throw fail(TOO_DEEP, at, "elements nested deeper than " + limits.maxDepth());
            }
            if ((token & WbxmlTokens.CONTENT) != 0) {
                open(tag);
                return null;
            }
            return attach(WbxmlElement.empty(tag));
        }

        private void open(Tag tag) {
            depth++;
            if (depth == openTags.length) {
                int size = depth * 2;
                openTags = Arrays.copyOf(openTags, size);
                openValues = Arrays.copyOf(openValues, size);
                openChildStart = Arrays.copyOf(openChildStart, size);
            }
            openTags[depth] = tag;
            openValues[depth] = null;
            openChildStart[depth] = pendingSize;
        }

        private WbxmlElement closeElement(int at) {
            if (depth == 0) {
                throw fail(MALFORMED_STRUCTURE, at, "END without an open element");
            }
            int first = openChildStart[depth];
            ElementList children;
            if (pendingSize == first) {
                children = ElementList.EMPTY;
            } else {
                children = new ElementList(Arrays.copyOfRange(pending, first, pendingSize));
                Arrays.fill(pending, first, pendingSize, null);
                pendingSize = first;
            }
            Object value = openValues[depth];
            if (value instanceof StringBuilder joined) {
                value = joined.toString();
            }
            WbxmlElement element = new WbxmlElement(openTags[depth], children, value);
            openTags[depth] = null;
            openValues[depth] = null;
            depth--;
            return attach(element);
        }

        /** Adds a finished element to its parent; returns it when it is the root. */
        private WbxmlElement attach(WbxmlElement element) {
            if (depth == 0) {
                return element;
            }
            if (pendingSize == pending.length) {
                pending = Arrays.copyOf(pending, pendingSize * 2);
            }
            pending[pendingSize++] = element;
            return null;
        }

        private void addValue(int at, Object value) {
            if (depth == 0) {
                throw fail(MALFORMED_STRUCTURE, at, "a value outside any element");
            }
            if (pendingSize > openChildStart[depth]) {
                throw fail(MALFORMED_STRUCTURE, at, "a value beside child elements in "
                        + openTags[depth].qualifiedName());
            }
            Object existing = openValues[depth];
            if (existing == null) {
                openValues[depth] = value;
            } else if (existing instanceof CharSequence s && value instanceof String t) {
                // WBXML allows a value written as several inline strings: they form one text, joined in a
                // StringBuilder (until END) so that many small pieces cost linear, not quadratic, time
                if ((long) s.length() + t.length() > limits.maxStringBytes()) {
                    throw fail(TOO_LONG, at, "text longer than " + limits.maxStringBytes() + " bytes");
                }
                StringBuilder joined = existing instanceof StringBuilder b ? b : new StringBuilder(s);
                openValues[depth] = joined.append(t);
            } else {
                throw fail(MALFORMED_STRUCTURE, at, "text and opaque data mixed in "
                        + openTags[depth].qualifiedName());
            }
        }

        private String inlineString(int at) {
            int start = pos;
            int searchEnd = (int) Math.min(end, (long) start + limits.maxStringBytes() + 1);
            int nul = array != null
                    ? indexOfNul(array, arrayOffset, start, searchEnd)
                    : in.indexOf(start, searchEnd, (byte) 0);
            if (nul < 0) {
                if (searchEnd == end) {
                    throw fail(TRUNCATED, at, "input ends inside an inline string");
                }
                throw fail(TOO_LONG, at, "inline string longer than " + limits.maxStringBytes() + " bytes");
            }
            int length = nul - start;
            pos = nul + 1;
            if (length == 0) {
                return "";
            }
            if (array != null) {
                return Utf8.decode(array, arrayOffset + start, length);
            }
            if (length <= Utf8.SCRATCH_CHARS) {
                byte[] bytes = Utf8.scratchBytes();
                in.getBytes(start, bytes, 0, length);
                return Utf8.decode(bytes, 0, length);
            }
            return in.toString(start, length, StandardCharsets.UTF_8);
        }

        /**
         * The index (in input coordinates) of the first 0 byte in {@code [from, to)}, or -1: eight bytes at a time,
         * with the zero-byte test {@code (v - 0x01..01) & ~v & 0x80..80}, exact for the lowest zero byte.
         */
        private static int indexOfNul(byte[] array, int offset, int from, int to) {
            int i = offset + from;
            int end = offset + to;
            for (; i + 8 <= end; i += 8) {
                long v = (long) LONG_LE.get(array, i);
                long zeros = (v - 0x0101_0101_0101_0101L) & ~v & 0x8080_8080_8080_8080L;
                if (zeros != 0) {
                    return i + (Long.numberOfTrailingZeros(zeros) >>> 3) - offset;
                }
            }
            for (; i < end; i++) {
                if (array[i] == 0) {
                    return i - offset;
                }
            }
            return -1;
        }

        private Opaque opaque(int at) {
            int length = readMbUInt32("an opaque length");
            if (length > limits.maxOpaqueBytes()) {
                throw fail(TOO_LONG, at, "opaque data of " + length + " bytes is over the limit of "
                        + limits.maxOpaqueBytes());
            }
            if (length > end - pos) {
                throw fail(TRUNCATED, at, "opaque data of " + length + " bytes but only " + (end - pos) + " left");
            }
            Opaque value = Opaque.view(in, pos, length);
            pos += length;
            return value;
        }
    }
}
