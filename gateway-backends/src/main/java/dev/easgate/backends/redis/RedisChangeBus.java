package dev.easgate.backends.redis;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangePayload;
import dev.easgate.backends.bus.BusListener;
import dev.easgate.backends.bus.ChangeBus;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link ChangeBus} on Redis pub/sub: every node subscribes to {@code easgate:{<user>}:changes} while at least one
 * listener of that user is registered on it (see {@link RedisNames}, payload in {@link ChangePayload}). On a Redis
 * Cluster it uses sharded pub/sub (SSUBSCRIBE/SPUBLISH), so a user's events travel only to the shard owning the
 * channel's slot.
 *
 * <p><b>Subscriptions.</b> One pub/sub connection per bus. Listeners are reference-counted per user under a per-user
 * lock: the first listener of a user issues SUBSCRIBE, the last one leaving issues UNSUBSCRIBE. Commands of one user
 * are issued under that lock, hence reach Redis in the order of the count changes, so the last command for a channel
 * always matches whether it has listeners: concurrent listen/dispose can neither leak a subscription nor leave a
 * listener unsubscribed. {@link #listen}'s Mono emits when Redis acknowledged the SUBSCRIBE (a listener joining a
 * subscription in flight waits for the same acknowledgement).
 *
 * <p><b>Outage.</b> When the pub/sub connection drops, {@link #connected()} turns false (one WARN), listen() still
 * registers locally and emits at once, subscription changes are only recorded, and {@link #publish} fails fast (the
 * publishing connection rejects commands while disconnected). Lettuce reconnects with jittered exponential backoff
 * (up to 5 s by default) and resubscribes what it knew; the bus then subscribes every user with listeners and
 * unsubscribes users whose last listener left meanwhile, waits for the acknowledgements, logs one INFO and calls
 * {@link BusListener#onGap()} on every registered listener: events published meanwhile were lost, so every device
 * parked during the outage wakes with all its folders. No change is lost silently.
 *
 * <p><b>Threads.</b> Events are delivered on Lettuce's event loop (listeners must not block, per
 * {@link BusListener}); the mass onGap after an outage runs on Reactor's parallel scheduler so that the event loop
 * is not held for long.
 */
public final class RedisChangeBus implements ChangeBus {
    private static final Logger LOG = LoggerFactory.getLogger(RedisChangeBus.class);
    /** Lettuce's default backoff cap; far shorter than any heartbeat, long enough not to hammer a restarting Redis. */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<String, UserChannel> channels = new ConcurrentHashMap<>();
    /** Users whose last listener left while disconnected: their UNSUBSCRIBE is due on reconnection. */
    private final Set<String> leftWhileDown = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong droppedMessages = new AtomicLong();
    private final AtomicLong outages = new AtomicLong();
    private final String description;
    private final PubSubLink link;
    private volatile boolean linkUp = true;

    private RedisChangeBus(String description, java.util.function.Function<PubSubLink.Events, PubSubLink> connect) {
        this.description = description;
        this.link = connect.apply(new LinkEvents());
    }

    /** Connects to one Redis server (blocking until connected: call at startup, not on an event loop). */
    public static RedisChangeBus standalone(RedisURI uri) {
        return standalone(uri, MAX_RECONNECT_DELAY);
    }

    static RedisChangeBus standalone(RedisURI uri, Duration maxReconnectDelay) {
        return new RedisChangeBus("redis " + uri.getHost() + ":" + uri.getPort(),
                events -> new PubSubLink.Standalone(uri, maxReconnectDelay, events));
    }

    /** Connects to a Redis Cluster through its seed nodes, with sharded pub/sub (blocking until connected). */
    public static RedisChangeBus cluster(List<RedisURI> seeds) {
        return new RedisChangeBus("redis cluster " + seeds.get(0).getHost() + ":" + seeds.get(0).getPort(),
                events -> new PubSubLink.Cluster(seeds, MAX_RECONNECT_DELAY, events));
    }

    /** The bus for a {@code --redis} target. */
    public static RedisChangeBus create(RedisTarget target) {
        if (target instanceof RedisTarget.Cluster cluster) {
            return cluster(cluster.seeds());
        }
        return standalone(((RedisTarget.Standalone) target).uri());
    }

    /** The bus for a {@code --redis} value: {@code redis://host:port} or {@code redis-cluster://h1:p1,h2:p2}. */
    public static RedisChangeBus create(String redisOption) {
        return create(RedisTarget.parse(redisOption));
    }

    // ---- publishing ---------------------------------------------------------------------------------------------

    @Override
    public Mono<Void> publish(BusEvent event) {
        return Mono.defer(() -> {
            if (closed.get()) {
                return Mono.error(new IllegalStateException("the change bus is closed"));
            }
            String channel = RedisNames.changeChannel(event.user());
            return Mono.fromCompletionStage(link.publish(channel, ChangePayload.encode(event)));
        }).then();
    }

    // ---- listening ----------------------------------------------------------------------------------------------

    @Override
    public Mono<Disposable> listen(String user, BusListener listener) {
        return Mono.defer(() -> {
            if (closed.get()) {
                return Mono.error(new IllegalStateException("the change bus is closed"));
            }
            Registration registration = new Registration(listener);
            CompletableFuture<Void> ready = register(user, registration);
            // suppress cancel: the acknowledgement is shared by every listener joining the same subscription
            return Mono.fromFuture(ready, true)
                    .thenReturn((Disposable) registration)
                    .doOnCancel(registration::dispose)
                    .doOnError(error -> registration.dispose());
        });
    }

    /** Adds the registration to its user's channel, subscribing when it is the first; the acknowledgement. */
    private CompletableFuture<Void> register(String user, Registration registration) {
        while (true) {
            UserChannel channel = channels.computeIfAbsent(user, UserChannel::new);
            synchronized (channel) {
                if (channel.retired) {
                    continue; // its last listener just left: start a fresh one
                }
                registration.channel = channel;
                channel.registrations.add(registration);
                if (channel.registrations.size() == 1) {
                    subscribeLocked(channel);
                }
                return channel.ready;
            }
        }
    }

    private void unregister(Registration registration) {
        UserChannel channel = registration.channel;
        if (channel == null) {
            return;
        }
        synchronized (channel) {
            if (!channel.registrations.remove(registration) || !channel.registrations.isEmpty()) {
                return;
            }
            // UNSUBSCRIBE before leaving the map: a new listener of the user builds a new channel object only
            // once this one is gone, so its SUBSCRIBE is issued after this UNSUBSCRIBE
            channel.retired = true;
            unsubscribeLocked(channel);
            channels.remove(channel.user, channel);
        }
    }

    /** Holding the channel's lock. */
    private void subscribeLocked(UserChannel channel) {
        if (!linkUp || closed.get()) {
            channel.ready = DONE; // registered locally; subscribed and gapped on reconnection
            return;
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        channel.ready = ready;
        link.subscribe(channel.name).whenComplete((ok, error) -> {
            if (error == null || !linkUp) {
                ready.complete(null); // failed by a disconnection: the reconnection subscribes and gaps
            } else {
                LOG.warn("cannot subscribe to {}: {}", channel.name, error.toString());
                ready.completeExceptionally(error);
            }
        });
    }

    /** Holding the channel's lock. */
    private void unsubscribeLocked(UserChannel channel) {
        if (closed.get()) {
            return;
        }
        if (!linkUp) {
            leftWhileDown.add(channel.user);
            return;
        }
        link.unsubscribe(channel.name).whenComplete((ok, error) -> {
            if (error != null) {
                leftWhileDown.add(channel.user); // retried on the next reconnection
                LOG.debug("cannot unsubscribe from {}: {}", channel.name, error.toString());
            }
        });
    }

    // ---- delivery -----------------------------------------------------------------------------------------------

    private void deliver(String channelName, String payload) {
        String user = RedisNames.userOfChangeChannel(channelName);
        UserChannel channel = user == null ? null : channels.get(user);
        if (channel == null) {
            return; // a message crossing our UNSUBSCRIBE
        }
        BusEvent event;
        try {
            event = ChangePayload.decode(user, payload);
        } catch (IllegalArgumentException e) {
            droppedMessages.incrementAndGet();
            LOG.warn("dropping a message on {}: {}", channelName, e.getMessage());
            return;
        }
        for (Registration registration : channel.registrations) {
            registration.event(event);
        }
    }

    // ---- outage -------------------------------------------------------------------------------------------------

    private void lost(String why) {
        if (closed.get()) {
            return;
        }
        boolean wasUp;
        synchronized (this) {
            wasUp = linkUp;
            linkUp = false;
        }
        if (wasUp) {
            outages.incrementAndGet();
            LOG.warn("change bus {} disconnected ({}): parked devices keep their timers, new listeners register "
                    + "locally, publishing fails; reconnecting with backoff", description, why);
        }
        // listeners waiting for an acknowledgement now: they are registered, the reconnection gaps them
        for (UserChannel channel : channels.values()) {
            synchronized (channel) {
                channel.ready.complete(null);
            }
        }
    }

    private void restored() {
        if (closed.get()) {
            return;
        }
        synchronized (this) {
            linkUp = true;
        }
        // after linkUp: a registration from now on subscribes itself; one from before is covered here
        List<CompletableFuture<Void>> acknowledgements = new ArrayList<>();
        for (UserChannel channel : channels.values()) {
            synchronized (channel) {
                if (!channel.retired && !channel.registrations.isEmpty()) {
                    subscribeLocked(channel);
                    acknowledgements.add(channel.ready);
                }
            }
        }
        for (String user : List.copyOf(leftWhileDown)) {
            leftWhileDown.remove(user);
            // take the user's lock through a (possibly new) channel, as listen does, to order against a new listener
            while (true) {
                UserChannel channel = channels.computeIfAbsent(user, UserChannel::new);
                synchronized (channel) {
                    if (channel.retired) {
                        continue;
                    }
                    if (channel.registrations.isEmpty()) {
                        channel.retired = true;
                        unsubscribeLocked(channel);
                        channels.remove(user, channel);
                    }
                    break;
                }
            }
        }
        int users = acknowledgements.size();
        CompletableFuture.allOf(acknowledgements.toArray(CompletableFuture[]::new))
                .whenComplete((ok, error) -> Schedulers.parallel().schedule(() -> gapEveryListener(users, error)));
    }

    private void gapEveryListener(int users, Throwable error) {
        if (!linkUp || closed.get()) {
            return; // lost again: the next reconnection gaps
        }
        int listeners = 0;
        for (UserChannel channel : channels.values()) {
            for (Registration registration : channel.registrations) {
                registration.gap();
                listeners++;
            }
        }
        if (error == null) {
            LOG.info("change bus {} reconnected: resubscribed {} users, woke {} listeners (events may have been "
                    + "missed)", description, users, listeners);
        } else {
            LOG.warn("change bus {} reconnected but resubscribing failed ({}); woke {} listeners", description,
                    error.toString(), listeners);
        }
    }

    // ---- state --------------------------------------------------------------------------------------------------

    @Override
    public boolean connected() {
        return linkUp && !closed.get();
    }

    /** Users with at least one listener on this node (each is one channel subscription while connected). */
    public int listenedUsers() {
        return channels.size();
    }

    /** Listeners registered on this node. */
    public int listeners() {
        return channels.values().stream().mapToInt(channel -> channel.registrations.size()).sum();
    }

    /** Messages dropped because they were not change payloads. */
    public long droppedMessages() {
        return droppedMessages.get();
    }

    /** Connection losses since start. */
    public long outages() {
        return outages.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            channels.clear();
            leftWhileDown.clear();
            link.close();
        }
    }

    @Override
    public String toString() {
        return "RedisChangeBus[" + description + (connected() ? ", connected" : ", disconnected") + "]";
    }

    /** The listeners of one user; guarded by its own monitor except for lock-free reads of the listener list. */
    private static final class UserChannel {
        final String user;
        final String name;
        final CopyOnWriteArrayList<Registration> registrations = new CopyOnWriteArrayList<>();
        /** Completes when the latest SUBSCRIBE is acknowledged (or at once while disconnected). */
        CompletableFuture<Void> ready = DONE;
        /** Removed from the map after its last listener left: a new listener needs a new channel object. */
        boolean retired;

        UserChannel(String user) {
            this.user = user;
            this.name = RedisNames.changeChannel(user);
        }
    }

    /** One listen(): the handle the caller disposes. */
    private final class Registration implements Disposable {
        private final BusListener listener;
        private final AtomicBoolean disposed = new AtomicBoolean();
        volatile UserChannel channel;

        Registration(BusListener listener) {
            this.listener = listener;
        }

        void event(BusEvent event) {
            if (disposed.get()) {
                return;
            }
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.error("a bus listener of user={} failed", event.user(), e);
            }
        }

        void gap() {
            if (disposed.get()) {
                return;
            }
            try {
                listener.onGap();
            } catch (RuntimeException e) {
                LOG.error("a bus listener failed on a gap", e);
            }
        }

        @Override
        public void dispose() {
            if (disposed.compareAndSet(false, true)) {
                unregister(this);
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed.get();
        }
    }

    private final class LinkEvents implements PubSubLink.Events {
        @Override
        public void message(String channel, String payload) {
            deliver(channel, payload);
        }

        @Override
        public void lost(String why) {
            RedisChangeBus.this.lost(why);
        }

        @Override
        public void restored() {
            RedisChangeBus.this.restored();
        }
    }
}
