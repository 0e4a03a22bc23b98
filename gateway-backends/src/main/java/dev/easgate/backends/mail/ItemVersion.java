package dev.easgate.backends.mail;

import java.time.Instant;

/** An item as a change listing names it: id, the modification sequence of its last change, its date. */
public record ItemVersion(String id, long modSeq, Instant date) {
}
