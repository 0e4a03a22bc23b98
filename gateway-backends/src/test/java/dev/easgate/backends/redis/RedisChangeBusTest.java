package dev.easgate.backends.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ChangeBusContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/** The change bus contract on a real redis-server, plus what only a networked bus does: outages, raw publishers. */
class RedisChangeBusTest implements ChangeBusContract {
    private static RedisServerProcess redis;
    private static RedisChangeBus bus;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        bus = RedisChangeBus.standalone(redis.uri());
    }

    @AfterAll
    static void stop() {
        if (bus != null) {
            bus.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    public ChangeBus bus() {
        return bus;
    }

    @Override
    public long openSubscriptions() {
        return redis.command("PUBSUB", "CHANNELS", "easgate:*").lines().filter(line -> !line.isEmpty()).count();
    }

    @Override
    public long retainedListeners() {
        return bus.listeners() + bus.listenedUsers();
    }

    @Test
    void aMailServerCanPublishOnTheChannelDirectly() throws Exception {
        String user = "alice@example.com";
        Recorder listener = new Recorder();
        Disposable registration = bus.listen(user, listener).block(WAIT);
        try {
            String channel = "easgate:{alice@example.com}:changes";
            assertThat(redis.command("PUBLISH", channel, "{\"t\":\"folder\"}")).isEqualTo(":1");
            assertThat(listener.next()).isEqualTo(new BusEvent.FolderChanged(user, null, false, 0));
            redis.command("PUBLISH", channel, "{\"t\":\"folder\",\"f\":\"INBOX\",\"x\":[1,{\"y\":null}],\"h\":false}");
            assertThat(listener.next()).isEqualTo(new BusEvent.FolderChanged(user, "INBOX", false, 0));
        } finally {
            registration.dispose();
        }
    }

    @Test
    void garbageOnAChannelIsDropped() throws Exception {
        String user = newUser();
        Recorder listener = new Recorder();
        Disposable registration = bus.listen(user, listener).block(WAIT);
        try {
            String channel = RedisNames.changeChannel(user);
            long dropped = bus.droppedMessages();
            for (String garbage : List.of("", "garbage", "{", "{\"t\":\"folder\"", "[]", "{\"t\":\"unknown\"}",
                    "{\"t\":\"parked\"}", "{\"t\":\"folder\",\"f\":3}", "{\"t\":\"folder\"} trailing",
                    "[".repeat(10_000))) {
                redis.command("PUBLISH", channel, garbage);
            }
            BusEvent valid = new BusEvent.FolderChanged(user, "valid", false);
            bus.publish(valid).block(WAIT);

            assertThat(listener.next()).isEqualTo(valid);
            assertThat(bus.droppedMessages() - dropped).isEqualTo(10);
        } finally {
            registration.dispose();
        }
    }

    @Test
    void anEventReachesListenersOnAnotherNode() throws Exception {
        try (RedisChangeBus otherNode = RedisChangeBus.standalone(redis.uri())) {
            String user = newUser();
            Recorder listener = new Recorder();
            Disposable registration = otherNode.listen(user, listener).block(WAIT);
            BusEvent parked = new BusEvent.DeviceParked(user, "PHONE", "park-7");

            bus.publish(parked).block(WAIT);

            assertThat(listener.next()).isEqualTo(parked);
            registration.dispose();
        }
    }

    /**
     * Kills redis-server under registered listeners: the bus reports it, listen still works, publish fails fast;
     * after a restart on the same port every listener gets a gap and events flow again, for old and new listeners.
     */
    @Test
    void anOutageIsReportedAndEndsWithAGapForEveryListener() throws Exception {
        try (RedisServerProcess own = RedisServerProcess.start();
             RedisChangeBus outageBus = RedisChangeBus.standalone(own.uri(), Duration.ofMillis(200))) {
            String alice = newUser();
            String bob = newUser();
            Recorder before = new Recorder();
            Recorder beforeBob = new Recorder();
            List<Disposable> registrations = new ArrayList<>();
            registrations.add(outageBus.listen(alice, before).block(WAIT));
            registrations.add(outageBus.listen(bob, beforeBob).block(WAIT));
            Disposable leavesDuringOutage = outageBus.listen("leaver-" + alice, new Recorder()).block(WAIT);

            own.stop();
            ChangeBusContract.awaitTrue(() -> !outageBus.connected(), "the bus notices the outage");

            Recorder during = new Recorder();
            registrations.add(outageBus.listen(alice, during).block(Duration.ofSeconds(1)));
            Recorder duringNewUser = new Recorder();
            registrations.add(outageBus.listen(newUser(), duringNewUser).block(Duration.ofSeconds(1)));
            leavesDuringOutage.dispose();
            long start = System.nanoTime();
            assertThatThrownBy(() -> outageBus.publish(new BusEvent.FolderChanged(alice, "f", false))
                    .block(WAIT)).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(before.gaps.get()).isZero();

            own.restart();
            ChangeBusContract.awaitTrue(() -> outageBus.connected(), "the bus reconnects");
            for (Recorder listener : List.of(before, beforeBob, during, duringNewUser)) {
                ChangeBusContract.awaitTrue(() -> listener.gaps.get() == 1, "a gap for every listener");
            }
            bus(outageBus).publish(new BusEvent.FolderChanged(alice, "after", false)).block(WAIT);
            before.awaitFolder("after");
            during.awaitFolder("after");
            // subscribed exactly the users with listeners: alice, bob and the new user, not the one who left
            ChangeBusContract.awaitTrue(() -> own.command("PUBSUB", "CHANNELS", "easgate:*").lines().count() == 3,
                    "three channels subscribed: " + own.command("PUBSUB", "CHANNELS", "easgate:*"));
            assertThat(own.command("PUBSUB", "NUMSUB", RedisNames.changeChannel("leaver-" + alice)))
                    .endsWith("\n:0\n");
            Recorder after = new Recorder();
            registrations.add(outageBus.listen(alice, after).block(WAIT));
            outageBus.publish(new BusEvent.FolderChanged(alice, "later", false)).block(WAIT);
            after.awaitFolder("later");
            assertThat(after.gaps.get()).isZero();
            assertThat(outageBus.outages()).isEqualTo(1);
            registrations.forEach(Disposable::dispose);
            ChangeBusContract.awaitTrue(() -> own.command("PUBSUB", "CHANNELS", "easgate:*").isEmpty(),
                    "nothing subscribed");
        }
    }

    private static ChangeBus bus(ChangeBus bus) {
        return bus;
    }

    @Test
    void aClosedBusRefusesWork() {
        RedisChangeBus closed = RedisChangeBus.standalone(redis.uri());
        closed.close();
        assertThat(closed.connected()).isFalse();
        assertThatThrownBy(() -> closed.listen("u", new Recorder()).block(WAIT)).isNotNull();
        assertThatThrownBy(() -> closed.publish(new BusEvent.FolderChanged("u", null, false)).block(WAIT))
                .isNotNull();
    }
}
