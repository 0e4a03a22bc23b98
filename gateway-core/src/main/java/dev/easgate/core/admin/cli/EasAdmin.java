package dev.easgate.core.admin.cli;

import dev.easgate.core.admin.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/**
 * {@code eas-admin}: the command line client of the admin API. Prints a table by default, the API's JSON with
 * {@code --json}. The common options (--url, --token, --json) and --help are inherited by every command and
 * subcommand (picocli's ScopeType.INHERIT), so they may stand anywhere after the command name. Exit status
 * ({@link #DONE}, {@link #REFUSED}, {@link #USAGE}): 0 done, 1 the gateway refused or failed (its message on
 * stderr), 2 bad usage or the gateway unreachable.
 */
@Command(name = "eas-admin", mixinStandardHelpOptions = true, version = "eas-admin 0.1",
        scope = ScopeType.INHERIT, // --help, --version and the exit code list on every (sub)command
        description = "Administers devices of an easgate gateway through its admin API (--admin.port/--admin.token).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:the gateway refused or failed (its message on stderr), e.g. no such device, wrong token",
            "2:bad usage (unknown option, missing argument, no token) or the gateway unreachable"},
        subcommands = {EasAdmin.Devices.class, EasAdmin.Blocks.class, EasAdmin.Debug.class, EasAdmin.Policy.class})
public final class EasAdmin {
    /** Exit status: the command was done. */
    public static final int DONE = 0;
    /** Exit status: the gateway answered with an error (refused, not found, failed). */
    public static final int REFUSED = 1;
    /** Exit status: bad usage, or the gateway could not be reached. */
    public static final int USAGE = 2;

    @Option(names = "--url", defaultValue = "${env:EASGATE_ADMIN_URL:-http://127.0.0.1:8090}",
            scope = ScopeType.INHERIT,
            description = "admin API base URL (default: ${DEFAULT-VALUE}; env EASGATE_ADMIN_URL)")
    String url;

    @Option(names = "--token", defaultValue = "${env:EASGATE_ADMIN_TOKEN}", scope = ScopeType.INHERIT,
            description = "admin token (env EASGATE_ADMIN_TOKEN keeps it out of the process list)")
    String token;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the API's JSON instead of a table")
    boolean json;

    PrintWriter out;
    PrintWriter err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        EasAdmin admin = new EasAdmin();
        admin.out = out;
        admin.err = err;
        CommandLine line = new CommandLine(admin).setOut(out).setErr(err)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    err.println("eas-admin: " + e.getMessage());
                    return e instanceof Unreachable ? USAGE : REFUSED;
                });
        int status = line.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    static final class Unreachable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message);
        }
    }

    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** Calls the API; returns the JSON text of a 2xx answer, else throws with the API's error message. */
    String call(String method, String path, String body) {
        if (token == null || token.isBlank()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--token (or EASGATE_ADMIN_TOKEN) is required");
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/admin/v1" + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unreachable("cannot reach " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            String message = response.body();
            try {
                Object error = Json.parseObject(response.body()).get("error");
                if (error != null) {
                    message = error.toString();
                }
            } catch (RuntimeException ignored) {
                // not JSON: show it as it is
            }
            throw new Refused("HTTP " + response.statusCode() + ": " + message.strip());
        }
        return response.body().strip();
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The objects of the JSON array under {@code key} in the admin API's answer, as table rows. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(String json, String key) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object row : (List<Object>) Json.parseObject(json).get(key)) {
            rows.add((Map<String, Object>) row);
        }
        return rows;
    }

    /** Prints {@code rows} as a table with the given columns (key to header). */
    void table(List<Map<String, Object>> rows, Map<String, String> columns) {
        List<String> keys = new ArrayList<>(columns.keySet());
        int[] widths = new int[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            widths[i] = columns.get(keys.get(i)).length();
            for (Map<String, Object> row : rows) {
                widths[i] = Math.max(widths[i], cell(row.get(keys.get(i))).length());
            }
        }
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            header.append(String.format("%-" + widths[i] + "s", columns.get(keys.get(i))))
                    .append(i + 1 < keys.size() ? "  " : "");
        }
        out.println(header.toString().stripTrailing());
        for (Map<String, Object> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < keys.size(); i++) {
                line.append(String.format("%-" + widths[i] + "s", cell(row.get(keys.get(i)))))
                        .append(i + 1 < keys.size() ? "  " : "");
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String cell(Object value) {
        if (value == null || value.toString().isEmpty()) {
            return "-";
        }
        String s = value.toString();
        return s.length() > 40 ? s.substring(0, 39) + "…" : s;
    }

    /** Prints the answer as JSON, or one "key: value" per line. */
    void result(String json) {
        if (this.json) {
            out.println(json);
            return;
        }
        Map<String, Object> object = Json.parseObject(json);
        object.forEach((k, v) -> out.println(k + ": " + (v == null ? "-" : v)));
    }

    // ---- devices ------------------------------------------------------------------------------------------------

    @Command(name = "devices", description = "list and act on a user's devices",
            subcommands = {DevicesList.class, DeviceAction.Wipe.class, DeviceAction.AccountWipe.class,
                    DeviceAction.Resync.class, DeviceAction.Remove.class, DeviceAction.Block.class,
                    DeviceAction.Unblock.class, DeviceAction.ClearLoop.class})
    static final class Devices {
        @ParentCommand
        EasAdmin root;
    }

    @Command(name = "list", description = "a user's devices: type, model, OS, user agent, protocol version, last "
            + "Sync and Ping, policy and wipe state")
    static final class DevicesList implements Callable<Integer> {
        @ParentCommand
        Devices devices;

        @Option(names = "--user", required = true, description = "the user (login name)")
        String user;

        @Override
        public Integer call() {
            EasAdmin root = devices.root;
            String json = root.call("GET", "/users/" + enc(user) + "/devices", null);
            if (root.json) {
                root.out.println(json);
                return 0;
            }
            List<Map<String, Object>> rows = rows(json, "devices");
            Map<String, String> columns = new LinkedHashMap<>();
            columns.put("deviceId", "DEVICE");
            columns.put("deviceType", "TYPE");
            columns.put("model", "MODEL");
            columns.put("os", "OS");
            columns.put("userAgent", "USER-AGENT");
            columns.put("protocolVersion", "EAS");
            columns.put("lastSync", "LAST-SYNC");
            columns.put("lastPing", "LAST-PING");
            columns.put("policy", "POLICY");
            columns.put("policySet", "POLICY-SET");
            columns.put("wipe", "WIPE");
            columns.put("blocked", "BLOCKED");
            columns.put("loop", "LOOP");
            root.table(rows, columns);
            return 0;
        }
    }

    /** An action on one device. */
    abstract static class DeviceAction implements Callable<Integer> {
        @ParentCommand
        Devices devices;

        @Option(names = "--user", required = true, description = "the user (login name)")
        String user;

        @Option(names = "--device", required = true, description = "the device id")
        String device;

        private final String method;
        private final String suffix;

        /** @param method the admin API's HTTP method, @param suffix what follows the device's path */
        DeviceAction(String method, String suffix) {
            this.method = method;
            this.suffix = suffix;
        }

        String path() {
            return "/users/" + enc(user) + "/devices/" + enc(device);
        }

        String method() {
            return method;
        }

        String suffix() {
            return suffix;
        }

        @Override
        public Integer call() {
            devices.root.result(devices.root.call(method(), path() + suffix(), method().equals("POST") ? "" : null));
            return 0;
        }

        @Command(name = "wipe", description = "remote wipe: the device erases itself at its next Provision "
                + "(MS-ASPROV); its acknowledgement shows in devices list")
        static final class Wipe extends DeviceAction {
            Wipe() {
                super("POST", "/wipe");
            }
        }

        @Command(name = "account-wipe", description = "account-only remote wipe (EAS 16.1 clients): the device "
                + "removes this account's data only")
        static final class AccountWipe extends DeviceAction {
            AccountWipe() {
                super("POST", "/account-wipe");
            }
        }

        @Command(name = "resync", description = "forget the device's sync state so it syncs afresh: every folder, "
                + "or one with --folder")
        static final class Resync extends DeviceAction {
            @Option(names = "--folder", description = "only this folder (collection id)")
            String folder;

            Resync() {
                super("POST", "/resync");
            }

            @Override
            String suffix() {
                return super.suffix() + (folder == null ? "" : "?folder=" + enc(folder));
            }
        }

        @Command(name = "remove", description = "forget the device and all its state (it must provision again)")
        static final class Remove extends DeviceAction {
            Remove() {
                super("DELETE", "");
            }
        }

        @Command(name = "block", description = "refuse this device (MS-ASCMD status 129)")
        static final class Block extends DeviceAction {
            Block() {
                super("POST", "/block");
            }
        }

        @Command(name = "clear-loop", description = "lift the device's loop flag (LOOP in devices list) and give "
                + "back the items set aside: they are sent at its next Sync")
        static final class ClearLoop extends DeviceAction {
            ClearLoop() {
                super("POST", "/clear-loop");
            }
        }

        @Command(name = "unblock", description = "lift the block of this device")
        static final class Unblock extends DeviceAction {
            Unblock() {
                super("DELETE", "");
            }

            @Override
            String path() {
                return "/blocks?kind=device&value=" + enc(user + "/" + device);
            }
        }
    }

    // ---- block list ---------------------------------------------------------------------------------------------

    @Command(name = "blocks", description = "block device types or user agents",
            subcommands = {BlocksList.class, BlockChange.Add.class, BlockChange.Remove.class})
    static final class Blocks {
        @ParentCommand
        EasAdmin root;
    }

    @Command(name = "list", description = "the block list")
    static final class BlocksList implements Callable<Integer> {
        @ParentCommand
        Blocks blocks;

        @Override
        public Integer call() {
            EasAdmin root = blocks.root;
            String json = root.call("GET", "/blocks", null);
            if (root.json) {
                root.out.println(json);
                return 0;
            }
            List<Map<String, Object>> rows = rows(json, "blocks");
            Map<String, String> columns = new LinkedHashMap<>();
            columns.put("kind", "KIND");
            columns.put("value", "VALUE");
            root.table(rows, columns);
            return 0;
        }
    }

    abstract static class BlockChange implements Callable<Integer> {
        @ParentCommand
        Blocks blocks;

        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--device-type", description = "a DeviceType (case-insensitive), e.g. SAMSUNGSMG991B")
            String deviceType;

            @Option(names = "--user-agent", description = "a User-Agent prefix (case-insensitive), e.g. Outlook-iOS/")
            String userAgent;
        }

        String kind() {
            return target.deviceType != null ? "device-type" : "user-agent";
        }

        String value() {
            return target.deviceType != null ? target.deviceType : target.userAgent;
        }

        @Command(name = "add", description = "block a device type or user agent")
        static final class Add extends BlockChange {
            @Override
            public Integer call() {
                blocks.root.result(blocks.root.call("POST", "/blocks",
                        Json.write(Map.of("kind", kind(), "value", value()))));
                return 0;
            }
        }

        @Command(name = "remove", description = "lift a block of a device type or user agent")
        static final class Remove extends BlockChange {
            @Override
            public Integer call() {
                blocks.root.result(blocks.root.call("DELETE", "/blocks?kind=" + kind() + "&value=" + enc(value()),
                        null));
                return 0;
            }
        }
    }

    // ---- per-device debug ---------------------------------------------------------------------------------------

    @Command(name = "debug", description = "log one user's (or device's) requests and responses as XML",
            subcommands = {DebugOn.class, DebugOff.class, DebugList.class})
    static final class Debug {
        @ParentCommand
        EasAdmin root;
    }

    @Command(name = "on", description = "switch debug logging on (user content redacted unless --content)")
    static final class DebugOn implements Callable<Integer> {
        @ParentCommand
        Debug debug;

        @Option(names = "--user", required = true)
        String user;

        @Option(names = "--device", description = "only this device (default: all of the user's)")
        String device;

        @Option(names = "--content", description = "log user content (subjects, bodies, names) too")
        boolean content;

        @Option(names = "--minutes", defaultValue = "60", description = "switch off after (default ${DEFAULT-VALUE})")
        int minutes;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("user", user);
            body.put("device", device == null ? "" : device);
            body.put("content", content);
            body.put("minutes", minutes);
            debug.root.result(debug.root.call("POST", "/debug", Json.write(body)));
            return 0;
        }
    }

    @Command(name = "off", description = "switch debug logging off")
    static final class DebugOff implements Callable<Integer> {
        @ParentCommand
        Debug debug;

        @Option(names = "--user", required = true)
        String user;

        @Option(names = "--device")
        String device;

        @Override
        public Integer call() {
            debug.root.result(debug.root.call("DELETE", "/debug?user=" + enc(user)
                    + (device == null ? "" : "&device=" + enc(device)), null));
            return 0;
        }
    }

    @Command(name = "list", description = "debug switches in force on the node")
    static final class DebugList implements Callable<Integer> {
        @ParentCommand
        Debug debug;

        @Override
        public Integer call() {
            String json = debug.root.call("GET", "/debug", null);
            if (debug.root.json) {
                debug.root.out.println(json);
                return 0;
            }
            List<Map<String, Object>> rows = rows(json, "debug");
            Map<String, String> columns = new LinkedHashMap<>();
            columns.put("user", "USER");
            columns.put("device", "DEVICE");
            columns.put("content", "CONTENT");
            columns.put("until", "UNTIL");
            debug.root.table(rows, columns);
            return 0;
        }
    }

    // ---- policy sets --------------------------------------------------------------------------------------------

    @Command(name = "policy", description = "policy sets (MS-ASPROV): list them, show, assign or clear a user's set",
            subcommands = {PolicyList.class, PolicyShow.class, PolicySetCommand.class, PolicyClear.class})
    static final class Policy {
        @ParentCommand
        EasAdmin root;
    }

    @Command(name = "list", description = "the policy sets of the configuration (default: the global policy)")
    static final class PolicyList implements Callable<Integer> {
        @ParentCommand
        Policy policy;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() {
            EasAdmin root = policy.root;
            String json = root.call("GET", "/policies", null);
            if (root.json) {
                root.out.println(json);
                return 0;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Map<String, Object> set : rows(json, "sets")) {
                Map<String, Object> row = new LinkedHashMap<>(set);
                Map<String, Object> settings = (Map<String, Object>) row.get("settings");
                row.put("password", settings.get("DevicePasswordEnabled"));
                row.put("minLength", settings.get("MinDevicePasswordLength"));
                row.put("encryption", settings.get("RequireDeviceEncryption"));
                rows.add(row);
            }
            Map<String, String> columns = new LinkedHashMap<>();
            columns.put("name", "SET");
            columns.put("ldapGroup", "LDAP-GROUP");
            columns.put("password", "PASSWORD");
            columns.put("minLength", "MIN-LENGTH");
            columns.put("encryption", "ENCRYPTION");
            root.table(rows, columns);
            return 0;
        }
    }

    @Command(name = "show", description = "the set a user has: assigned by an administrator, from LDAP or global")
    static final class PolicyShow implements Callable<Integer> {
        @ParentCommand
        Policy policy;

        @Option(names = "--user", required = true, description = "the user (login name)")
        String user;

        @Override
        public Integer call() {
            policy.root.result(policy.root.call("GET", "/users/" + enc(user) + "/policy", null));
            return 0;
        }
    }

    @Command(name = "set", description = "assign a policy set to a user; it wins over LDAP, and each of the user's "
            + "devices provisions again at its next command")
    static final class PolicySetCommand implements Callable<Integer> {
        @ParentCommand
        Policy policy;

        @Option(names = "--user", required = true, description = "the user (login name)")
        String user;

        @CommandLine.Parameters(index = "0", paramLabel = "NAME", description = "the set (see policy list)")
        String name;

        @Override
        public Integer call() {
            policy.root.result(policy.root.call("PUT", "/users/" + enc(user) + "/policy",
                    Json.write(Map.of("set", name))));
            return 0;
        }
    }

    @Command(name = "clear", description = "remove a user's assignment: LDAP or the global policy decides again")
    static final class PolicyClear implements Callable<Integer> {
        @ParentCommand
        Policy policy;

        @Option(names = "--user", required = true, description = "the user (login name)")
        String user;

        @Override
        public Integer call() {
            policy.root.result(policy.root.call("DELETE", "/users/" + enc(user) + "/policy", null));
            return 0;
        }
    }
}
