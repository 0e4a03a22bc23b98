package dev.easgate.backends.dav;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.mail.Folder;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * For DAV servers that cannot push: every interval, for the users it is given (at most {@code maxUsers}), polls
 * each collection's sync token (a sync-collection REPORT, cheap when nothing changed) and publishes
 * {@link BusEvent.FolderChanged} when it moved, so parked Pings and Syncs wake. Non-blocking: one timer, HTTP
 * exchanges in flight at most {@code concurrency}.
 */
public final class DavWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DavWatcher.class);
    private final Disposable task;

    public DavWatcher(DavStore dav, ChangeBus bus, Supplier<Collection<String>> users, Duration interval,
                      int maxUsers) {
        this.task = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .concatMap(tick -> Flux.fromIterable(users.get()).take(maxUsers)
                        .flatMap(user -> dav.folders(user).map(Folder::id)
                                .flatMap(id -> dav.poll(user, id).filter(moved -> moved)
                                        .flatMap(moved -> bus.publish(new BusEvent.FolderChanged(user, id, false))), 4)
                                .onErrorResume(e -> {
                                    LOG.debug("polling {} failed: {}", user, e.toString());
                                    return Mono.empty();
                                }), 8)
                        .then())
                .subscribe();
    }

    @Override
    public void close() {
        task.dispose();
    }
}
