package dev.easgate.wbxml;

/**
 * Bounds the decoder enforces, so that hostile input costs at most these and never an OutOfMemoryError, a hang or
 * a StackOverflowError.
 *
 * @param maxDepth         deepest element nesting (the root is depth 1)
 * @param maxStringBytes   longest inline string in bytes, without its terminator
 * @param maxOpaqueBytes   longest opaque value in bytes
 * @param maxElements      most elements in one document
 */
public record WbxmlLimits(int maxDepth, int maxStringBytes, int maxOpaqueBytes, int maxElements) {

    /** Depth 64; strings 1 MiB; opaque 64 MiB (a MIME message with attachments); 1,000,000 elements. */
    public static final WbxmlLimits DEFAULT = new WbxmlLimits(64, 1 << 20, 64 << 20, 1_000_000);

    public WbxmlLimits {
        if (maxDepth < 1 || maxStringBytes < 0 || maxOpaqueBytes < 0 || maxElements < 1) {
            throw new IllegalArgumentException("WBXML limits must be positive: " + this);
        }
    }

    public WbxmlLimits withMaxDepth(int depth) {
        return new WbxmlLimits(depth, maxStringBytes, maxOpaqueBytes, maxElements);
    }

    public WbxmlLimits withMaxStringBytes(int bytes) {
        return new WbxmlLimits(maxDepth, bytes, maxOpaqueBytes, maxElements);
    }

    public WbxmlLimits withMaxOpaqueBytes(int bytes) {
        return new WbxmlLimits(maxDepth, maxStringBytes, bytes, maxElements);
    }

    public WbxmlLimits withMaxElements(int elements) {
        return new WbxmlLimits(maxDepth, maxStringBytes, maxOpaqueBytes, elements);
    }
}
