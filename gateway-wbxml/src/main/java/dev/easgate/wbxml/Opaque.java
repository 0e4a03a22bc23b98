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
 */
public final class Opaque {
    private final ByteBuf bytes;

    private Opaque(ByteBuf bytes) {
        this.bytes = bytes;
    }

    /** Wraps bytes without copying them; the caller must not change them afterwards. */
    public static Opaque of(byte[] bytes) {
        return new Opaque(Unpooled.wrappedBuffer(bytes).asReadOnly());
    }

    /** A view of {@code length} bytes of {@code source} at {@code index}; no copy. */
    static Opaque view(ByteBuf source, int index, int length) {
        return new Opaque(source.slice(index, length).asReadOnly());
    }

    /** A view of the given readable bytes; no copy. The buffer must outlive this value. */
    public static Opaque of(ByteBuf bytes) {
        return new Opaque(bytes.slice().asReadOnly());
    }

    public int length() {
        return bytes.readableBytes();
    }

    /** A read-only duplicate of the bytes (its own indexes; same memory). */
    public ByteBuf buffer() {
        return bytes.duplicate();
    }

    public byte[] toByteArray() {
        return ByteBufUtil.getBytes(bytes);
    }

    /** The bytes read as UTF-8 text (MIME is ASCII or UTF-8). */
    public String toUtf8() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Opaque other && ByteBufUtil.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return ByteBufUtil.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Opaque[" + length() + " bytes]";
    }
}
