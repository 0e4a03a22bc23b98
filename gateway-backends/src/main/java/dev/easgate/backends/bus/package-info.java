/**
 * The change bus SPI: per-user events (a folder changed, a device parked a request) delivered to every gateway
 * node that listens for that user, so that a change anywhere wakes the device waiting on any node.
 */
@NonNullApi
package dev.easgate.backends.bus;

import reactor.util.annotation.NonNullApi;
