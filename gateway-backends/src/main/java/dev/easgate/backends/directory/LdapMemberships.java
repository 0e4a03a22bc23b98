package dev.easgate.backends.directory;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@link Memberships} over LDAP through JNDI, on a bounded scheduler. The user's entry is found under the base with
 * {@code userFilter}, where {@code {user}} stands for the login name (RFC 4515 escaped), e.g.
 * {@code (|(uid={user})(mail={user}))}. Group membership is asked of each group entry itself (a base-scope search
 * for {@code member} or {@code uniqueMember} naming the user's DN, or {@code memberUid} naming the login), so it
 * works without a {@code memberOf} overlay on the server.
 */
public final class LdapMemberships implements Memberships {

    /**
     * @param url        ldap://host:port or ldaps://host:port
     * @param base       subtree searched for the user's entry
     * @param bindDn     DN to bind as, or "" for an anonymous bind
     * @param password   password of {@code bindDn}
     * @param userFilter filter finding the user's entry, {@code {user}} replaced by the login name
     * @param groups     group DNs to check membership of
     * @param attribute  attribute of the user's entry to read, or "" for none
     */
    public record Settings(String url, String base, String bindDn, String password, String userFilter,
                           List<String> groups, String attribute) {
        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(base, "base");
            bindDn = bindDn == null ? "" : bindDn;
            password = password == null ? "" : password;
            if (userFilter == null || !userFilter.contains("{user}")) {
                throw new IllegalArgumentException("the user filter must contain {user}, got '" + userFilter + "'");
            }
            groups = List.copyOf(groups);
            attribute = attribute == null ? "" : attribute.strip();
        }

        @Override
        public String toString() {
            return "LdapMemberships.Settings[url=" + url + ", base=" + base + ", bindDn=" + bindDn + ", userFilter="
                    + userFilter + ", groups=" + groups + ", attribute=" + attribute + "]";
        }
    }

    private final Settings settings;
    private final Scheduler scheduler;

    public LdapMemberships(Settings settings, Scheduler scheduler) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    @Override
    public Mono<Facts> lookup(String user) {
        return Mono.fromCallable(() -> query(user)).subscribeOn(scheduler);
    }

    private Facts query(String user) throws NamingException {
        DirContext context = new InitialDirContext(environment());
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            controls.setCountLimit(2);
            controls.setTimeLimit(10_000);
            controls.setReturningAttributes(settings.attribute().isEmpty() ? new String[0]
                    : new String[] {settings.attribute()});
            String filter = settings.userFilter().replace("{user}", LdapDirectory.escape(user));
            String dn;
            List<String> values = new ArrayList<>();
            NamingEnumeration<SearchResult> results = context.search(settings.base(), filter, controls);
            try {
                if (!results.hasMore()) {
                    return Facts.NONE;
                }
                SearchResult entry = results.next();
                dn = entry.getNameInNamespace();
                Attribute attribute = settings.attribute().isEmpty() ? null
                        : entry.getAttributes().get(settings.attribute());
                if (attribute != null) {
                    NamingEnumeration<?> all = attribute.getAll();
                    while (all.hasMore()) {
                        if (all.next() instanceof String text) {
                            values.add(text.strip());
                        }
                    }
                }
            } finally {
                results.close();
            }
            Set<String> member = new LinkedHashSet<>();
            for (String group : settings.groups()) {
                if (isMember(context, group, dn, user)) {
                    member.add(group);
                }
            }
            return new Facts(true, member, values);
        } finally {
            context.close();
        }
    }

    private static boolean isMember(DirContext context, String group, String dn, String user)
            throws NamingException {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.OBJECT_SCOPE);
        controls.setReturningAttributes(new String[0]);
        controls.setTimeLimit(10_000);
        String filter = "(|(member=" + LdapDirectory.escape(dn) + ")(uniqueMember=" + LdapDirectory.escape(dn)
                + ")(memberUid=" + LdapDirectory.escape(user) + "))";
        try {
            NamingEnumeration<SearchResult> results = context.search(group, filter, controls);
            try {
                return results.hasMore();
            } finally {
                results.close();
            }
        } catch (NameNotFoundException absent) {
            return false; // a group that does not exist has no members
        }
    }

    private Hashtable<String, Object> environment() {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, settings.url());
        env.put("com.sun.jndi.ldap.connect.timeout", "5000");
        env.put("com.sun.jndi.ldap.read.timeout", "15000");
        if (settings.bindDn().isEmpty()) {
            env.put(Context.SECURITY_AUTHENTICATION, "none");
        } else {
            env.put(Context.SECURITY_AUTHENTICATION, "simple");
            env.put(Context.SECURITY_PRINCIPAL, settings.bindDn());
            env.put(Context.SECURITY_CREDENTIALS, settings.password());
        }
        return env;
    }

    @Override
    public String toString() {
        return "LdapMemberships[" + settings + "]";
    }
}
