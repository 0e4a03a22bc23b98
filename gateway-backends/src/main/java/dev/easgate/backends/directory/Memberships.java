package dev.easgate.backends.directory;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * What the directory says about one user for choosing per-user settings (such as a policy set): which of a given
 * list of groups the user belongs to, and the values of one attribute of the user's entry. Asynchronous like every
 * SPI; an implementation over a blocking protocol runs on a bounded scheduler.
 */
public interface Memberships {

    /** The user's facts; {@link Facts#NONE} when the directory has no entry for the user. */
    Mono<Facts> lookup(String user);

    /**
     * @param found     whether the user's entry was found
     * @param groups    the configured groups (as configured) the user is a member of
     * @param attribute the values of the configured attribute of the user's entry, possibly empty
     */
    record Facts(boolean found, Set<String> groups, List<String> attribute) {
        public static final Facts NONE = new Facts(false, Set.of(), List.of());

        public Facts {
            groups = Set.copyOf(Objects.requireNonNull(groups, "groups"));
            attribute = List.copyOf(Objects.requireNonNull(attribute, "attribute"));
        }
    }
}
