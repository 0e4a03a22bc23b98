package dev.easgate.core.testing;

/** Stops what a test class started, in the order given, skipping what never started. */
public final class Closing {
    private Closing() {
    }

    /** Closes each non-null resource; a failure to close one does not keep the others open. */
    public static void closeAll(AutoCloseable... resources) {
        RuntimeException failure = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing " + resource + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
