package dev.easgate.backends.imap;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ParkedPoller;
import dev.easgate.backends.bus.ParkedUsers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The fallback for IMAP servers that cannot push: for the users with a parked device on this node (the heartbeat
 * hub's {@link ParkedUsers} view), one CONDSTORE {@code STATUS (HIGHESTMODSEQ)} per watched folder every
 * {@code interval}, the users spread evenly over the interval, at most {@code maxFolders} folders per round on this
 * node; a folder whose HIGHESTMODSEQ moved is published on the bus as the same event a push would give (a watched
 * folder that vanished as a hierarchy change).
 *
 * <p>The baseline of a folder is the HIGHESTMODSEQ the parking request's own store check saw
 * ({@link ImapMailStore#changesSince} records the first look after the user parked), so a change between that check
 * and the first poll is not lost. The baselines of users no longer parked are dropped every round.
 */
public final class ImapChangeWatcher implements AutoCloseable {
    private final ImapMailStore store;
    private final ChangeBus bus;
    private final ParkedPoller poller;

    public ImapChangeWatcher(ImapMailStore store, ChangeBus bus, ParkedUsers parked, Duration interval,
                             int maxFolders) {
        this.store = Objects.requireNonNull(store, "store");
        this.bus = Objects.requireNonNull(bus, "bus");
        store.keepWatermarks();
        this.poller = new ParkedPoller("imap watcher", parked, interval, maxFolders, this::check)
                .onRound(() -> store.retainWatermarks(user -> !parked.parkedFolders(user).isEmpty()));
    }

    /** Starts the rounds; no-op for a zero interval. */
    public ImapChangeWatcher start() {
        poller.start();
        return this;
    }

    /** Users checked since the start. */
    public long checks() {
        return poller.checks();
    }

    /** STATUS commands the polls sent since the store started. */
    public long statusCommands() {
        return store.statusCommands();
    }

    private Mono<Integer> check(String user, java.util.Set<String> folderIds, int allowed) {
        return store.pollModSeqs(user, folderIds, allowed).flatMap(polled -> {
            List<BusEvent> events = new ArrayList<>();
            long now = System.currentTimeMillis();
            if (polled.hierarchy()) {
                events.add(new BusEvent.FolderChanged(user, null, true, now));
            }
            for (String folderId : polled.moved()) {
                events.add(new BusEvent.FolderChanged(user, folderId, false, now));
            }
            return Flux.fromIterable(events).concatMap(bus::publish).then(Mono.just(polled.asked()));
        });
    }

    @Override
    public void close() {
        poller.close();
    }
}
