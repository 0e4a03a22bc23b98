package dev.easgate.bench.scenario;

import dev.easgate.bench.device.DeviceIdentity;
import dev.easgate.bench.device.EasTransport;
import dev.easgate.bench.device.PingListener;
import dev.easgate.bench.device.SimulatedDevice;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One generator process's share of a run. It sets up its devices (first sync, then the Ping loop when the scenario
 * parks), prints {@code READY}, and then obeys commands on its input, one per line: {@code PARK} (every set-up
 * device starts its Ping loop; {@code PARKING} when all are started), {@code WARM-UP <millis>} (wake: changes at
 * the run's rate, then the wake figures start from zero; {@code WARMED} when finished), {@code RUN} (the scenario's
 * active phase; {@code DONE} when finished) and {@code STOP} (write the result file,
 * print {@code RESULT <file>}, end). It prints {@code PROGRESS key=value ...} every second. A deadline ends it
 * whatever happens.
 */
public final class Worker {
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    /** LMTP connections per server and generator: each delivers one message at a time (two round trips). */
    static final int LMTP_CONNECTIONS = 4;

    private final WorkerSettings settings;
    private final BufferedReader commands;
    private final PrintStream out;
    private final List<SimulatedDevice> devices = new ArrayList<>();
    private final List<SimulatedDevice> changers = new ArrayList<>();
    private final LongAdder setUp = new LongAdder();
    private final LongAdder setupFailed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Map<String, LongAdder> errorReasons = new ConcurrentHashMap<>();
    private final LongAdder heartbeats = new LongAdder();
    private final LongAdder changes = new LongAdder();
    private final LongAdder changeErrors = new LongAdder();
    private final LongAdder woken = new LongAdder();
    private final LongAdder falseWakes = new LongAdder();
    private final LongAdder lateWakes = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder operations = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LatencyRecorder latency = new LatencyRecorder();
    private volatile long warmUpChanges;
    private volatile long warmUpMisses;
    private volatile long warmUpFalseWakes;
    private final AtomicLongArray pendingSince; // intended start of the change a device waits for, 0: none
    private final AtomicLongArray issuedAt;
    private final boolean[] missed;
    private final boolean[] ready;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile long phaseStartNanos;
    private volatile long phaseEndNanos;
    private volatile long stormSent;
    private final AtomicLong stormResent = new AtomicLong();
    private volatile boolean storming;
    private volatile long stormAllSentNanos;
    private EasTransport transport;
    /** With LMTP changes: a sender per LMTP server, by HOST:PORT. */
    private final Map<String, LmtpSender> lmtp = new ConcurrentHashMap<>();

    public Worker(WorkerSettings settings, BufferedReader commands, PrintStream out) {
        this.settings = settings;
        this.commands = commands;
        this.out = out;
        this.pendingSince = new AtomicLongArray(settings.devices());
        this.issuedAt = new AtomicLongArray(settings.devices());
        this.missed = new boolean[settings.devices()];
        this.ready = new boolean[settings.devices()];
    }

    /** Runs to the end; returns the process exit code. */
    public int run() throws IOException {
        long deadline = System.nanoTime() + settings.deadline().toNanos();
        int perSource = settings.devices() / Math.max(1, settings.sourceAddresses().size()) + 256;
        transport = new EasTransport(settings.sourceAddresses(), perSource, "14.1");
        Thread progress = new Thread(this::printProgress, "progress");
        progress.setDaemon(true);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                out.println("DEADLINE reached: stopping");
                finish();
                System.exit(3);
            } catch (InterruptedException done) {
                // finished in time
            }
        }, "deadline");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            createDevices();
            progress.start();
            setUpDevices();
            out.println("READY set_up=" + setUp.sum() + " failed=" + setupFailed.sum());
            for (String line = commands.readLine(); line != null; line = commands.readLine()) {
                String command = line.strip();
                if (command.equals("PARK")) {
                    startPinging();
                    out.println("PARKING");
                } else if (command.startsWith("WARM-UP ")) {
                    warmUp(Duration.ofMillis(Long.parseLong(command.substring("WARM-UP ".length()))));
                    out.println("WARMED");
                } else if (command.equals("RUN")) {
                    runPhase();
                    out.println("DONE");
                } else if (command.equals("STOP")) {
                    break;
                }
            }
            finish();
            return 0;
        } finally {
            watchdog.interrupt();
        }
    }

    private void createDevices() throws IOException {
        SimulatedDevice.DeviceSettings deviceSettings = new SimulatedDevice.DeviceSettings(
                settings.heartbeatSeconds(), settings.windowSize(), 512, settings.requestTimeout());
        boolean withChangers = settings.scenario() == Scenario.WAKE && settings.changeSource() == ChangeSource.SYNC;
        for (int i = 0; i < settings.devices(); i++) {
            int global = settings.firstDevice() + i;
            String user = settings.userOf(global);
            DeviceIdentity identity = new DeviceIdentity(settings.serverOf(user), user, settings.password(),
                    settings.addressOf(user), WorkerSettings.deviceIdOf(global));
            devices.add(new SimulatedDevice(i, identity, transport, deviceSettings));
            if (withChangers) {
                changers.add(new SimulatedDevice(i, identity.sibling("W"), transport, deviceSettings));
            }
        }
        if (settings.scenario() == Scenario.WAKE && settings.changeSource().delivers()) {
            for (String server : settings.lmtpServers()) {
                lmtp.computeIfAbsent(server, s -> new LmtpSender(s, LMTP_CONNECTIONS));
            }
        }
    }

    private void setUpDevices() {
        Flux.range(0, devices.size())
                .flatMap(i -> {
                    SimulatedDevice device = devices.get(i);
                    Mono<Void> setup = device.firstSync();
                    if (!changers.isEmpty()) {
                        setup = setup.then(changers.get(i).provision());
                    }
                    return setup.timeout(settings.requestTimeout().multipliedBy(4))
                            .doOnSuccess(done -> {
                                setUp.increment();
                                ready[i] = true;
                            })
                            .onErrorResume(error -> {
                                setupFailed.increment();
                                String why = SimulatedDevice.describe(error);
                                System.err.println("set-up of " + device.identity().user() + " ("
                                        + device.identity().deviceId() + ", last " + device.lastCommand()
                                        + ") failed: " + why);
                                error("setup: " + why + (error instanceof TimeoutException
                                        ? " (waiting on " + device.lastCommand() + ")" : ""));
                                return Mono.empty();
                            });
                }, settings.setupConcurrency())
                .blockLast(settings.deadline());
    }

    /** Starts the Ping loop of every device whose first sync succeeded (the scenario's devices park). */
    private void startPinging() {
        PingListener listener = new Listener();
        for (int i = 0; i < devices.size() && !stopping.get(); i++) {
            if (ready[i] && settings.scenario().parks()) {
                devices.get(i).startPinging(listener);
            }
        }
    }

    private void runPhase() {
        phaseStartNanos = System.nanoTime();
        switch (settings.scenario()) {
            case IDLE -> sleepQuietly(settings.duration());
            case WAKE -> runWakes();
            case SYNC -> runSyncs();
            case STORM -> runStorm();
        }
        phaseEndNanos = System.nanoTime();
    }

    /**
     * wake: changes at the run's rate for {@code length}, then every figure of the wake (changes, wakes, misses,
     * latency) starts again from zero, so the measured phase meets a node whose JIT has compiled the wake's paths, as
     * on a node that has served for a while. What the warm-up saw is kept apart ({@code warm_up.*}).
     */
    private void warmUp(Duration length) {
        if (settings.scenario() == Scenario.WAKE) {
            runWakes(length);
        }
        warmUpChanges = changes.sumThenReset();
        warmUpMisses = misses.sumThenReset();
        warmUpFalseWakes = falseWakes.sumThenReset();
        woken.reset();
        lateWakes.reset();
        skipped.reset();
        changeErrors.reset();
        latency.reset();
    }

    /** Fixed-rate changes, each for the next parked device (round robin) that is not already waiting for one. */
    private void runWakes() {
        runWakes(settings.duration());
    }

    private void runWakes(Duration length) {
        long total = (long) Math.ceil(settings.rate() * length.toMillis() / 1000.0);
        if (total == 0 || devices.isEmpty()) {
            return;
        }
        Thread sweeper = new Thread(this::sweepMisses, "miss-sweeper");
        sweeper.setDaemon(true);
        sweeper.start();
        FixedRateSchedule schedule = new FixedRateSchedule(System.nanoTime(), settings.rate(), total);
        int cursor = 0;
        for (long i = 0; i < total && !stopping.get(); i++) {
            long due = schedule.awaitDue(i);
            int chosen = -1;
            for (int scanned = 0; scanned < devices.size(); scanned++) {
                int candidate = (cursor + scanned) % devices.size();
                SimulatedDevice device = devices.get(candidate);
                if (device.pingHeld() && pendingSince.get(candidate) == 0 && !missed[candidate]) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen < 0) {
                skipped.increment();
                continue;
            }
            cursor = (chosen + 1) % devices.size();
            pendingSince.set(chosen, due);
            issuedAt.set(chosen, System.nanoTime());
            changes.increment();
            makeChange(chosen, i);
        }
        long waitUntil = System.nanoTime() + settings.missTimeout().toNanos() + 500_000_000L;
        while (System.nanoTime() < waitUntil && anyPending()) {
            sleepQuietly(Duration.ofMillis(50));
        }
        sweeper.interrupt();
        countRemainingAsMisses();
    }

    private void makeChange(int index, long sequence) {
        SimulatedDevice device = devices.get(index);
        if (settings.changeSource().delivers()) {
            String user = device.identity().user();
            lmtp.get(settings.lmtpOf(user)).deliver(device.identity().address(), "eas-bench change " + sequence,
                    reason -> changeFailed(index, reason));
            return;
        }
        changers.get(index).sendMailToSelf("eas-bench change " + sequence)
                .subscribe(null, error -> changeFailed(index, "SendMail: " + SimulatedDevice.describe(error)));
    }

    private void changeFailed(int index, String reason) {
        pendingSince.set(index, 0);
        changeErrors.increment();
        error("change: " + reason);
    }

    private boolean anyPending() {
        for (int i = 0; i < pendingSince.length(); i++) {
            if (pendingSince.get(i) != 0) {
                return true;
            }
        }
        return false;
    }

    private void sweepMisses() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(200);
                long now = System.nanoTime();
                for (int i = 0; i < pendingSince.length(); i++) {
                    long since = pendingSince.get(i);
                    if (since != 0 && now - since > settings.missTimeout().toNanos()
                            && pendingSince.compareAndSet(i, since, 0)) {
                        missed[i] = true;
                        misses.increment();
                    }
                }
            }
        } catch (InterruptedException done) {
            // the phase ended
        }
    }

    private void countRemainingAsMisses() {
        for (int i = 0; i < pendingSince.length(); i++) {
            long since = pendingSince.getAndSet(i, 0);
            if (since != 0) {
                missed[i] = true;
                misses.increment();
            }
        }
    }

    /** Fixed-rate operations "a mail arrives and the device syncs it": SendMail to itself, then Sync the Inbox. */
    private void runSyncs() {
        long total = (long) Math.ceil(settings.rate() * settings.duration().toMillis() / 1000.0);
        if (total == 0 || devices.isEmpty()) {
            return;
        }
        boolean[] busy = new boolean[devices.size()];
        FixedRateSchedule schedule = new FixedRateSchedule(System.nanoTime(), settings.rate(), total);
        LongAdder outstanding = new LongAdder();
        int cursor = 0;
        for (long i = 0; i < total && !stopping.get(); i++) {
            long due = schedule.awaitDue(i);
            int chosen = -1;
            for (int scanned = 0; scanned < devices.size(); scanned++) {
                int candidate = (cursor + scanned) % devices.size();
                if (!busy[candidate] && devices.get(candidate).inboxId() != null) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen < 0) {
                skipped.increment();
                continue;
            }
            cursor = (chosen + 1) % devices.size();
            int index = chosen;
            busy[index] = true;
            outstanding.increment();
            long issued = System.nanoTime();
            SimulatedDevice device = devices.get(index);
            device.sendMailToSelf("eas-bench mail " + i).then(device.syncInbox())
                    .doFinally(signal -> {
                        busy[index] = false;
                        outstanding.decrement();
                    })
                    .subscribe(added -> {
                        requests.add(2); // SendMail and the Sync that fetches the mail
                        operations.increment();
                        latency.record(due, issued, System.nanoTime());
                    }, error -> error("sync: " + SimulatedDevice.describe(error)));
        }
        long waitUntil = System.nanoTime() + settings.requestTimeout().toNanos() * 2;
        while (outstanding.sum() > 0 && System.nanoTime() < waitUntil) {
            sleepQuietly(Duration.ofMillis(20));
        }
    }

    /** Every parked device drops its connection and Pings again at once; done when all re-Pings are written. */
    private void runStorm() {
        List<SimulatedDevice> parked = devices.stream().filter(SimulatedDevice::pingHeld).toList();
        stormSent = parked.size();
        stormResent.set(0);
        storming = true;
        PingListener listener = new Listener();
        long start = System.nanoTime();
        phaseStartNanos = start;
        parked.forEach(device -> device.reconnectPing(listener));
        long waitUntil = start + settings.requestTimeout().toNanos() * 4;
        while (stormResent.get() < stormSent && System.nanoTime() < waitUntil) {
            sleepQuietly(Duration.ofMillis(5));
        }
        stormAllSentNanos = System.nanoTime() - start;
        storming = false;
    }

    private final class Listener implements PingListener {
        @Override
        public void sent(SimulatedDevice device) {
            if (storming) {
                stormResent.incrementAndGet();
            }
        }

        @Override
        public void changed(SimulatedDevice device, List<String> folderIds, long atNanos) {
            int i = device.index();
            long since = pendingSince.getAndSet(i, 0);
            if (since != 0 && folderIds.contains(device.inboxId())) {
                latency.record(since, issuedAt.get(i), atNanos);
                woken.increment();
            } else if (since != 0) {
                falseWakes.increment(); // woken, but not with the folder that changed
                misses.increment();
            } else if (missed[i]) {
                missed[i] = false;
                lateWakes.increment();
            } else {
                falseWakes.increment();
            }
        }

        @Override
        public void expired(SimulatedDevice device) {
            heartbeats.increment();
        }

        @Override
        public void failed(SimulatedDevice device, String reason) {
            error(reason);
        }
    }

    private void error(String reason) {
        if (stopping.get()) {
            return;
        }
        errors.increment();
        errorReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    private int pingsHeld() {
        int held = 0;
        for (SimulatedDevice device : devices) {
            if (device.pingHeld()) {
                held++;
            }
        }
        return held;
    }

    private void printProgress() {
        while (!stopping.get()) {
            sleepQuietly(PROGRESS_EVERY);
            if (!stopping.get()) {
                out.println("PROGRESS set_up=" + setUp.sum() + " failed=" + setupFailed.sum() + " pinging="
                        + pingsHeld() + " errors=" + errors.sum() + " changes=" + changes.sum() + " woken="
                        + woken.sum() + " misses=" + misses.sum() + " false_wakes=" + falseWakes.sum()
                        + " operations=" + operations.sum());
            }
        }
    }

    private synchronized void finish() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        int held = pingsHeld();
        devices.forEach(SimulatedDevice::stop);
        Properties result = new Properties();
        result.setProperty("devices", Integer.toString(devices.size()));
        result.setProperty("set_up", Long.toString(setUp.sum()));
        result.setProperty("setup_failed", Long.toString(setupFailed.sum()));
        result.setProperty("pinging_at_stop", Integer.toString(held));
        result.setProperty("errors", Long.toString(errors.sum()));
        result.setProperty("heartbeats", Long.toString(heartbeats.sum()));
        result.setProperty("changes", Long.toString(changes.sum()));
        result.setProperty("change_errors", Long.toString(changeErrors.sum()));
        result.setProperty("woken", Long.toString(woken.sum()));
        result.setProperty("false_wakes", Long.toString(falseWakes.sum()));
        result.setProperty("late_wakes", Long.toString(lateWakes.sum()));
        result.setProperty("misses", Long.toString(misses.sum()));
        result.setProperty("skipped", Long.toString(skipped.sum()));
        result.setProperty("warm_up_changes", Long.toString(warmUpChanges));
        result.setProperty("warm_up_misses", Long.toString(warmUpMisses));
        result.setProperty("warm_up_false_wakes", Long.toString(warmUpFalseWakes));
        result.setProperty("operations", Long.toString(operations.sum()));
        result.setProperty("requests", Long.toString(requests.sum()));
        long phase = phaseEndNanos > phaseStartNanos ? phaseEndNanos - phaseStartNanos : 0;
        result.setProperty("phase_nanos", Long.toString(phase));
        result.setProperty("storm_resent", Long.toString(stormResent.get()));
        result.setProperty("storm_parked_before", Long.toString(stormSent));
        result.setProperty("storm_all_sent_nanos", Long.toString(stormAllSentNanos));
        result.setProperty("histogram.corrected", encode(latency.corrected()));
        result.setProperty("histogram.uncorrected", encode(latency.uncorrected()));
        List<Map.Entry<String, LongAdder>> reasons = new ArrayList<>(errorReasons.entrySet());
        reasons.sort(Comparator.comparingLong((Map.Entry<String, LongAdder> e) -> e.getValue().sum()).reversed());
        for (int i = 0; i < Math.min(10, reasons.size()); i++) {
            result.setProperty("error." + i + ".reason", reasons.get(i).getKey());
            result.setProperty("error." + i + ".count", Long.toString(reasons.get(i).getValue().sum()));
        }
        try (var writer = Files.newBufferedWriter(settings.resultFile())) {
            result.store(writer, "eas-bench worker result");
        } catch (IOException e) {
            out.println("cannot write " + settings.resultFile() + ": " + e);
        }
        lmtp.values().forEach(LmtpSender::close);
        transport.close();
        out.println("RESULT " + settings.resultFile());
    }

    /** A histogram as base64 of its compressed encoding (HdrHistogram's own format). */
    public static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    public static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram", e);
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
