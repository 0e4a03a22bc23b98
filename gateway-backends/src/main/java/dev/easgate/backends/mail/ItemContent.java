package dev.easgate.backends.mail;

import dev.easgate.wbxml.WbxmlElement;
import java.util.Objects;

/** What an item holds: an email as MIME, or a contact, event, task or note in its EAS form. */
public sealed interface ItemContent permits ItemContent.Email, ItemContent.Pim {

    ItemClass itemClass();

    /**
     * An email: its RFC 5322 message, never changed after delivery, and its flags.
     *
     * @param mime  the whole message; treat as immutable
     */
    record Email(byte[] mime, EmailFlags flags) implements ItemContent {
        public Email {
            Objects.requireNonNull(mime, "mime");
            Objects.requireNonNull(flags, "flags");
        }

        @Override
        public ItemClass itemClass() {
            return ItemClass.EMAIL;
        }

        public Email withFlags(EmailFlags value) {
            return new Email(mime, value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Email other && java.util.Arrays.equals(mime, other.mime) && flags.equals(other.flags);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(mime) * 31 + flags.hashCode();
        }

        @Override
        public String toString() {
            return "Email[" + mime.length + " bytes, " + flags + "]";
        }
    }

    /**
     * A contact, calendar item, task or note as the EAS ApplicationData element of its class (MS-ASCNTC, MS-ASCAL,
     * MS-ASTASK, MS-ASNOTE): stored as the phone sent it, so nothing is lost or altered.
     */
    record Pim(ItemClass itemClass, WbxmlElement applicationData) implements ItemContent {
        public Pim {
            Objects.requireNonNull(itemClass, "itemClass");
            Objects.requireNonNull(applicationData, "applicationData");
            if (itemClass == ItemClass.EMAIL) {
                throw new IllegalArgumentException("emails are stored as MIME");
            }
            if (!applicationData.matches("AirSync:ApplicationData")) {
                throw new IllegalArgumentException("expected AirSync:ApplicationData, got " + applicationData.tag());
            }
        }
    }
}
