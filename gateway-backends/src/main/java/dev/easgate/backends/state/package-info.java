/**
 * The state store SPI: per device what the gateway must remember between requests (device record, policy key,
 * folder hierarchy and per-collection sync state, the last Sync and Ping requests). A shared implementation lets
 * any gateway node serve any device.
 */
@NonNullApi
package dev.easgate.backends.state;

import reactor.util.annotation.NonNullApi;
