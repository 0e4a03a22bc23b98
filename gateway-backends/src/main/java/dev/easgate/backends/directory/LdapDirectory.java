package dev.easgate.backends.directory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.SizeLimitExceededException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link Directory} over any LDAP server through the JDK's JNDI provider. JNDI blocks, so every call runs on a
 * bounded scheduler (never the caller's event loop) with its own short-lived connection; the server's own
 * size limits and timeouts apply.
 *
 * <p>Which LDAP attribute holds which entry field is configurable ({@link Mapping}); the defaults fit the
 * inetOrgPerson schema (RFC 2798): cn, givenName, sn, mail, telephoneNumber, mobile, homePhone,
 * physicalDeliveryOfficeName, title, o, uid, jpegPhoto, userCertificate;binary.
 */
public final class LdapDirectory implements Directory {
    /** Most entries one search reads before sorting; more are cut by the server's size limit anyway. */
    private static final int READ_LIMIT = 1000;

    /**
     * Entry field to LDAP attribute.
     *
     * @param attributes field name (displayName, firstName, lastName, email, phone, mobilePhone, homePhone, office,
     *                   title, company, alias, picture, certificates) to attribute name; a field mapped to "" is
     *                   not read
     */
    public record Mapping(Map<String, String> attributes) {
        public static final List<String> FIELDS = List.of("displayName", "firstName", "lastName", "email", "phone",
                "mobilePhone", "homePhone", "office", "title", "company", "alias", "picture", "certificates");

        public static final Mapping DEFAULT = new Mapping(defaults());

        public Mapping {
            for (String field : attributes.keySet()) {
                if (!FIELDS.contains(field)) {
                    throw new IllegalArgumentException("unknown directory field '" + field + "' (known: " + FIELDS + ")");
                }
            }
            attributes = Map.copyOf(attributes);
        }

        private static Map<String, String> defaults() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("displayName", "cn");
            m.put("firstName", "givenName");
            m.put("lastName", "sn");
            m.put("email", "mail");
            m.put("phone", "telephoneNumber");
            m.put("mobilePhone", "mobile");
            m.put("homePhone", "homePhone");
            m.put("office", "physicalDeliveryOfficeName");
            m.put("title", "title");
            m.put("company", "o");
            m.put("alias", "uid");
            m.put("picture", "jpegPhoto");
            m.put("certificates", "userCertificate;binary");
            return m;
        }

        /**
         * The defaults overridden by {@code spec}: comma-separated {@code field=attribute} pairs, e.g.
         * {@code displayName=displayName,company=ou}; blank: the defaults.
         */
        public static Mapping parse(String spec) {
            Map<String, String> m = new LinkedHashMap<>(defaults());
            if (spec != null && !spec.isBlank()) {
                for (String pair : spec.split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("directory attribute mapping '" + pair
                                + "' is not field=attribute");
                    }
                    String field = pair.substring(0, eq).strip();
                    if (!FIELDS.contains(field)) {
                        throw new IllegalArgumentException("unknown directory field '" + field + "' (known: "
                                + FIELDS + ")");
                    }
                    m.put(field, pair.substring(eq + 1).strip());
                }
            }
            return new Mapping(m);
        }

        String attribute(String field) {
            String name = attributes.get(field);
            return name == null || name.isBlank() ? null : name;
        }
    }

    /**
     * Where and how to connect.
     *
     * @param url      {@code ldap://host:port} or {@code ldaps://host:port}
     * @param base     the subtree holding the people, e.g. {@code ou=people,dc=example,dc=com}
     * @param bindDn   the DN to bind as, or "" for an anonymous bind
     * @param password the bind password
     * @param filter   an extra filter every entry must match, e.g. {@code (objectClass=inetOrgPerson)}
     * @param mapping  the attribute mapping
     */
    public record Settings(String url, String base, String bindDn, String password, String filter, Mapping mapping) {
        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(base, "base");
            bindDn = bindDn == null ? "" : bindDn;
            password = password == null ? "" : password;
            filter = filter == null || filter.isBlank() ? "(objectClass=*)" : filter.strip();
            Objects.requireNonNull(mapping, "mapping");
            if (!url.startsWith("ldap://") && !url.startsWith("ldaps://")) {
                throw new IllegalArgumentException("directory.ldap.url must be ldap://host:port or ldaps://host:port, got '"
                        + url + "'");
            }
        }

        @Override
        public String toString() {
            return "Settings[" + url + ", base=" + base + ", bindDn=" + bindDn + "]";
        }
    }

    private final Settings settings;
    private final Scheduler scheduler;

    public LdapDirectory(Settings settings) {
        this(settings, Schedulers.boundedElastic());
    }

    public LdapDirectory(Settings settings, Scheduler scheduler) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    @Override
    public Flux<DirectoryEntry> search(String prefix, int limit) {
        String p = prefix == null ? "" : prefix.strip();
        if (p.isEmpty() || limit <= 0) {
            return Flux.empty();
        }
        String value = escape(p);
        StringBuilder any = new StringBuilder("(|");
        for (String field : List.of("displayName", "firstName", "lastName", "email", "alias")) {
            String attribute = settings.mapping().attribute(field);
            if (attribute != null) {
                any.append('(').append(attribute).append('=').append(value).append("*)");
            }
        }
        String display = settings.mapping().attribute("displayName");
        if (display != null) {
            // a later word of the display name ("walk" finds "Alice Walker")
            any.append('(').append(display).append("=* ").append(value).append("*)");
        }
        any.append(')');
        String filter = "(&" + settings.filter() + any + ")";
        return Mono.fromCallable(() -> query(filter))
                .subscribeOn(scheduler)
                .flatMapIterable(list -> {
                    List<DirectoryEntry> sorted = new ArrayList<>(list);
                    sorted.sort(Comparator.comparing((DirectoryEntry e) -> e.displayName().toLowerCase(Locale.ROOT))
                            .thenComparing(e -> e.email().toLowerCase(Locale.ROOT)));
                    return sorted.subList(0, Math.min(limit, sorted.size()));
                });
    }

    @Override
    public Mono<DirectoryEntry> byAddress(String address) {
        String email = settings.mapping().attribute("email");
        if (address == null || address.isBlank() || email == null) {
            return Mono.empty();
        }
        String filter = "(&" + settings.filter() + "(" + email + "=" + escape(address.strip()) + "))";
        return Mono.fromCallable(() -> query(filter))
                .subscribeOn(scheduler)
                .flatMap(list -> Mono.justOrEmpty(list.stream().findFirst()));
    }

    private List<DirectoryEntry> query(String filter) throws NamingException {
        DirContext context = new InitialDirContext(environment());
        try {
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            controls.setCountLimit(READ_LIMIT);
            controls.setTimeLimit(10_000);
            List<String> attributes = new ArrayList<>();
            for (String field : Mapping.FIELDS) {
                String attribute = settings.mapping().attribute(field);
                if (attribute != null) {
                    attributes.add(attribute);
                }
            }
            controls.setReturningAttributes(attributes.toArray(new String[0]));
            List<DirectoryEntry> entries = new ArrayList<>();
            NamingEnumeration<SearchResult> results = context.search(settings.base(), filter, controls);
            try {
                while (results.hasMore()) {
                    DirectoryEntry entry = entry(results.next().getAttributes());
                    if (entry != null) {
                        entries.add(entry);
                    }
                }
            } catch (SizeLimitExceededException enough) {
                // keep what the server sent
            } finally {
                results.close();
            }
            return entries;
        } finally {
            context.close();
        }
    }

    private Hashtable<String, Object> environment() {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, settings.url());
        env.put("com.sun.jndi.ldap.connect.timeout", "5000");
        env.put("com.sun.jndi.ldap.read.timeout", "15000");
        List<String> binary = new ArrayList<>();
        for (String field : List.of("picture", "certificates")) {
            String attribute = settings.mapping().attribute(field);
            if (attribute != null) {
                binary.add(attribute);
            }
        }
        env.put("java.naming.ldap.attributes.binary", String.join(" ", binary));
        if (settings.bindDn().isEmpty()) {
            env.put(Context.SECURITY_AUTHENTICATION, "none");
        } else {
            env.put(Context.SECURITY_AUTHENTICATION, "simple");
            env.put(Context.SECURITY_PRINCIPAL, settings.bindDn());
            env.put(Context.SECURITY_CREDENTIALS, settings.password());
        }
        return env;
    }

    private DirectoryEntry entry(Attributes attributes) throws NamingException {
        String email = text(attributes, "email");
        if (email == null) {
            return null;
        }
        String display = text(attributes, "displayName");
        String first = text(attributes, "firstName");
        String last = text(attributes, "lastName");
        if (display == null) {
            display = first == null && last == null ? email
                    : ((first == null ? "" : first) + " " + (last == null ? "" : last)).strip();
        }
        List<byte[]> certificates = new ArrayList<>();
        Attribute certs = attribute(attributes, "certificates");
        if (certs != null) {
            NamingEnumeration<?> values = certs.getAll();
            while (values.hasMore()) {
                if (values.next() instanceof byte[] der) {
                    certificates.add(der);
                }
            }
        }
        Attribute photo = attribute(attributes, "picture");
        byte[] picture = photo != null && photo.get() instanceof byte[] bytes ? bytes : null;
        return new DirectoryEntry(display, first, last, email, text(attributes, "phone"),
                text(attributes, "mobilePhone"), text(attributes, "homePhone"), text(attributes, "office"),
                text(attributes, "title"), text(attributes, "company"), text(attributes, "alias"), picture,
                certificates);
    }

    private Attribute attribute(Attributes attributes, String field) {
        String name = settings.mapping().attribute(field);
        return name == null ? null : attributes.get(name);
    }

    private String text(Attributes attributes, String field) throws NamingException {
        Attribute attribute = attribute(attributes, field);
        if (attribute == null || attribute.size() == 0) {
            return null;
        }
        Object value = attribute.get();
        return value instanceof String s ? s : null;
    }

    /** RFC 4515 escaping of a filter value. */
    static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\5c");
                case '*' -> out.append("\\2a");
                case '(' -> out.append("\\28");
                case ')' -> out.append("\\29");
                case '\0' -> out.append("\\00");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "LdapDirectory[" + settings + "]";
    }
}
