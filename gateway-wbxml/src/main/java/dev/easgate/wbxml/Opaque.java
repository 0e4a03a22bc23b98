package dev.easgate.wbxml;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * Binary content of an element (WBXML OPAQUE): MIME bodies, ConversationId, attachment data.
 *
 * <p>A decoded value is a read-only view of the decoded input, not a copy: it stays valid as long as the input
 * buffer does (a {@code byte[]} input: always). Call {@link #toByteArray()} to keep the bytes beyond that.
 *
 * <p>Held as a range of a buffer that is never read through its own indexes nor written, so that a decoded value
 * costs one small object, not a slice and a read-only wrapper each; {@link #buffer()} makes such a view on demand.
 */
public final class Opaque {
    private final ByteBuf source;
    private final int index;
    private final int length;

    private Opaque(ByteBuf source, int index, int length) {
        this.source = source;
        this.index = index;
        this.length = length;
    }

    /** Wraps bytes without copying them; the caller must not change them afterwards. */
    public static Opaque of(byte[] bytes) {
        return new Opaque(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
    }

    /** A view of {@code length} bytes of {@code source} at {@code index}; no copy. */
    static Opaque view(ByteBuf source, int index, int length) {
        return new Opaque(source, index, length);
    }

    /** A view of the given readable bytes; no copy. The buffer must outlive this value. */
    public static Opaque of(ByteBuf bytes) {
        return new Opaque(bytes, bytes.readerIndex(), bytes.readableBytes());
    }

    public int length() {
        return length;
    }

    /** A read-only view of the bytes (its own indexes; same memory). */
    public ByteBuf buffer() {
        return source.slice(index, length).asReadOnly();
    }

    /** Copies the bytes into {@code target} at {@code targetIndex}. */
    void copyTo(byte[] target, int targetIndex) {
        source.getBytes(index, target, targetIndex, length);
    }

    /** Appends the bytes to {@code target} at its writer index. */
    void writeTo(ByteBuf target) {
        target.writeBytes(source, index, length);
    }

    public byte[] toByteArray() {
        return ByteBufUtil.getBytes(source, index, length, true);
    }

    /** The bytes read as UTF-8 text (MIME is ASCII or UTF-8). */
    public String toUtf8() {
        return source.toString(index, length, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Opaque other
                && length == other.length
                && ByteBufUtil.equals(source, index, other.source, other.index, length);
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int i = index, end = index + length; i < end; i++) {
            hash = 31 * hash + source.getByte(i);
        }
        return hash;
    }

    @Override
    public String toString() {
        return "Opaque[" + length() + " bytes]";
    }
}
