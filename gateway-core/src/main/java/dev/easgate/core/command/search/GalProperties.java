package dev.easgate.core.command.search;

import dev.easgate.backends.directory.DirectoryEntry;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;

/**
 * Writes a directory entry as the GAL namespace properties of a Search or Find result (MS-ASCMD 2.2.3.139.3 with
 * the gal: elements), and its gal:Picture (14.1+) under the client's Picture limits.
 */
public final class GalProperties {
    /** gal:Picture Status (MS-ASCMD 2.2.3.177.13 / 2.2.3.135): 1 success, 173 no photo, 174 too large, 175 limit. */
    public static final int PICTURE_OK = 1;
    public static final int NO_PICTURE = 173;
    public static final int PICTURE_TOO_LARGE = 174;
    public static final int TOO_MANY_PICTURES = 175;

    /** A client's Picture request: MaxSize in bytes (-1: any), MaxPictures (-1: any); counts what was sent. */
    public static final class PictureRequest {
        private final long maxSize;
        private final int maxPictures;
        private int sent;

        public PictureRequest(long maxSize, int maxPictures) {
            this.maxSize = maxSize;
            this.maxPictures = maxPictures;
        }

        /** From a Picture element with MaxSize and MaxPictures children (any namespace), or {@code null}. */
        public static PictureRequest of(WbxmlElement picture) {
            if (picture == null) {
                return null;
            }
            String size = picture.childText("MaxSize");
            String count = picture.childText("MaxPictures");
            return new PictureRequest(size == null ? -1 : Long.parseLong(size.strip()),
                    count == null ? -1 : Integer.parseInt(count.strip()));
        }

        /** Appends a Picture element of {@code page} (GAL, ResolveRecipients, Find) for {@code bytes}. */
        public void write(WbxmlElement.Builder parent, CodePage page, byte[] bytes) {
            WbxmlElement.Builder picture = WbxmlElement.el(page, "Picture");
            if (bytes == null || bytes.length == 0) {
                picture.child("Status", NO_PICTURE);
            } else if (maxSize >= 0 && bytes.length > maxSize) {
                picture.child("Status", PICTURE_TOO_LARGE);
            } else if (maxPictures >= 0 && sent >= maxPictures) {
                picture.child("Status", TOO_MANY_PICTURES);
            } else {
                sent++;
                picture.child("Status", PICTURE_OK).opaque("Data", bytes);
            }
            parent.child(picture);
        }
    }

    private GalProperties() {
    }

    /** The gal: elements of {@code entry} added to {@code properties}. */
    public static void write(WbxmlElement.Builder properties, DirectoryEntry entry, PictureRequest pictures) {
        properties.child("GAL:DisplayName", entry.displayName())
                .optional("GAL:Phone", entry.phone())
                .optional("GAL:Office", entry.office())
                .optional("GAL:Title", entry.title())
                .optional("GAL:Company", entry.company())
                .optional("GAL:Alias", entry.alias())
                .optional("GAL:FirstName", entry.firstName())
                .optional("GAL:LastName", entry.lastName())
                .optional("GAL:HomePhone", entry.homePhone())
                .optional("GAL:MobilePhone", entry.mobilePhone())
                .child("GAL:EmailAddress", entry.email());
        if (pictures != null) {
            pictures.write(properties, CodePage.GAL, entry.picture());
        }
    }
}
