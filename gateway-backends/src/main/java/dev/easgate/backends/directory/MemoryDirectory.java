package dev.easgate.backends.directory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A directory held in memory: a fixed list of entries. {@link #demo(String)} gives the demo accounts (demo, alice,
 * bob) and a seeded company of some thirty colleagues, with pictures for a few and an S/MIME certificate for Alice.
 */
public final class MemoryDirectory implements Directory {
    /** A 1x1 PNG: the demo "photo" of the entries that have one. */
    public static final byte[] DEMO_PICTURE = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");
    /** A self-signed demo certificate (EC P-256, CN=Alice Walker) returned for Alice by ResolveRecipients. */
    public static final byte[] DEMO_CERTIFICATE = Base64.getDecoder().decode(
            "MIIByDCCAW2gAwIBAgIUC4NchYvfssnq9Qf/cZADniYNXwIwCgYIKoZIzj0EAwIwOTEVMBMGA1UEAwwMQWxpY2UgV2Fsa2Vy"
                    + "MSAwHgYJKoZIhvcNAQkBFhFhbGljZUBleGFtcGxlLmNvbTAeFw0yNjExMjUwMTE2MzlaFw00NjExMjAwMTE2MzlaMDkx"
                    + "FTATBgNVBAMMDEFsaWNlIFdhbGtlcjEgMB4GCSqGSIb3DQEJARYRYWxpY2VAZXhhbXBsZS5jb20wWTATBgcqhkjOPQIB"
                    + "BggqhkjOPQMBBwNCAAQzZ8Dy5CyeiRhMYvjW91AtfbZGfySacbWdNEjQl1AJVWWh9/6sca8YEDbzQ2XeLWeoUS/GGK7l"
                    + "2K4fF2PwGUY2o1MwUTAdBgNVHQ4EFgQUS1ca/DIDS2/NAqoUJKgihvHArxgwHwYDVR0jBBgwFoAUS1ca/DIDS2/NAqoU"
                    + "JKgihvHArxgwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAhSPqAuQmOtaXbz1ci63scD0m9D5hYy23"
                    + "LCYCOB+7ztkCIQDaYd0+eCwQnoicIMSeJ89SK+DMIVFdj1Nm5AHl7/o7pg==");

    private static final Comparator<DirectoryEntry> ORDER = Comparator
            .comparing((DirectoryEntry e) -> e.displayName().toLowerCase(Locale.ROOT))
            .thenComparing(e -> e.email().toLowerCase(Locale.ROOT));

    private final List<DirectoryEntry> entries;
    private final Map<String, DirectoryEntry> byAddress;

    public MemoryDirectory(List<DirectoryEntry> entries) {
        List<DirectoryEntry> sorted = new ArrayList<>(entries);
        sorted.sort(ORDER);
        this.entries = List.copyOf(sorted);
        this.byAddress = sorted.stream().collect(Collectors.toUnmodifiableMap(
                e -> e.email().toLowerCase(Locale.ROOT), Function.identity(), (a, b) -> {
                    throw new IllegalArgumentException("address " + a.email() + " listed twice");
                }));
    }

    /** The demo accounts at {@code domain} and the seeded company list. */
    public static MemoryDirectory demo(String domain) {
        Objects.requireNonNull(domain, "domain");
        List<DirectoryEntry> all = new ArrayList<>();
        all.add(person("Demo User", "Demo", "User", "demo@" + domain, "+1 555 0001", null, "HQ 1.01", "Tester",
                "demo").withPicture(DEMO_PICTURE));
        all.add(person("Alice Walker", "Alice", "Walker", "alice@" + domain, "+1 555 0101", "+1 555 0100",
                "HQ 2.14", "Product Manager", "alice").withPicture(DEMO_PICTURE)
                .withCertificates(List.of(DEMO_CERTIFICATE)));
        all.add(person("Bob Martin", "Bob", "Martin", "bob@" + domain, "+1 555 0111", "+1 555 0110", "HQ 3.02",
                "Controller", "bob"));
        String[][] company = {
                {"Aaron", "Becker", "Software Engineer"}, {"Abigail", "Chen", "Data Analyst"},
                {"Adrian", "Diaz", "Sales Manager"}, {"Agnes", "Eriksen", "Recruiter"},
                {"Albert", "Fischer", "Accountant"}, {"Alicia", "Garcia", "Designer"},
                {"Amir", "Haddad", "Support Engineer"}, {"Anna", "Ivanova", "Legal Counsel"},
                {"Ben", "Johansson", "Office Manager"}, {"Bianca", "Kowalski", "Marketing Lead"},
                {"Boris", "Lindqvist", "Network Engineer"}, {"Carla", "Moreau", "HR Partner"},
                {"Chloe", "Nakamura", "QA Engineer"}, {"Daniel", "O'Brien", "Architect"},
                {"Diana", "Petrova", "Finance Director"}, {"Eduardo", "Quintero", "Sales Engineer"},
                {"Elena", "Rossi", "Project Manager"}, {"Farid", "Sayed", "Security Engineer"},
                {"Fiona", "Thompson", "Technical Writer"}, {"George", "Umarov", "Facilities"},
                {"Hannah", "Vogel", "Product Owner"}, {"Ivan", "Wagner", "DevOps Engineer"},
                {"Julia", "Xu", "UX Researcher"}, {"Kevin", "Young", "Account Executive"},
                {"Laura", "Zimmermann", "Chief of Staff"}, {"Marta", "Alves", "Customer Success"},
                {"Nils", "Berg", "Database Administrator"}, {"Olivia", "Carter", "CEO"},
                {"Paul", "Dubois", "CTO"}, {"Rita", "Evans", "Receptionist"},
        };
        int n = 0;
        for (String[] p : company) {
            n++;
            String alias = (p[0] + "." + p[1]).toLowerCase(Locale.ROOT).replace("'", "");
            DirectoryEntry entry = person(p[0] + " " + p[1], p[0], p[1], alias + "@" + domain,
                    String.format(Locale.ROOT, "+1 555 %04d", 1000 + n), String.format(Locale.ROOT,
                            "+1 555 %04d", 2000 + n), "HQ " + (1 + n % 4) + "." + String.format(Locale.ROOT,
                            "%02d", n), p[2], alias);
            all.add(n % 5 == 0 ? entry.withPicture(DEMO_PICTURE) : entry);
        }
        return new MemoryDirectory(all);
    }

    private static DirectoryEntry person(String display, String first, String last, String email, String phone,
                                         String mobile, String office, String title, String alias) {
        return new DirectoryEntry(display, first, last, email, phone, mobile, null, office, title, "Example Corp",
                alias, null, List.of());
    }

    /** Every entry, ordered by display name. */
    public List<DirectoryEntry> entries() {
        return entries;
    }

    @Override
    public Flux<DirectoryEntry> search(String prefix, int limit) {
        String lower = prefix == null ? "" : prefix.strip().toLowerCase(Locale.ROOT);
        if (limit <= 0) {
            return Flux.empty();
        }
        return Flux.fromIterable(entries).filter(e -> e.matchesPrefix(lower)).take(limit);
    }

    @Override
    public Mono<DirectoryEntry> byAddress(String address) {
        if (address == null) {
            return Mono.empty();
        }
        return Mono.justOrEmpty(byAddress.get(address.strip().toLowerCase(Locale.ROOT)));
    }

    @Override
    public String toString() {
        return "MemoryDirectory[" + entries.size() + " entries]";
    }
}
