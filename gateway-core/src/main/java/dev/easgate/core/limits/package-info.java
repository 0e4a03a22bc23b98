/**
 * Limits that hold under abuse: failed logins per user and per address, requests open per device and per user,
 * and the reverse-proxy rules that decide which address a request comes from.
 */
package dev.easgate.core.limits;
