/**
 * Command handling: one {@link dev.easgate.core.command.CommandHandler} per EAS command (in the sub-packages),
 * the request and response values they exchange with the HTTP front, and the registry that dispatches to them.
 */
package dev.easgate.core.command;
