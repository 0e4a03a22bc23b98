package dev.easgate.backends.memory;

import dev.easgate.backends.auth.Account;
import dev.easgate.backends.auth.Accounts;
import dev.easgate.backends.auth.LoginNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * {@link Accounts} from a fixed list, or, in "any user" mode, any user name with one shared password (for load
 * tests: every simulated user gets an account {@code <user>@<domain>} without being listed).
 *
 * <p>User names and addresses are matched ignoring case; an account's {@link Account#user()} is its listed name
 * (lower case in any-user mode), so "Demo" and "demo" share one mailbox. A listed user may also log in with the
 * primary address. Passwords are compared in constant time and never logged or shown by {@link #toString()}.
 */
public final class MemoryAccounts implements Accounts {

    private record Entry(Account account, byte[] password) {
    }

    /** Lower-case user name to entry. */
    private final Map<String, Entry> byUser;
    /** Lower-case address to entry. */
    private final Map<String, Entry> byAddress;
    /** The shared password of any-user mode, or null. */
    private final byte[] anyUserPassword;
    private final String domain;

    private MemoryAccounts(List<Entry> entries, byte[] anyUserPassword, String domain) {
        Map<String, Entry> users = new LinkedHashMap<>();
        Map<String, Entry> addresses = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (users.put(lower(entry.account().user()), entry) != null) {
                throw new IllegalArgumentException("user " + entry.account().user() + " listed twice");
            }
            if (addresses.put(lower(entry.account().primaryAddress()), entry) != null) {
                throw new IllegalArgumentException("address " + entry.account().primaryAddress() + " listed twice");
            }
        }
        this.byUser = Map.copyOf(users);
        this.byAddress = Map.copyOf(addresses);
        this.anyUserPassword = anyUserPassword;
        this.domain = lower(domain);
    }

    /** The demo accounts demo, alice and bob at {@code domain}, all with {@code password}. */
    public static MemoryAccounts demo(String domain, String password) {
        return builder()
                .user("demo", "Demo User", "demo@" + domain, password)
                .user("alice", "Alice Walker", "alice@" + domain, password)
                .user("bob", "Bob Martin", "bob@" + domain, password)
                .build();
    }

    /**
     * Any-user mode: every non-blank user name logs in with {@code sharedPassword} and gets the account
     * {@code <user>@<domain>} (a name given as {@code user@domain} means {@code user}).
     */
    public static MemoryAccounts anyUser(String sharedPassword, String domain) {
        return new MemoryAccounts(List.of(), sharedPassword.getBytes(StandardCharsets.UTF_8), domain);
    }

    /** Any-user mode when a shared password is given, else the {@link #demo} accounts with {@code demoPassword}. */
    public static MemoryAccounts of(Optional<String> anyUserPassword, String domain, String demoPassword) {
        return anyUserPassword.map(password -> anyUser(password, domain)).orElseGet(() -> demo(domain, demoPassword));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects listed accounts. */
    public static final class Builder {
        private final List<Entry> entries = new java.util.ArrayList<>();

        private Builder() {
        }

        public Builder user(String user, String displayName, String primaryAddress, String password) {
            entries.add(new Entry(new Account(user, displayName, primaryAddress),
                    password.getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        public MemoryAccounts build() {
            return new MemoryAccounts(entries, null, "invalid");
        }
    }

    @Override
    public Mono<Account> authenticate(String user, String password) {
        return Mono.fromCallable(() -> {
            byte[] given = password.getBytes(StandardCharsets.UTF_8);
            if (anyUserPassword != null) {
                Account account = anyUserAccount(user);
                boolean valid = MessageDigest.isEqual(anyUserPassword, given);
                return valid ? account : null;
            }
            Entry entry = byUser.get(lower(user));
            if (entry == null) {
                entry = byAddress.get(lower(user));
            }
            // compare against something even for an unknown user, so that timing tells nothing about who exists
            byte[] expected = entry == null ? UNKNOWN_USER_PASSWORD : entry.password();
            boolean valid = MessageDigest.isEqual(expected, given);
            return valid && entry != null ? entry.account() : null;
        });
    }

    /** A listed account's name, any-user mode's account, else the shared rule with this backend's domain. */
    @Override
    public String accountKey(String login) {
        if (anyUserPassword != null) {
            Account account = anyUserAccount(LoginNames.canonical(login, ""));
            return account != null ? account.user() : LoginNames.canonical(login, domain);
        }
        String name = LoginNames.canonical(login, "");
        Entry entry = byUser.get(name);
        if (entry == null) {
            entry = byAddress.get(name);
        }
        return entry != null ? entry.account().user() : LoginNames.canonical(login, domain);
    }

    private static final int MAX_NAME = 320;

    private static final byte[] UNKNOWN_USER_PASSWORD = "\0unknown user\0".getBytes(StandardCharsets.UTF_8);

    @Override
    public Mono<Account> byAddress(String address) {
        return Mono.fromCallable(() -> {
            if (anyUserPassword == null) {
                Entry entry = byAddress.get(lower(address));
                return entry == null ? null : entry.account();
            }
            String lower = lower(address);
            return lower.endsWith("@" + domain) ? anyUserAccount(lower) : null;
        });
    }

    /** The account of any-user mode for a login name, or null when the name is not acceptable. */
    private Account anyUserAccount(String login) {
        String user = lower(login.strip());
        int at = user.indexOf('@');
        if (at >= 0) {
            if (!user.substring(at + 1).equals(domain)) {
                return null;
            }
            user = user.substring(0, at);
        }
        if (user.isEmpty() || user.indexOf('@') >= 0 || user.length() > MAX_NAME
                || user.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            return null; // as IMAP logins: no control characters, no longer than an address may be (RFC 5321)
        }
        return new Account(user, user, user + "@" + domain);
    }

    private static String lower(String text) {
        return Objects.requireNonNull(text).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return anyUserPassword != null
                ? "MemoryAccounts[any user @" + domain + "]"
                : "MemoryAccounts" + byUser.keySet();
    }
}
