package dev.easgate.core.command.sync;

/** A user of the store under test and the password to log in with. */
public record TestUser(String name, String password) {
}
