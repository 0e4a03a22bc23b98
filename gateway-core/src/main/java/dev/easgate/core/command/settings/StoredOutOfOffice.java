package dev.easgate.core.command.settings;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.oof.OofSettings;
import dev.easgate.backends.oof.OutOfOfficeStore;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlException;
import dev.easgate.wbxml.codepage.CodePage;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Out of Office settings only stored, without {@code sieve.url}: nothing sends replies. Kept per user, not per
 * device, as a StateStore value named {@value #VALUE} of the pseudo-device {@code (user, "*user*")}: the encoded
 * WBXML of a Settings:Oof element holding exactly the children a Get answers.
 */
public final class StoredOutOfOffice implements OutOfOfficeStore {
    static final String VALUE = "oof";
    static final String USER_DEVICE = "*user*";

    private final StateStore state;

    public StoredOutOfOffice(StateStore state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    private static DeviceKey key(Account account) {
        return new DeviceKey(account.user(), USER_DEVICE);
    }

    /** The stored settings, {@link OofSettings#OFF} when none (or unreadable). */
    @Override
    public Mono<OofSettings> get(Account account) {
        return state.value(key(account), VALUE).map(StoredOutOfOffice::decode).defaultIfEmpty(OofSettings.OFF);
    }

    @Override
    public Mono<Void> set(Account account, OofSettings settings) {
        return state.putValue(key(account), VALUE, WbxmlEncoder.encode(
                WbxmlElement.el(CodePage.SETTINGS, "Oof").children(OofElements.elements(settings)).build()));
    }

    private static OofSettings decode(byte[] bytes) {
        try {
            OofSettings stored = OofElements.apply(OofSettings.OFF, WbxmlDecoder.DEFAULT.decode(bytes));
            return stored == null ? OofSettings.OFF : stored;
        } catch (WbxmlException e) {
            return OofSettings.OFF;
        }
    }

    @Override
    public String toString() {
        return "StoredOutOfOffice";
    }
}
