/** Protocol values shared by the HTTP front and the command handlers: versions and the command list. */
package dev.easgate.core.protocol;
