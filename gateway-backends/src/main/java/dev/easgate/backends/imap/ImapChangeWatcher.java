package dev.easgate.backends.imap;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ParkedPoller;
import dev.easgate.backends.bus.ParkedUsers;
import dev.easgate.backends.logging.LogText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.angus.mail.imap.protocol.MailboxInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Push from any IMAP server, with no server plugin: for the users with a parked device on this node (the heartbeat
 * hub's {@link ParkedUsers} view), one CONDSTORE {@code STATUS (UIDVALIDITY HIGHESTMODSEQ)} per watched folder
 * every {@code interval}, the users spread evenly over the interval, at most {@code maxFolders} folders per round on
 * this node; a folder whose fingerprint moved is published on the bus as the same event a push would give (a watched
 * folder that vanished as a hierarchy change). Users without a parked device are never polled.
 *
 * <p>What it costs the IMAP server is bounded by {@link Settings}: the first {@code heldConnections} parked users
 * keep their connection between polls ({@link HeldConnections}) and are polled every {@code interval}; the others'
 * connection is closed after each poll (LOGOUT), and they are polled by a second round whose length keeps their
 * polls, each a login, under {@code loginsPerSecond} (at least {@code interval} too).
 *
 * <p>The baseline of a folder is the fingerprint the parking request's own store check saw (the first look after the
 * user parked, or the kept answer's fingerprint when that check reused one, see
 * {@link ImapMailStore#parkedChangesSince}), so a change between that check and the first poll is not lost. The
 * baselines of users no longer parked are dropped every round.
 *
 * <p>On a server that announces IDLE (RFC 2177), a held user's connection waits between two uses in IDLE in their
 * most important watched folder ({@link ImapMailStore#idleMailbox}: the Inbox when watched), with one selector for
 * all ({@link ImapConnections#idleWith}): a change there is seen within about a second, the connection EXAMINEs the
 * folder and its fingerprint is taken as a poll's would be (so the same event, and the same rule on the device's
 * own writes). That folder is then left out of the user's polls; their other watched folders are still polled every
 * interval (one STATUS each, which ends and restarts the IDLE). A Dovecot with {@code imap_hibernate_timeout} moves
 * an idle connection in IDLE to its {@code imap-hibernate} process, a few KB instead of an {@code imap} process,
 * as long as nothing is sent on it: keepalives are read without an answer. RFC 5465 NOTIFY could report the other
 * folders during the IDLE, but Dovecot 2.3 does not hibernate a connection with NOTIFY active.
 */
public final class ImapChangeWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImapChangeWatcher.class);
    /** How long after a write of the user through this node a change the watcher saw waits to be published. */
    static final Duration WRITE_SETTLE = Duration.ofSeconds(2);
    /**
     * The watcher's bounds.
     *
     * @param interval        time between two polls of one parked user (a round); zero or negative: no watcher
     * @param maxFolders      most folders polled per round on this node
     * @param heldConnections most parked users whose connection stays open between polls, on this node
     * @param loginsPerSecond most polls per second that need a login (users beyond the held ones); 0: no limit
     * @param idleRenewal     age at which a held connection's IDLE is ended and started again (DONE, IDLE): at most
     *                        RFC 2177's 29 minutes; also how late a change a hibernating Dovecot held back is seen
     */
    public record Settings(Duration interval, int maxFolders, int heldConnections, double loginsPerSecond,
                           Duration idleRenewal) {
        public Settings {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(idleRenewal, "idleRenewal");
            if (maxFolders < 1 || heldConnections < 0 || loginsPerSecond < 0) {
                throw new IllegalArgumentException("watcher bounds: max folders must be positive, held connections"
                        + " and logins per second not negative");
            }
        }
    }

    private final ImapMailStore store;
    private final ChangeBus bus;
    private final ParkedUsers parked;
    private final HeldConnections held;
    private final ParkedPoller heldPoller;
    private final ParkedPoller loginPoller;

    public ImapChangeWatcher(ImapMailStore store, ChangeBus bus, ParkedUsers parked, Settings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.bus = Objects.requireNonNull(bus, "bus");
        this.parked = Objects.requireNonNull(parked, "parked");
        this.held = new HeldConnections(settings.heldConnections());
        store.keepWatermarks();
        store.connections().keepLast(held::holds);
        store.idleWith(new ImapConnections.Idling() {
            @Override
            public Optional<String> mailbox(String user) {
                if (!held.holds(user)) {
                    return Optional.empty();
                }
                Set<String> folders = parked.parkedFolders(user);
                return folders.isEmpty() ? Optional.empty() : store.idleMailbox(user, folders);
            }

            @Override
            public void examined(String user, String mailbox, MailboxInfo info) {
                // once the user's writes in progress settled: one of them may be the change seen
                Mono.defer(() -> Mono.delay(store.untilWritesSettle(user, WRITE_SETTLE), Schedulers.parallel()))
                        .repeat(() -> !store.untilWritesSettle(user, WRITE_SETTLE).isZero())
                        .then(store.examined(user, mailbox, info.uidvalidity, info.highestmodseq))
                        .doOnSuccess(folderId -> LOG.debug("imap watcher: EXAMINE of user={} before IDLE, HIGHESTMODSEQ"
                                + " {}: {}", LogText.escape(user), info.highestmodseq,
                                folderId == null ? "nothing to publish" : "publishing a change"))
                        .flatMap(folderId -> bus.publish(new BusEvent.FolderChanged(user, folderId, false,
                                System.currentTimeMillis())))
                        .subscribe(null, e -> LOG.warn("imap watcher: publishing a change failed: {}",
                                e.toString()));
            }
        }, settings.idleRenewal());
        this.heldPoller = new ParkedPoller("imap watcher", view(true), settings.interval(), settings.maxFolders(),
                this::check)
                .onRound(() -> {
                    store.retainWatermarks(this::isParked);
                    admit();
                });
        this.loginPoller = new ParkedPoller("imap watcher (login per poll)", view(false), settings.interval(),
                settings.maxFolders(), this::check)
                .onRound(this::admit)
                .pacing(users -> settings.loginsPerSecond() <= 0 ? Duration.ZERO
                        : Duration.ofMillis((long) Math.ceil(users.size() * 1000.0 / settings.loginsPerSecond())));
    }

    private boolean isParked(String user) {
        return !parked.parkedFolders(user).isEmpty();
    }

    /**
     * Gives free places to parked users, first come (both rounds call it; cheap); a held user's idle connection
     * IDLEs from now on, not only after its next use.
     */
    private void admit() {
        List<String> users = List.copyOf(parked.parkedUsers());
        held.admit(users, this::isParked);
        for (String user : users) {
            if (held.holds(user)) {
                store.connections().idleSoon(user);
            }
        }
    }

    /** The parked users with (or without) a held connection: what each of the two rounds polls. */
    private ParkedUsers view(boolean withPlace) {
        return new ParkedUsers() {
            @Override
            public Set<String> parkedUsers() {
                Set<String> users = new LinkedHashSet<>();
                for (String user : parked.parkedUsers()) {
                    if (held.holds(user) == withPlace) {
                        users.add(user);
                    }
                }
                return users;
            }

            @Override
            public Set<String> parkedFolders(String user) {
                return parked.parkedFolders(user);
            }
        };
    }

    /** Starts the rounds; no-op for a zero interval. */
    public ImapChangeWatcher start() {
        heldPoller.start();
        loginPoller.start();
        return this;
    }

    /** Users checked since the start. */
    public long checks() {
        return heldPoller.checks() + loginPoller.checks();
    }

    /** STATUS commands the polls sent since the store started. */
    public long statusCommands() {
        return store.statusCommands();
    }

    /** Parked users whose connection stays open between polls now. */
    public int heldConnections() {
        return held.size();
    }

    /** Whether the user's connection stays open between polls now. */
    public boolean holdsConnectionOf(String user) {
        return held.holds(user);
    }

    /** IMAP connections open on this node now (the watcher's and everything else's). */
    public int openConnections() {
        return store.connections().open();
    }

    /** IMAP logins this node made since the start (the watcher's and everything else's). */
    public long logins() {
        return store.connections().logins();
    }

    /** IDLE commands started on held connections since the start. */
    public long idleStarts() {
        return store.connections().idleStarts();
    }

    /** IDLEs renewed in place (DONE, IDLE) since the start. */
    public long idleRenewals() {
        return store.connections().idleRenewals();
    }

    /** Held connections in IDLE now. */
    public int idling() {
        return store.connections().idling();
    }

    private Mono<Integer> check(String user, Set<String> folderIds, int allowed) {
        // the folder a held connection IDLEs in reports its own changes
        Collection<String> asked = store.notIdled(user, folderIds);
        if (asked.isEmpty()) {
            return Mono.just(0);
        }
        return store.pollModSeqs(user, asked, allowed)
                // runs on the blocking scheduler's thread that ran the poll: a user without a held place does not
                // keep a connection (one server process) until the next poll
                .doFinally(signal -> {
                    if (!held.holds(user)) {
                        store.connections().closeIdle(user);
                    }
                })
                .flatMap(polled -> {
                    if (!polled.moved().isEmpty() || polled.hierarchy()) {
                        LOG.debug("imap watcher: the poll of user={} saw {} folder(s) move", LogText.escape(user),
                                polled.moved().size());
                    }
                    List<BusEvent.FolderChanged> events = new ArrayList<>();
                    if (polled.hierarchy()) {
                        events.add(new BusEvent.FolderChanged(user, null, true, 0));
                    }
                    for (String folderId : polled.moved()) {
                        events.add(new BusEvent.FolderChanged(user, folderId, false, 0));
                    }
                    return Flux.fromIterable(events).concatMap(event -> settled(user, event))
                            .then(Mono.just(polled.asked()));
                });
    }

    /**
     * Publishes a change once the user's writes through this node have settled ({@link ImapMailStore#untilWritesSettle}):
     * what IDLE sees at once may be the device's own write, whose Sync has not yet recorded it in the device's
     * state; published then, the writer's parked Ping would take its own write for news.
     */
    private Mono<Void> settled(String user, BusEvent.FolderChanged event) {
        return Mono.defer(() -> {
            Duration wait = store.untilWritesSettle(user, WRITE_SETTLE);
            if (wait.isZero()) {
                return bus.publish(new BusEvent.FolderChanged(event.user(), event.folderId(), event.hierarchy(),
                        System.currentTimeMillis()));
            }
            return Mono.delay(wait, Schedulers.parallel()).then(settled(user, event));
        });
    }

    @Override
    public void close() {
        heldPoller.close();
        loginPoller.close();
    }
}
