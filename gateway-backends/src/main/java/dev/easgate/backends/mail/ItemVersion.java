package dev.easgate.backends.mail;

import java.time.Instant;

/**
 * An item as a change listing names it.
 *
 * @param id     server id
 * @param modSeq the item's version: differs when its content differs, equal means a device that was sent this
 *               version holds the current content (not necessarily growing, not comparable to a watermark; see
 *               the package documentation)
 * @param date   as {@link Item#date}
 */
public record ItemVersion(String id, long modSeq, Instant date) {
}
