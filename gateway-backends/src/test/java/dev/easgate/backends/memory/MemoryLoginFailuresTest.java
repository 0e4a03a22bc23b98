package dev.easgate.backends.memory;

import dev.easgate.backends.auth.LoginFailures;
import dev.easgate.backends.auth.LoginFailuresContract;

class MemoryLoginFailuresTest implements LoginFailuresContract {
    private final MemoryLoginFailures failures = new MemoryLoginFailures();

    @Override
    public LoginFailures loginFailures() {
        return failures;
    }
}
