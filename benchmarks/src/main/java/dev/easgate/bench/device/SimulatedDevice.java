package dev.easgate.bench.device;

import dev.easgate.wbxml.WbxmlElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One simulated phone. {@link #firstSync()} does what a phone does when the account is added: OPTIONS, the
 * two-phase Provision, FolderSync 0, Sync 0 of the Inbox and Syncs until nothing more is available. Then
 * {@link #startPinging} runs the Ping loop: Ping (held by the server), on status 2 Sync the Inbox and Ping again, on
 * status 1 Ping again. Every step is asynchronous; nothing blocks a thread.
 */
public final class SimulatedDevice {
    /** Most Sync rounds per Inbox catch-up (each brings up to the window size of items). */
    static final int MAX_SYNC_ROUNDS = 20;
    private static final AtomicLong CLIENT_IDS = new AtomicLong();

    public enum State { NEW, SYNCING, PINGING, STOPPED }

    private final int index;
    private final DeviceIdentity identity;
    private final EasTransport transport;
    private final DeviceSettings settings;
    private volatile State state = State.NEW;
    private volatile String policyKey;
    private volatile String inboxId;
    private volatile String inboxSyncKey = "0";
    private volatile Disposable currentPing;
    /** The Ping, built once the policy key and Inbox are known: the same request every time (see {@link #ping}). */
    private volatile EasTransport.PreparedPost pingRequest;
    private volatile String pingInbox;
    private volatile boolean running;
    private volatile boolean pingHeld;
    /** The command sent last (set with each request; null before the first). */
    private volatile String lastCommand;

    public SimulatedDevice(int index, DeviceIdentity identity, EasTransport transport, DeviceSettings settings) {
        this.index = index;
        this.identity = identity;
        this.transport = transport;
        this.settings = settings;
    }

    /** Timeouts and sizes shared by all devices of a run. */
    public record DeviceSettings(int heartbeatSeconds, int windowSize, int truncationBytes, Duration requestTimeout) {
        public Duration pingTimeout() {
            return Duration.ofSeconds(heartbeatSeconds).plus(requestTimeout);
        }
    }

    public int index() {
        return index;
    }

    public DeviceIdentity identity() {
        return identity;
    }

    public State state() {
        return state;
    }

    /** Whether a Ping of this device has been written and not answered yet (held by the server). */
    public boolean pingHeld() {
        return pingHeld;
    }

    public String inboxId() {
        return inboxId;
    }

    /** OPTIONS, Provision (two phases), FolderSync 0, Sync 0 and Syncs of the Inbox until nothing more. */
    public Mono<Void> firstSync() {
        state = State.SYNCING;
        lastCommand = "OPTIONS";
        return transport.options(identity, index, settings.requestTimeout())
                .flatMap(options -> expectHttp200("OPTIONS", options))
                .then(provision())
                .then(post("FolderSync", EasRequests.folderSync("0")))
                .flatMap(folders -> {
                    if (!"1".equals(folders.text("Status"))) {
                        return Mono.error(new DeviceException("FolderSync status " + folders.text("Status")));
                    }
                    inboxId = folderOfType(folders.body(), "2");
                    return inboxId == null ? Mono.error(new DeviceException("FolderSync listed no Inbox (type 2)"))
                            : syncInbox().then();
                });
    }

    /** Provision only (a second device of a user that just sends mail). */
    public Mono<Void> provision() {
        return post("Provision", EasRequests.provision(null)).flatMap(first -> {
            String temporary = policyKeyOf(first.body());
            if (temporary == null && noPolicyForThisClient(first.body())) {
                // MS-ASPROV 3.2.5.1.1: Policy Status 2, the server has no policy for this client: nothing to
                // acknowledge, and later requests go without X-MS-PolicyKey (SOGo answers so)
                return Mono.<EasResponse>empty();
            }
            if (temporary == null) {
                return Mono.error(new DeviceException("Provision phase 1: no policy key (HTTP " + first.httpStatus()
                        + ")"));
            }
            policyKey = temporary;
            return post("Provision", EasRequests.provision(temporary));
        }).flatMap(second -> {
            String key = policyKeyOf(second.body());
            if (key == null) {
                return Mono.error(new DeviceException("Provision phase 2: no policy key"));
            }
            policyKey = key;
            return Mono.empty();
        });
    }

    private static boolean noPolicyForThisClient(WbxmlElement body) {
        if (body == null || body.child("Policies") == null || body.child("Policies").child("Policy") == null) {
            return false;
        }
        return "2".equals(body.child("Policies").child("Policy").childText("Status"));
    }

    /**
     * Syncs the Inbox from the current key until the server has nothing more (Sync 0 first when there is no key);
     * emits the number of items added. A status other than 1 restarts from key 0 once.
     */
    public Mono<Integer> syncInbox() {
        return Mono.defer(this::syncInboxNow);
    }

    private Mono<Integer> syncInboxNow() {
        Mono<Void> initial = "0".equals(inboxSyncKey) ? initialSync() : Mono.empty();
        return initial.then(Mono.defer(() -> syncRounds(0, 0))).onErrorResume(InvalidSyncKey.class, e -> {
            inboxSyncKey = "0";
            return initialSync().then(Mono.defer(() -> syncRounds(0, 0)));
        });
    }

    private Mono<Void> initialSync() {
        return Mono.defer(() -> post("Sync", EasRequests.sync(inboxId, "0", 0, 0)).flatMap(response -> {
            WbxmlElement collection = collection(response.body());
            if (collection == null || !"1".equals(collection.childText("Status"))) {
                return Mono.error(new DeviceException("Sync 0 failed: HTTP " + response.httpStatus()));
            }
            inboxSyncKey = collection.childText("SyncKey");
            return Mono.<Void>empty();
        }));
    }

    private Mono<Integer> syncRounds(int round, int added) {
        if (round >= MAX_SYNC_ROUNDS) {
            return Mono.just(added);
        }
        return post("Sync", EasRequests.sync(inboxId, inboxSyncKey, settings.windowSize(), settings.truncationBytes()))
                .flatMap(response -> {
                    if (!response.ok()) {
                        return Mono.error(new DeviceException("Sync HTTP " + response.httpStatus()));
                    }
                    WbxmlElement collection = collection(response.body());
                    if (collection == null) {
                        return Mono.just(added); // an empty answer: nothing changed
                    }
                    String status = collection.childText("Status");
                    if ("3".equals(status)) {
                        return Mono.error(new InvalidSyncKey());
                    }
                    if (!"1".equals(status)) {
                        return Mono.error(new DeviceException("Sync status " + status));
                    }
                    inboxSyncKey = collection.childText("SyncKey");
                    WbxmlElement commands = collection.child("Commands");
                    int now = added + (commands == null ? 0 : commands.children("Add").size());
                    return collection.child("MoreAvailable") == null ? Mono.just(now) : syncRounds(round + 1, now);
                });
    }

    /** Sends a small message to the user's own address (it lands in the Inbox: a change the server must push). */
    public Mono<Void> sendMailToSelf(String subject) {
        return Mono.defer(() -> sendMailNow(subject));
    }

    private Mono<Void> sendMailNow(String subject) {
        String clientId = "bench-" + identity.deviceId() + "-" + CLIENT_IDS.incrementAndGet();
        return post("SendMail", EasRequests.sendMail(clientId, identity.address(), identity.address(), subject))
                .flatMap(response -> response.ok() && response.body() == null ? Mono.<Void>empty()
                        : Mono.error(new DeviceException("SendMail HTTP " + response.httpStatus() + " status "
                                + response.text("Status"))));
    }

    /** Starts the Ping loop; it runs until {@link #stop()}. */
    public void startPinging(PingListener listener) {
        running = true;
        state = State.PINGING;
        ping(listener);
    }

    /**
     * Drops the parked Ping's connection (as when a node goes away) and Pings again at once on a new connection.
     */
    public void reconnectPing(PingListener listener) {
        Disposable ping = currentPing;
        pingHeld = false;
        if (ping != null) {
            ping.dispose();
        }
        if (running) {
            ping(listener, true);
        }
    }

    public void stop() {
        running = false;
        state = State.STOPPED;
        pingHeld = false;
        Disposable ping = currentPing;
        if (ping != null) {
            ping.dispose();
        }
    }

    private void ping(PingListener listener) {
        ping(listener, false);
    }

    /** Pings; {@code fresh}: on a new connection, as a phone reconnecting does (a storm). */
    private void ping(PingListener listener, boolean fresh) {
        if (!running) {
            return;
        }
        state = State.PINGING;
        currentPing = transport.post(pingRequest(), index, settings.pingTimeout(),
                        () -> {
                            pingHeld = true;
                            listener.sent(this);
                        }, fresh)
                .subscribe(response -> onPingAnswer(listener, response), error -> {
                    pingHeld = false;
                    if (!running) {
                        return;
                    }
                    listener.failed(this, "Ping: " + describe(error));
                    retryLater(listener);
                });
    }

    /**
     * The Ping request: a phone sends the same one every time (same folders, same heartbeat), so it is encoded once
     * and kept as bytes; built anew only if the policy key or the Inbox changed since.
     */
    EasTransport.PreparedPost pingRequest() {
        EasTransport.PreparedPost request = pingRequest;
        String key = policyKey;
        String inbox = inboxId;
        if (request == null || !Objects.equals(request.policyKey(), key) || !Objects.equals(pingInbox, inbox)) {
            request = transport.prepare(identity, "Ping", key, EasRequests.ping(settings.heartbeatSeconds(), inbox));
            pingInbox = inbox;
            pingRequest = request;
        }
        return request;
    }

    private void onPingAnswer(PingListener listener, EasResponse response) {
        long at = System.nanoTime();
        pingHeld = false;
        String status = response.text("Status");
        if (response.ok() && "2".equals(status)) {
            List<String> folders = new ArrayList<>();
            WbxmlElement list = response.body().child("Folders");
            if (list != null) {
                list.children("Folder").forEach(f -> folders.add(f.text()));
            }
            listener.changed(this, folders, at);
            state = State.SYNCING;
            syncInbox().subscribe(added -> ping(listener), error -> {
                if (running) {
                    listener.failed(this, "Sync after Ping: " + describe(error));
                    retryLater(listener);
                }
            });
        } else if (response.ok() && "1".equals(status)) {
            listener.expired(this);
            ping(listener);
        } else {
            listener.failed(this, "Ping HTTP " + response.httpStatus() + " status " + status);
            retryLater(listener);
        }
    }

    private void retryLater(PingListener listener) {
        Mono.delay(Duration.ofSeconds(1)).subscribe(tick -> ping(listener));
    }

    private Mono<EasResponse> post(String command, WbxmlElement body) {
        return Mono.defer(() -> {
            lastCommand = command;
            return transport.post(identity, index, command, policyKey, body, settings.requestTimeout(), null);
        }).onErrorMap(error -> !(error instanceof DeviceException || error instanceof InvalidSyncKey),
                error -> new DeviceException(command + ": " + describe(error)));
    }

    /** The command this device sent last (for the error tally: which request a set-up that timed out waits on). */
    public String lastCommand() {
        return lastCommand;
    }

    private static Mono<Void> expectHttp200(String what, EasResponse response) {
        return response.ok() ? Mono.empty()
                : Mono.error(new DeviceException(what + " HTTP " + response.httpStatus()));
    }

    private static String policyKeyOf(WbxmlElement provision) {
        if (provision == null || provision.child("Policies") == null
                || provision.child("Policies").child("Policy") == null) {
            return null;
        }
        return provision.child("Policies").child("Policy").childText("PolicyKey");
    }

    private static String folderOfType(WbxmlElement folderSync, String type) {
        WbxmlElement changes = folderSync == null ? null : folderSync.child("Changes");
        if (changes == null) {
            return null;
        }
        for (WbxmlElement add : changes.children("Add")) {
            if (type.equals(add.childText("Type"))) {
                return add.childText("ServerId");
            }
        }
        return null;
    }

    private static WbxmlElement collection(WbxmlElement sync) {
        if (sync == null || sync.child("Collections") == null) {
            return null;
        }
        return sync.child("Collections").child("Collection");
    }

    /** A short description of a failure for the error tally (exception class and message). */
    public static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 160 ? line.substring(0, 160) : line;
    }

    /** A protocol answer the device cannot go on with. */
    public static final class DeviceException extends RuntimeException {
        public DeviceException(String message) {
            super(message, null, false, false);
        }
    }

    private static final class InvalidSyncKey extends RuntimeException {
        InvalidSyncKey() {
            super("Sync status 3", null, false, false);
        }
    }
}
