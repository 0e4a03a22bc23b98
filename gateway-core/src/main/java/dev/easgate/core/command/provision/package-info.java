/**
 * The Provision command (MS-ASPROV): the two-phase download and acknowledgement of the security policy, remote wipe
 * and account-only remote wipe directives, and the device information a 14.1+ client sends with its first request.
 * {@link dev.easgate.core.command.provision.PolicyDocument} builds the policy from the {@code policy.*} options.
 */
package dev.easgate.core.command.provision;
