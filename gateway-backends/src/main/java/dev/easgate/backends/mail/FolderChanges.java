package dev.easgate.backends.mail;

import java.util.List;

/**
 * What changed in a folder after a modification sequence (the CONDSTORE/QRESYNC model of RFC 7162).
 *
 * @param highestModSeq the watermark: the folder's position in the store's history now; ask from here next time
 * @param changed       items added or changed after the given watermark, in the order of their changes, each with
 *                      its version
 * @param vanished      ids of items removed after the given sequence
 * @param resetRequired the store cannot answer incrementally (e.g. IMAP UIDVALIDITY changed): the caller must
 *                      compare the whole folder ({@code changed} then lists every item)
 */
public record FolderChanges(long highestModSeq, List<ItemVersion> changed, List<String> vanished,
                            boolean resetRequired) {
    public FolderChanges {
        changed = List.copyOf(changed);
        vanished = List.copyOf(vanished);
    }
}
