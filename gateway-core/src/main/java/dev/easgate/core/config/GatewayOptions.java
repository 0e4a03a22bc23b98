package dev.easgate.core.config;

import dev.easgate.core.admin.AdminOptions;
import dev.easgate.core.autodiscover.AutodiscoverOptions;
import dev.easgate.core.command.search.DirectoryOptions;
import dev.easgate.core.command.validatecert.ValidateCertOptions;
import dev.easgate.core.connection.ConnectionOptions;
import dev.easgate.core.lmtp.LmtpOptions;
import dev.easgate.core.dav.DavOptions;
import dev.easgate.core.health.HealthOptions;
import dev.easgate.core.limits.LimitOptions;
import dev.easgate.core.logging.LogOptions;
import dev.easgate.core.loop.LoopOptions;
import dev.easgate.core.oof.SieveOptions;
import dev.easgate.core.policy.PolicyOptions;
import dev.easgate.core.server.ImapBackend;
import dev.easgate.core.server.StateOptions;
import dev.easgate.core.startup.StartupOptions;
import dev.easgate.core.tls.TlsOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Every option the gateway reads, with its default. Policy options ({@code policy.*}) are listed separately.
 * A feature package defines its options as {@link ConfigOption} constants in a class of its own (e.g.
 * {@code AdminOptions.ALL}), adds that list to {@link #ALL} here, and reads them with
 * {@link GatewayConfig#text}/{@link GatewayConfig#number}/{@link GatewayConfig#flag}.
 */
public final class GatewayOptions {
    public static final ConfigOption BIND = new ConfigOption("bind", "127.0.0.1",
            "address the EAS endpoint listens on");
    public static final ConfigOption PORT = new ConfigOption("port", "8080",
            "TCP port of the EAS endpoint (/Microsoft-Server-ActiveSync)");
    public static final ConfigOption BACKEND = new ConfigOption("backend", "memory",
            "mail store: 'memory' (demo accounts and mailboxes seeded anew at every start) or 'imap' (an IMAP server, "
                    + "accounts by IMAP login, SMTP submission: see imap.* and smtp.*)");
    public static final ConfigOption REDIS = new ConfigOption("redis", "",
            "shared state store and change bus: redis://host:port or redis-cluster://host:port,host:port,...; "
                    + "empty: a single node, in-process bus and its state on disk (see data.dir)");
    public static final ConfigOption PUSH_TOKEN = new ConfigOption("push.token", "",
            "bearer token of the push webhook POST /push/v1/events (stores that call a URL on new mail); "
                    + "empty: the webhook is off");
    public static final ConfigOption MEMORY_PASSWORD = new ConfigOption("memory.password", "",
            "with the memory backend: when set, any user name logs in with this password and gets a fresh "
                    + "seeded mailbox (for load tests); when empty, only the demo accounts exist");
    public static final ConfigOption MEMORY_DOMAIN = new ConfigOption("memory.domain", "example.com",
            "with the memory backend: the mail domain of the accounts");
    public static final ConfigOption MEMORY_SEED = new ConfigOption("memory.seed", "demo",
            "with the memory backend: what a new user's mailbox holds: 'demo' (mail, contacts, events, tasks, "
                    + "notes) or 'folders' (the standard folders, empty: load tests that measure the gateway, not "
                    + "the demo data)");
    public static final ConfigOption DEMO_PASSWORD = new ConfigOption("memory.demo-password", "demo",
            "with the memory backend: the password of the demo accounts demo, alice and bob");
    public static final ConfigOption HEARTBEAT_MIN = new ConfigOption("heartbeat.min", "60",
            "shortest Ping/Sync heartbeat in seconds a device may ask for (MS-ASCMD Ping status 5 below it)");
    public static final ConfigOption HEARTBEAT_MAX = new ConfigOption("heartbeat.max", "3540",
            "longest Ping/Sync heartbeat in seconds a device may ask for (status 5 / 14 above it)");
    public static final ConfigOption PING_MAX_FOLDERS = new ConfigOption("ping.max-folders", "300",
            "most folders one Ping may watch (MS-ASCMD Ping status 6 above it)");
    public static final ConfigOption MAX_REQUEST_BYTES = new ConfigOption("request.max-bytes", "33554432",
            "largest request body in bytes; larger ones get HTTP 413");
    public static final ConfigOption MAX_CONCURRENT = new ConfigOption("request.max-concurrent", "10000",
            "requests processed at once on this node (parked Pings excluded); beyond it HTTP 503 + Retry-After");
    public static final ConfigOption RETRY_AFTER = new ConfigOption("request.retry-after", "30",
            "seconds sent in Retry-After with HTTP 503");
    public static final ConfigOption PROVISION_REQUIRED = new ConfigOption("provision.required", "true",
            "whether devices must provision (MS-ASPROV) before any other command");
    public static final ConfigOption SYNC_MAX_WINDOW = new ConfigOption("sync.max-window-size", "512",
            "largest WindowSize honoured in Sync; larger requests are capped (MS-ASCMD 2.2.3.199)");
    public static final ConfigOption WBXML_MAX_DEPTH = new ConfigOption("wbxml.max-depth", "64",
            "deepest element nesting accepted in a request");
    public static final ConfigOption WBXML_MAX_ELEMENTS = new ConfigOption("wbxml.max-elements", "200000",
            "most elements accepted in one request");

    public static final ConfigOption METRICS_PUBLIC = new ConfigOption("metrics.public", "false",
            "whether /metrics (Prometheus) answers every client; by default only loopback clients");

    public static final ConfigOption PARKED_MAX = new ConfigOption("parked.max", "100000",
            "most Ping/Sync requests parked on this node at once; beyond it HTTP 503 + Retry-After");
    public static final ConfigOption DEVICES_MAX_PER_USER = new ConfigOption("devices.max-per-user", "20",
            "most devices one user may have (MS-ASCMD status 177 for a new one beyond it)");
    public static final ConfigOption SHUTDOWN_GRACE = new ConfigOption("shutdown.grace", "30",
            "seconds a stopping node waits for requests in progress after answering its parked ones");

    public static final List<ConfigOption> ALL = concat(List.of(BIND, PORT, BACKEND, REDIS, PUSH_TOKEN,
            MEMORY_PASSWORD, MEMORY_DOMAIN,
            MEMORY_SEED, DEMO_PASSWORD, HEARTBEAT_MIN, HEARTBEAT_MAX, PING_MAX_FOLDERS, MAX_REQUEST_BYTES, MAX_CONCURRENT,
            RETRY_AFTER, PROVISION_REQUIRED, SYNC_MAX_WINDOW, WBXML_MAX_DEPTH, WBXML_MAX_ELEMENTS, METRICS_PUBLIC,
            PARKED_MAX, DEVICES_MAX_PER_USER, SHUTDOWN_GRACE),
            LimitOptions.ALL,
            ConnectionOptions.ALL,
            LmtpOptions.ALL,
            AdminOptions.ALL,
            TlsOptions.ALL,
            AutodiscoverOptions.ALL,
            LogOptions.ALL,
            DirectoryOptions.ALL,
            ValidateCertOptions.ALL,
            ImapBackend.ALL,
            StateOptions.ALL,
            DavOptions.ALL,
            SieveOptions.ALL,
            HealthOptions.ALL,
            StartupOptions.ALL,
            PolicyOptions.ALL,
            LoopOptions.ALL);

    @SafeVarargs
    private static List<ConfigOption> concat(List<ConfigOption>... lists) {
        List<ConfigOption> all = new ArrayList<>();
        for (List<ConfigOption> list : lists) {
            all.addAll(list);
        }
        return List.copyOf(all);
    }

    /** Prefix of the options that fill the EASProvisionDoc, e.g. {@code policy.DevicePasswordEnabled=1}. */
    public static final String POLICY_PREFIX = "policy.";

    private GatewayOptions() {
    }
}
