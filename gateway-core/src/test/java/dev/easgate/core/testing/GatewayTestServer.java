package dev.easgate.core.testing;

import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.server.Gateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real gateway on a free loopback port for integration tests; close it when done. Unless told otherwise its state
 * lives in a temporary data directory of its own, removed on close (nothing is written under the source tree).
 */
public final class GatewayTestServer implements AutoCloseable {
    private final Gateway gateway;
    private final Path temporaryData;

    private GatewayTestServer(Gateway gateway, Path temporaryData) {
        this.gateway = gateway;
        this.temporaryData = temporaryData;
    }

    /** Starts with the defaults plus {@code overrides} (option key to value), on a free port. */
    public static GatewayTestServer start(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(overrides);
        values.putIfAbsent("port", "0");
        Path temporaryData = null;
        if (!values.containsKey("data.dir")) {
            temporaryData = temporaryDirectory();
            values.put("data.dir", temporaryData.toString());
        }
        try {
            return new GatewayTestServer(Gateway.start(GatewayConfig.from(values)), temporaryData);
        } catch (RuntimeException e) {
            delete(temporaryData);
            throw e;
        }
    }

    public static GatewayTestServer start() {
        return start(Map.of());
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + gateway.port());
    }

    public Gateway gateway() {
        return gateway;
    }

    /** The id of the user's first folder of {@code type} in the gateway's store. */
    public String folderId(String user, dev.easgate.backends.mail.FolderType type) {
        return gateway.services().mailStore().folders(user).filter(f -> f.type() == type).blockFirst().id();
    }

    /** Every item of the user's first folder of {@code type}, read from the gateway's store. */
    public java.util.List<dev.easgate.backends.mail.Item> items(String user,
                                                              dev.easgate.backends.mail.FolderType type) {
        var store = gateway.services().mailStore();
        String folder = folderId(user, type);
        java.util.List<String> ids = store.changesSince(user, folder, 0).block().changed().stream()
                .map(dev.easgate.backends.mail.ItemVersion::id).toList();
        return store.items(user, folder, ids).collectList().block();
    }

    /** A client for a demo account ({@code demo}, {@code alice}, {@code bob}; password {@code demo}). */
    public EasTestClient client(String user, String deviceId) {
        return new EasTestClient(uri(), user, "demo", deviceId);
    }

    public EasTestClient client(String user, String password, String deviceId) {
        return new EasTestClient(uri(), user, password, deviceId);
    }

    /** A client for a demo account whose device has completed the two-phase Provision (fails the test if not). */
    public EasTestClient provisioned(String user, String deviceId) {
        return provisioned(user, deviceId, "16.1");
    }

    /** The same for a given protocol version (set before Provision, as a phone does). */
    public EasTestClient provisioned(String user, String deviceId, String version) {
        EasTestClient client = client(user, deviceId).protocolVersion(version);
        EasTestClient.Response response = client.provision();
        if (!"1".equals(response.text("Status"))) {
            throw new AssertionError("Provision of " + user + "/" + deviceId + " answered HTTP " + response.status()
                    + " status " + response.text("Status"));
        }
        return client;
    }

    /**
     * Records that the device holds {@code folderId} as it is now, as a finished Sync would: a Ping on it then parks
     * instead of answering at once with the folder's unsynced items.
     */
    public void markSynced(String user, String deviceId, String folderId) {
        var store = gateway.services().mailStore();
        long now = store.changesSince(user, folderId, 0).block(java.time.Duration.ofSeconds(10)).highestModSeq();
        gateway.services().stateStore().replaceCollection(new dev.easgate.backends.state.DeviceKey(user, deviceId),
                folderId, null, new dev.easgate.backends.state.CollectionState("1", now, Map.of(), "0",
                        new byte[0], new byte[0])).block(java.time.Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            delete(temporaryData);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("easgate-test-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the test data directory " + dir, e);
        }
    }
}
