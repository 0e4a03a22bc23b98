package dev.easgate.wbxml.fuzz;

import dev.easgate.wbxml.Redaction;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlException;
import dev.easgate.wbxml.WbxmlLimits;
import dev.easgate.wbxml.WbxmlXml;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * What every input must satisfy: it decodes, or the decoder refuses it with a {@link WbxmlException} whose offset
 * lies inside the input; never any other exception or error. A decoded tree must then encode to exactly
 * {@link WbxmlEncoder#encodedLength} bytes (the same bytes into an array, a heap buffer and a direct buffer), decode
 * back to an equal tree, re-encode to the same bytes, and survive the XML rendering both ways.
 */
final class RoundTripProperty {
    /** Small limits, so that mutated seeds reach every limit check. */
    static final WbxmlDecoder SMALL = new WbxmlDecoder(new WbxmlLimits(6, 16, 16, 24));
    /**
     * Decodes what the encoder wrote: text that was invalid UTF-8 comes back as U+FFFD, up to three times as many
     * bytes, so the re-encoded document may exceed the string limit that the input met.
     */
    private static final WbxmlDecoder UNLIMITED = new WbxmlDecoder(
            new WbxmlLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));

    private RoundTripProperty() {
    }

    /**
     * Checks one input; returns the refusal, or {@code null} when the input decoded and round-tripped.
     *
     * @throws AssertionError when a property does not hold; any other throwable is a crash of the codec
     */
    static WbxmlException check(byte[] input, WbxmlDecoder decoder) {
        return check(input, decoder, true);
    }

    /** As {@link #check(byte[], WbxmlDecoder)}; the XML round trip (the slowest part) only when {@code xml}. */
    static WbxmlException check(byte[] input, WbxmlDecoder decoder, boolean xml) {
        WbxmlElement root;
        try {
            root = decoder.decode(input);
        } catch (WbxmlException refused) {
            if (refused.offset() < 0 || refused.offset() > input.length || refused.reason() == null) {
                throw new AssertionError("refusal outside the input of " + input.length + " bytes: "
                        + refused.getMessage(), refused);
            }
            return refused;
        }
        int length = WbxmlEncoder.encodedLength(root);
        byte[] encoded = WbxmlEncoder.encode(root);
        require(encoded.length == length, "encodedLength " + length + " but encode wrote " + encoded.length);

        ByteBuf heap = Unpooled.buffer(3).writeBytes(new byte[] {9, 9, 9});
        ByteBuf direct = Unpooled.directBuffer(1);
        try {
            heap.readerIndex(3);
            WbxmlEncoder.encode(root, heap);
            require(Arrays.equals(ByteBufUtil.getBytes(heap), encoded), "heap buffer encoding differs");
            WbxmlEncoder.encode(root, direct);
            require(Arrays.equals(ByteBufUtil.getBytes(direct), encoded), "direct buffer encoding differs");
        } finally {
            heap.release();
            direct.release();
        }

        WbxmlElement again = UNLIMITED.decode(encoded);
        require(again.equals(root), "decode(encode(tree)) differs from the tree");
        require(again.hashCode() == root.hashCode(), "equal trees with different hash codes");
        require(Arrays.equals(WbxmlEncoder.encode(again), encoded), "re-encoding is not stable");

        if (xml) {
            String rendered = WbxmlXml.render(root, Redaction.NONE);
            WbxmlElement parsed = WbxmlXml.parse(rendered);
            require(parsed.equals(root), "the XML rendering does not parse back to the tree:\n" + rendered);
            WbxmlXml.render(root, Redaction.USER_CONTENT);
        }
        return null;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
