/**
 * Who may log in: the accounts SPI that checks EAS Basic credentials and finds accounts by address, and the
 * passwords of live sessions for backends that log in as the user.
 */
@NonNullApi
package dev.easgate.backends.auth;

import reactor.util.annotation.NonNullApi;
