package dev.easgate.backends.directory;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One person of the global address list (GAL), with what Search (GAL store) and ResolveRecipients return
 * (MS-ASCMD 2.2.3.67 and the GAL namespace). Absent attributes are {@code null}; {@code picture} is a JPEG or PNG
 * thumbnail or {@code null}; {@code certificates} are DER X.509 certificates (S/MIME), possibly empty.
 */
public record DirectoryEntry(String displayName, String firstName, String lastName, String email, String phone,
                             String mobilePhone, String homePhone, String office, String title, String company,
                             String alias, byte[] picture, List<byte[]> certificates) {
    public DirectoryEntry {
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(email, "email");
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
    }

    /** A person with only a name and an address. */
    public static DirectoryEntry of(String displayName, String email) {
        return new DirectoryEntry(displayName, null, null, email, null, null, null, null, null, null, null, null,
                List.of());
    }

    public DirectoryEntry withPicture(byte[] bytes) {
        return new DirectoryEntry(displayName, firstName, lastName, email, phone, mobilePhone, homePhone, office,
                title, company, alias, bytes, certificates);
    }

    public DirectoryEntry withCertificates(List<byte[]> list) {
        return new DirectoryEntry(displayName, firstName, lastName, email, phone, mobilePhone, homePhone, office,
                title, company, alias, picture, list);
    }

    /**
     * Whether {@code prefix} (already lower-cased and stripped) starts the display name, a word of it, the first
     * or last name, the alias or the address: the ambiguous-name-resolution style match of GAL searches.
     */
    public boolean matchesPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return false;
        }
        if (starts(displayName, prefix) || starts(firstName, prefix) || starts(lastName, prefix)
                || starts(alias, prefix) || starts(email, prefix)) {
            return true;
        }
        for (String word : displayName.split("[\\s,]+")) {
            if (starts(word, prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean starts(String value, String prefix) {
        return value != null && value.toLowerCase(Locale.ROOT).startsWith(prefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirectoryEntry other && displayName.equals(other.displayName)
                && email.equalsIgnoreCase(other.email);
    }

    @Override
    public int hashCode() {
        return email.toLowerCase(Locale.ROOT).hashCode();
    }

    @Override
    public String toString() {
        return "DirectoryEntry[" + displayName + " <" + email + ">]";
    }
}
