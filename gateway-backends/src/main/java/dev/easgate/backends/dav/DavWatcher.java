package dev.easgate.backends.dav;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ParkedPoller;
import dev.easgate.backends.bus.ParkedUsers;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * For DAV servers that cannot push: every interval, for the users with a parked device on this node (the heartbeat
 * hub's {@link ParkedUsers} view; at most {@code maxUsers} per round, spread evenly over the interval), polls the
 * sync token of each watched DAV collection (a sync-collection REPORT, cheap when nothing changed) and publishes
 * {@link BusEvent.FolderChanged} when it moved, so parked Pings and Syncs wake. The baseline is the token the
 * store last saw (the parking request's own store check). Each poll goes with the user's own DAV login (the
 * password of their parked device's session) or the service account; a refused one counts as "not moved" and is
 * logged once by the store. Non-blocking: one timer, HTTP exchanges in flight at most 4 per user.
 */
public final class DavWatcher implements AutoCloseable {
    private final ParkedPoller poller;

    public DavWatcher(DavStore dav, ChangeBus bus, ParkedUsers parked, Duration interval, int maxUsers) {
        ParkedPoller.Check check = (user, folderIds, allowed) -> Flux.fromIterable(folderIds)
                .filter(CompositeMailStore::isDavId)
                .flatMap(id -> dav.poll(user, id).onErrorReturn(false).filter(moved -> moved)
                        .flatMap(moved -> bus.publish(new BusEvent.FolderChanged(user, id, false))), 4)
                .then(Mono.just(1));
        this.poller = new ParkedPoller("dav watcher", parked, interval, maxUsers, check).start();
    }

    /** Users checked since the start. */
    public long checks() {
        return poller.checks();
    }

    @Override
    public void close() {
        poller.close();
    }
}
