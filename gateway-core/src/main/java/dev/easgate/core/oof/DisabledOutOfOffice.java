package dev.easgate.core.oof;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.oof.OofSettings;
import dev.easgate.backends.oof.OutOfOfficeException;
import dev.easgate.backends.oof.OutOfOfficeStore;
import reactor.core.publisher.Mono;

/**
 * Out of Office on a real mail store without {@code sieve.url}: nothing could send the automatic replies, so Get and
 * Set answer "denied by policy: disabled" (MS-ASCMD 2.2.3.177.15 Status 7) rather than accept settings that would
 * never act. The phone then tells its user that automatic replies are not available.
 */
public final class DisabledOutOfOffice implements OutOfOfficeStore {

    @Override
    public Mono<OofSettings> get(Account account) {
        return Mono.error(disabled());
    }

    @Override
    public Mono<Void> set(Account account, OofSettings settings) {
        return Mono.error(disabled());
    }

    private static OutOfOfficeException disabled() {
        return new OutOfOfficeException(OutOfOfficeException.Reason.DISABLED,
                "no automatic replies without sieve.url", null);
    }
}
