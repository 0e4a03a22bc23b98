package dev.easgate.backends.imap;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one timer that enforces {@code mail.<protocol>.writetimeout} for every IMAP and SMTP connection of the node.
 *
 * <p>Without it Angus Mail wraps each socket in a {@code WriteTimeoutSocket} that starts a scheduler of its own: one
 * thread per connection, for as long as the connection lives. A node holding one IMAP connection per parked user
 * (IDLE on a stock server) then held 5,149 such threads at 5,000 held users. Given this executor under
 * {@code mail.<protocol>.executor.writetimeout}, every socket schedules its write deadlines here, and Angus Mail
 * does not shut it down when a connection closes.
 */
final class WriteTimeouts {
    /** Daemon, one thread; a cancelled deadline (every write that finished in time) leaves the queue at once. */
    static final ScheduledExecutorService TIMER = timer();

    private WriteTimeouts() {
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "easgate-mail-write-timeout");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
