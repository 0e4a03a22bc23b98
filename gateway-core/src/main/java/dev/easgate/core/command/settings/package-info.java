/**
 * The Settings command (MS-ASCMD 2.2.1.18): device information, the user's addresses, Out of Office, the device
 * password recovery acknowledgement and (empty) rights management templates.
 */
package dev.easgate.core.command.settings;
