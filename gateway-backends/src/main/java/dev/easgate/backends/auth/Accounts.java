package dev.easgate.backends.auth;

import reactor.core.publisher.Mono;

/** Checks credentials and finds accounts. Asynchronous like every SPI; never blocks the caller's thread. */
public interface Accounts {

    /** The account when {@code user} and {@code password} are valid, empty when they are not. */
    Mono<Account> authenticate(String user, String password);

    /** The account whose primary address is {@code address} (case-insensitive), or empty. */
    Mono<Account> byAddress(String address);
}
