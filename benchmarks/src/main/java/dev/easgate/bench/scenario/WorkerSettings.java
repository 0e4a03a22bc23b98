package dev.easgate.bench.scenario;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one generator process needs, passed on its command line as {@code --key=value}.
 *
 * @param servers the EAS servers (gateway nodes); user {@code u} talks to {@link #serverOf(String)}
 * @param firstDevice global index of this worker's first device (devices are numbered across workers)
 * @param rate changes (wake) or operations (sync) per second for this worker
 * @param sourceAddresses local addresses the worker binds its sockets to
 * @param lmtpServers with LMTP changes: the LMTP server (HOST:PORT) of each of {@code servers}, in the same order
 */
public record WorkerSettings(Scenario scenario, List<URI> servers, int firstDevice, int devices, String userPrefix,
                             String password, String mailDomain, int heartbeatSeconds, double rate,
                             Duration duration, List<String> sourceAddresses, ChangeSource changeSource,
                             List<String> lmtpServers, Duration missTimeout, int setupConcurrency,
                             int windowSize, Duration requestTimeout, Path resultFile, Duration deadline) {

    /** The user of global device {@code index}: the prefix and a zero-padded number. */
    public String userOf(int index) {
        return userPrefix + String.format("%06d", index);
    }

    /** The mail address of a user: the name itself when it has an {@code @}, else name@domain. */
    public String addressOf(String user) {
        return user.contains("@") ? user : user + "@" + mailDomain;
    }

    /** The device id of global device {@code index}. */
    public static String deviceIdOf(int index) {
        return "BENCH" + String.format("%06d", index);
    }

    /** The server (node) a user is routed to: by hash of the user, so all its devices meet on one node. */
    public URI serverOf(String user) {
        return servers.get(nodeOf(user, servers.size()));
    }

    /** The LMTP server that delivers to a user's mailbox: the one of the user's node. */
    public String lmtpOf(String user) {
        return lmtpServers.get(nodeOf(user, servers.size()));
    }

    public static int nodeOf(String user, int nodes) {
        return Math.floorMod(user.hashCode(), nodes);
    }

    public List<String> toArgs() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("scenario", scenario.id());
        values.put("servers", String.join(",", servers.stream().map(URI::toString).toList()));
        values.put("first-device", Integer.toString(firstDevice));
        values.put("devices", Integer.toString(devices));
        values.put("user-prefix", userPrefix);
        values.put("password", password);
        values.put("mail-domain", mailDomain);
        values.put("heartbeat", Integer.toString(heartbeatSeconds));
        values.put("rate", Double.toString(rate));
        values.put("duration-ms", Long.toString(duration.toMillis()));
        values.put("sources", String.join(",", sourceAddresses));
        values.put("change-source", changeSource.id());
        values.put("lmtp", String.join(",", lmtpServers));
        values.put("miss-timeout-ms", Long.toString(missTimeout.toMillis()));
        values.put("setup-concurrency", Integer.toString(setupConcurrency));
        values.put("window-size", Integer.toString(windowSize));
        values.put("request-timeout-ms", Long.toString(requestTimeout.toMillis()));
        values.put("result", resultFile.toString());
        values.put("deadline-ms", Long.toString(deadline.toMillis()));
        List<String> args = new ArrayList<>();
        values.forEach((k, v) -> args.add("--" + k + "=" + v));
        return args;
    }

    public static WorkerSettings fromArgs(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            v.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return new WorkerSettings(Scenario.of(v.get("scenario")),
                Arrays.stream(v.get("servers").split(",")).map(URI::create).toList(),
                Integer.parseInt(v.get("first-device")), Integer.parseInt(v.get("devices")), v.get("user-prefix"),
                v.get("password"), v.get("mail-domain"), Integer.parseInt(v.get("heartbeat")),
                Double.parseDouble(v.get("rate")), Duration.ofMillis(Long.parseLong(v.get("duration-ms"))),
                v.get("sources").isEmpty() ? List.of() : List.of(v.get("sources").split(",")),
                ChangeSource.of(v.get("change-source")),
                v.get("lmtp").isEmpty() ? List.of() : List.of(v.get("lmtp").split(",")),
                Duration.ofMillis(Long.parseLong(v.get("miss-timeout-ms"))),
                Integer.parseInt(v.get("setup-concurrency")), Integer.parseInt(v.get("window-size")),
                Duration.ofMillis(Long.parseLong(v.get("request-timeout-ms"))), Path.of(v.get("result")),
                Duration.ofMillis(Long.parseLong(v.get("deadline-ms"))));
    }
}
