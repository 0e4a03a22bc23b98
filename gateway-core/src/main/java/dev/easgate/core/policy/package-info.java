/**
 * Security policies (MS-ASPROV): the EASProvisionDoc ({@link dev.easgate.core.policy.PolicyDocument}), named policy
 * sets over the global policy, and which set a user gets (an administrator's assignment, else an LDAP group or
 * attribute, else the global policy), with the check that sends a device whose policy changed back to Provision.
 */
package dev.easgate.core.policy;
