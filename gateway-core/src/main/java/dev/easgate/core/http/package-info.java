/**
 * The MS-ASHTTP front on Reactor Netty: query parsing (plain and base64 forms), Basic authentication, the device
 * record, provisioning enforcement, WBXML decoding and encoding around the command handlers.
 */
package dev.easgate.core.http;
