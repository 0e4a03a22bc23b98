package dev.easgate.core.dav;

import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.bus.ParkedUsers;
import dev.easgate.backends.dav.CompositeMailStore;
import dev.easgate.backends.dav.DavClient;
import dev.easgate.backends.dav.DavStore;
import dev.easgate.backends.dav.DavWatcher;
import dev.easgate.backends.mail.MailStore;
import dev.easgate.core.config.GatewayConfig;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code dav.url} set, the gateway's store becomes a composite: mail folders from the mail store (memory or
 * IMAP), calendars, contacts and tasks from CalDAV/CardDAV (the mail store's own PIM folders are hidden).
 */
public final class DavBackend {
    private static final Logger LOG = LoggerFactory.getLogger(DavBackend.class);

    private DavBackend() {
    }

    /**
     * The mail store itself when {@code dav.url} is empty, else the composite (and its watcher when enabled, handed
     * to {@code closeOnStop} so that the gateway stops it).
     */
    public static MailStore wrap(GatewayConfig config, MailStore mail, ChangeBus bus, ParkedUsers parked, Clock clock,
                                 java.util.function.Consumer<AutoCloseable> closeOnStop) {
        String url = config.text(DavOptions.URL);
        if (url.isEmpty()) {
            return mail;
        }
        DavStore dav = new DavStore(new DavClient(config.text(DavOptions.USERNAME), config.text(DavOptions.PASSWORD),
                Duration.ofSeconds(30)), URI.create(url), clock);
        Duration interval = config.seconds(DavOptions.WATCH_INTERVAL);
        if (!interval.isZero()) {
            // polls the collections parked users watch; its timer holds no thread
            closeOnStop.accept(new DavWatcher(dav, bus, parked, interval,
                    (int) config.number(DavOptions.WATCH_MAX)));
        }
        LOG.info("calendars, contacts and tasks on {} (watch every {} s)", url, interval.toSeconds());
        return new CompositeMailStore(mail, dav);
    }
}
