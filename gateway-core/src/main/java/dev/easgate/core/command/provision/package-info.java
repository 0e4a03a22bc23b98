/**
 * The Provision command (MS-ASPROV): the two-phase download and acknowledgement of the security policy, remote wipe
 * and account-only remote wipe directives, and the device information a 14.1+ client sends with its first request.
 * The policy itself and which set a user gets live in {@link dev.easgate.core.policy}.
 */
package dev.easgate.core.command.provision;
