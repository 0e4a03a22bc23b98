/**
 * In-memory implementations of the backend SPIs (mail store, accounts, state store) with a deterministic demo
 * mailbox, for development, demos and load tests.
 */
@NonNullApi
package dev.easgate.backends.memory;

import reactor.util.annotation.NonNullApi;
