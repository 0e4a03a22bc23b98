package dev.easgate.backends.oof;

import dev.easgate.backends.auth.Account;
import reactor.core.publisher.Mono;

/**
 * Where a user's Out of Office settings live and, for implementations that can, what sends the automatic replies
 * (a Sieve vacation script). Failures are signalled as {@link OutOfOfficeException}.
 */
public interface OutOfOfficeStore {

    /** The user's settings; {@link OofSettings#OFF} when none were ever set. */
    Mono<OofSettings> get(Account account);

    /** Replaces the user's settings: state 0 stops the replies but keeps the messages for a later Get. */
    Mono<Void> set(Account account, OofSettings settings);

    /** Stops the replies, keeping the messages. */
    default Mono<Void> disable(Account account) {
        return get(account).flatMap(current -> set(account, current.withState(0, null, null)));
    }
}
