package dev.easgate.core.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One policy a device can be given: its name ({@link #GLOBAL} for the global policy) and its document. The
 * fingerprint names both the set and its values, so a device provisioned with it is sent back to Provision when
 * the set it should have changes or the set's values were changed in the configuration.
 */
public record PolicySet(String name, PolicyDocument document) {
    /** The name of the global policy (the {@code policy.<Element>} options). */
    public static final String GLOBAL = "default";

    public PolicySet {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(document, "document");
    }

    /** {@code name/} and the start of a SHA-256 of the document's values. */
    public String fingerprint() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(document.settings().toString().getBytes(StandardCharsets.UTF_8));
            return name + "/" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The set's name in a fingerprint. */
    static String nameOf(String fingerprint) {
        int slash = fingerprint.lastIndexOf('/');
        return slash < 0 ? fingerprint : fingerprint.substring(0, slash);
    }
}
