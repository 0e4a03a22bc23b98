package dev.easgate.core.command.sync;

/**
 * Sync keys: decimal counters per collection, "1" after the initial Sync (MS-ASCMD 2.2.3.181.4: the key is opaque
 * to the client, at most 64 characters; "0" asks to start over).
 */
final class SyncKeys {
    static final String INITIAL = "0";
    static final String FIRST = "1";

    private SyncKeys() {
    }

    static String next(String key) {
        try {
            return Long.toString(Long.parseLong(key) + 1);
        } catch (NumberFormatException e) {
            return FIRST;
        }
    }
}
