/**
 * Device administration: the authenticated admin HTTP API (devices, remote wipe, resync, remove, block list,
 * per-device debug), its audit log, and the {@code eas-admin} command line client in {@code admin.cli}.
 */
package dev.easgate.core.admin;
