/** Who may log in: the accounts SPI that checks EAS Basic credentials and finds accounts by address. */
@NonNullApi
package dev.easgate.backends.auth;

import reactor.util.annotation.NonNullApi;
