package dev.easgate.backends.auth;

import reactor.core.publisher.Mono;

/** Checks credentials and finds accounts. Asynchronous like every SPI; never blocks the caller's thread. */
public interface Accounts {

    /** The account when {@code user} and {@code password} are valid, empty when they are not. */
    Mono<Account> authenticate(String user, String password);

    /**
     * The account a login name means, as one key whatever the spelling ({@code BOB}, {@code bob@example.com},
     * {@code EXAMPLE\bob}), without checking any password: failed logins are counted under it. A backend that
     * knows its accounts answers the account's {@link Account#user()}; otherwise, and by default, the rule all
     * backends share ({@link LoginNames#canonical}). Cheap and non-blocking: called before every login.
     */
    default String accountKey(String login) {
        return LoginNames.canonical(login, "");
    }

    /** The account whose primary address is {@code address} (case-insensitive), or empty. */
    Mono<Account> byAddress(String address);
}
