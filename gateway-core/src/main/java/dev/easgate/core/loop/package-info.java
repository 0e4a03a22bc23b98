/**
 * Loop detection: a Sync a device repeats with the same key and the same answer, an item whose conversion fails
 * every time it is sent (set aside so the device gets the rest), and a client command that fails again and again;
 * the flag and the set-aside items live in the device's state values, shown by the admin API and cleared by it.
 * {@link dev.easgate.core.loop.ClientQuirks} lists the known client behaviours that look like loops but are not.
 */
package dev.easgate.core.loop;
