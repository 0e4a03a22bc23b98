package dev.easgate.core.http.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Structured values read off a fuzzer's bytes, so that one byte array (Jazzer's or a mutated seed) chooses both the
 * shape of an input and its content. Reading past the end yields zeros and empty values, never an error.
 */
final class FuzzInput {
    private final byte[] data;
    private int pos;

    FuzzInput(byte[] data) {
        this.data = data;
    }

    /** A number in [0, n), from one byte. */
    int choice(int n) {
        return pos < data.length ? (data[pos++] & 0xFF) % n : 0;
    }

    boolean flag() {
        return choice(2) == 1;
    }

    /** Up to {@code max} bytes, the count taken from one byte. */
    byte[] bytes(int max) {
        int length = Math.min(Math.min(choice(256), max), data.length - pos);
        byte[] out = Arrays.copyOfRange(data, pos, pos + length);
        pos += length;
        return out;
    }

    /** A string of up to {@code max} bytes read as UTF-8 (malformed sequences become U+FFFD). */
    String string(int max) {
        return new String(bytes(max), StandardCharsets.UTF_8);
    }

    /** The bytes not read yet. */
    byte[] rest() {
        byte[] out = Arrays.copyOfRange(data, pos, data.length);
        pos = data.length;
        return out;
    }

    /** The bytes not read yet, one char per byte (ISO-8859-1), for raw header and query text. */
    String restAsText() {
        return new String(rest(), StandardCharsets.ISO_8859_1);
    }
}
