package dev.easgate.backends.imap;

import dev.easgate.backends.logging.LogText;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IMAP connections in IDLE (RFC 2177), watched by one selector thread for all of them: no thread waits on a
 * connection. When one has something to read, the selector hands it to the blocking executor (the bounded IMAP
 * scheduler), which reads it: a keepalive ({@code * OK Still here}) puts it back under watch without a word to the
 * server (so a Dovecot that moved the connection to its {@code imap-hibernate} process keeps it there); a change
 * of the mailbox ({@code EXISTS}, {@code EXPUNGE}, {@code FETCH}, {@code VANISHED}) or the end of the IDLE goes to
 * {@link Owner#changed}; a lost connection to {@link Owner#dead}.
 *
 * <p>An IDLE older than the renewal time (RFC 2177: re-issue IDLE at least every 29 minutes) is renewed on the spot,
 * DONE then IDLE, two lines: a change reported in between goes to {@link Owner#changed}. The renewal also bounds
 * how late a change Dovecot 2.3 held back is seen: a hibernating Dovecot drops the notification of a change that
 * came in the last half second before the connection moved to {@code imap-hibernate} (its 500 ms notify delay is
 * cancelled with the {@code imap} process; the new watch only sees later changes), and reports it only when the
 * connection next leaves {@code imap-hibernate}: the next change, or the DONE of a renewal or of a lease.
 *
 * <p>A connection in IDLE is read and written by one party at a time: the selector while it is registered, the
 * executor while it reads, the one who {@link #take takes} it back for other commands (it ends the IDLE with DONE).
 * Its socket is non-blocking only while registered: Angus Mail's streams need blocking mode, and a channel with a
 * valid selection key cannot switch back, hence every read cancels the key first.
 */
final class ImapIdle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImapIdle.class);
    /** IDLE is re-issued after this long unless told otherwise: under RFC 2177's 29 minutes, with room to spare. */
    static final Duration RENEW = Duration.ofMinutes(25);
    private static final long SCAN_MILLIS = 30_000;

    /** Who a session reports to (runs on the executor; the session is theirs while the call runs). */
    interface Owner {
        /** The mailbox changed, the server ended the IDLE, or it is due for renewal: end it and look. */
        void changed(Session session);

        /** The connection is lost. */
        void dead(Session session);
    }

    enum State { QUEUED, REGISTERED, READING, TAKEN, CLOSED }

    /** One connection in IDLE in {@code mailbox}. */
    static final class Session {
        final IMAPProtocol protocol;
        final SocketChannel channel;
        /** Whose connection it is (for the DEBUG log of the state machine). */
        final String user;
        final String mailbox;
        final Owner owner;
        /** When its current IDLE started (renewals start a new one on the same session). */
        private volatile long startedNanos = System.nanoTime();
        private State state = State.QUEUED;
        private SelectionKey key;
        /** The server sent the IDLE's tagged answer already: no DONE to send. */
        private boolean ended;

        Session(IMAPProtocol protocol, SocketChannel channel, String user, String mailbox, Owner owner) {
            this.protocol = protocol;
            this.channel = channel;
            this.user = user;
            this.mailbox = mailbox;
            this.owner = owner;
        }

        synchronized boolean open() {
            return state != State.CLOSED && state != State.TAKEN;
        }
    }

    private final Executor executor;
    private final long renewNanos;
    private final long scanMillis;
    private final LongAdder renewals = new LongAdder();
    private final Selector selector;
    private final Queue<Session> toRegister = new ConcurrentLinkedQueue<>();
    private final Set<Session> watched = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final LongAdder notices = new LongAdder();
    private volatile boolean closed;

    ImapIdle(Executor executor) {
        this(executor, RENEW);
    }

    /** {@code renew}: how old an IDLE may get before it is ended and started again (at most RFC 2177's 29 min). */
    ImapIdle(Executor executor, Duration renew) {
        if (renew.isNegative() || renew.isZero() || renew.compareTo(Duration.ofMinutes(29)) > 0) {
            throw new IllegalArgumentException("IDLE renewal must be positive and at most 29 minutes (RFC 2177)");
        }
        this.executor = executor;
        this.renewNanos = renew.toNanos();
        // old IDLEs are looked for a few times per renewal time, at most every 30 s
        this.scanMillis = Math.max(100, Math.min(SCAN_MILLIS, renew.toMillis() / 4));
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector for IMAP IDLE", e);
        }
        this.thread = new Thread(this::loop, "easgate-imap-idle");
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches a session whose IDLE has started (its {@code + idling} read). */
    void watch(Session session) {
        watched.add(session);
        toRegister.add(session);
        selector.wakeup();
    }

    /** Sessions watched now (registered, queued or being read). */
    int size() {
        return watched.size();
    }

    /** IDLEs renewed (DONE, IDLE) since the start. */
    long renewals() {
        return renewals.sum();
    }

    /** Responses read from connections in IDLE (changes and keepalives). */
    long notices() {
        return notices.sum();
    }

    /**
     * Takes a session back for other commands: waits while it is being read, ends the IDLE (DONE, its tagged
     * answer) and leaves no mailbox selected. False when the connection is lost (the caller drops it).
     */
    boolean take(Session session) {
        synchronized (session) {
            while (session.state == State.READING) {
                try {
                    session.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (session.state == State.CLOSED || session.state == State.TAKEN) {
                return false;
            }
            cancel(session);
            session.state = State.TAKEN;
        }
        return end(session);
    }

    /** The same for the owner inside {@link Owner#changed}. */
    boolean endOwned(Session session) {
        synchronized (session) {
            if (session.state != State.READING) {
                return false;
            }
            session.state = State.TAKEN;
            session.notifyAll();
        }
        return end(session);
    }

    /** The owner inside {@link Owner#changed} found the connection taken by someone else: theirs to end. */
    void release(Session session) {
        synchronized (session) {
            if (session.state == State.READING) {
                session.state = State.QUEUED;
                toRegister.add(session);
                selector.wakeup();
            }
            session.notifyAll();
        }
    }

    /** Stops watching and drops the connection's socket (no DONE, no LOGOUT: it is being discarded). */
    void close(Session session) {
        synchronized (session) {
            cancel(session);
            session.state = State.CLOSED;
            session.notifyAll();
        }
        watched.remove(session);
        session.protocol.disconnect();
    }

    private boolean end(Session session) {
        watched.remove(session);
        IMAPProtocol p = session.protocol;
        try {
            session.channel.configureBlocking(true);
            if (!session.ended) {
                p.idleAbort();
                Response r;
                do {
                    r = p.readIdleResponse();
                } while (r != null && p.processIdleResponse(r));
            }
            ImapCommands.unselect(p);
            return true;
        } catch (IOException | ProtocolException | RuntimeException e) {
            LOG.debug("ending IDLE: {}", e.toString());
            return false;
        }
    }

    private static void cancel(Session session) {
        if (session.key != null) {
            session.key.cancel();
            session.key = null;
        }
    }

    private void loop() {
        long nextScan = System.currentTimeMillis() + scanMillis;
        while (!closed) {
            try {
                // a session put back for a key not yet flushed is registered at the next turn, soon, not in 30 s
                selector.select(toRegister.isEmpty() ? Math.max(1, nextScan - System.currentTimeMillis()) : 20);
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    Session session = (Session) key.attachment();
                    synchronized (session) {
                        if (session.state != State.REGISTERED || session.key != key) {
                            continue;
                        }
                        cancel(session);
                        session.state = State.READING;
                    }
                    dispatch(() -> read(session), session);
                }
                if (System.currentTimeMillis() >= nextScan) {
                    nextScan = System.currentTimeMillis() + scanMillis;
                    renewOld();
                }
                registerQueued();
            } catch (IOException | ClosedSelectorException e) {
                if (!closed) {
                    LOG.warn("IMAP IDLE selector failed: {}", e.toString());
                }
                return;
            } catch (RuntimeException e) {
                LOG.warn("IMAP IDLE selector: {}", e.toString());
            }
        }
    }

    /** Registers the queued sessions, their old keys' cancellation flushed first (selectNow). */
    private void registerQueued() throws IOException {
        if (toRegister.isEmpty()) {
            return;
        }
        selector.selectNow();
        Session session;
        int pending = toRegister.size();
        while (pending-- > 0 && (session = toRegister.poll()) != null) {
            synchronized (session) {
                if (session.state != State.QUEUED) {
                    continue;
                }
                try {
                    if (session.protocol.hasResponse()) {
                        // already read into Angus Mail's buffer: no readiness will tell
                        session.state = State.READING;
                        Session buffered = session;
                        dispatch(() -> read(buffered), buffered);
                        continue;
                    }
                    session.channel.configureBlocking(false);
                    session.key = session.channel.register(selector, SelectionKey.OP_READ, session);
                    session.state = State.REGISTERED;
                } catch (CancelledKeyException e) {
                    toRegister.add(session); // an old key not flushed yet: the next turn
                } catch (IOException e) {
                    session.state = State.READING;
                    Session lost = session;
                    dispatch(() -> lost.owner.dead(lost), lost);
                }
            }
        }
    }

    private void renewOld() {
        long now = System.nanoTime();
        for (Session session : watched) {
            if (now - session.startedNanos < renewNanos) {
                continue;
            }
            synchronized (session) {
                if (session.state != State.REGISTERED) {
                    continue;
                }
                cancel(session);
                session.state = State.READING;
            }
            dispatch(() -> renew(session), session);
        }
    }

    private void dispatch(Runnable task, Session session) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            close(session);
        }
    }

    /** On the executor: reads what the server sent during the IDLE, then decides. */
    private void read(Session session) {
        IMAPProtocol p = session.protocol;
        boolean change = false;
        try {
            session.channel.configureBlocking(true);
            do {
                Response r = p.readIdleResponse();
                notices.increment();
                if (LOG.isDebugEnabled()) {
                    LOG.debug("IDLE of user={} read: {}", LogText.escape(session.user),
                            r == null ? "end of stream" : LogText.escape(r.toString()));
                }
                if (r == null || r.isBYE()) {
                    session.owner.dead(session);
                    return;
                }
                if (r.isTagged()) {
                    // the server ended the IDLE: it needs a new one
                    session.ended = true;
                    try {
                        p.processIdleResponse(r);
                    } catch (ProtocolException ignored) {
                        // a NO or BAD answer ends it too
                    }
                    change = true;
                } else if (isChange(r)) {
                    change = true;
                }
                // else a keepalive or RECENT (it comes with EXISTS): nothing to do
            } while (!session.ended && p.hasResponse());
        } catch (IOException | RuntimeException e) {
            LOG.debug("IDLE of user={} lost: {}", LogText.escape(session.user), e.toString());
            session.owner.dead(session);
            return;
        }
        if (change) {
            session.owner.changed(session);
        } else {
            release(session);
        }
    }

    /**
     * On the executor, the session being read: ends the IDLE (DONE) and starts it again (IDLE) on the same
     * connection, in the same mailbox. A Dovecot that hibernated the connection hands it back to an {@code imap}
     * process for the DONE, which reports any change it held back before the tagged answer: then the owner looks as
     * after any change. A refused IDLE goes to the owner too (its look starts a new one or gives up).
     */
    private void renew(Session session) {
        IMAPProtocol p = session.protocol;
        boolean change = false;
        try {
            session.channel.configureBlocking(true);
            p.idleAbort();
            Response r;
            do {
                r = p.readIdleResponse();
                if (r == null || r.isBYE()) {
                    LOG.debug("IDLE of user={} lost at its renewal", LogText.escape(session.user));
                    session.owner.dead(session);
                    return;
                }
                change |= isChange(r);
            } while (p.processIdleResponse(r));
            session.ended = true;
            if (!change) {
                p.idleStart();
                session.ended = false;
                session.startedNanos = System.nanoTime();
            }
        } catch (ProtocolException e) {
            // a NO or BAD to DONE or to the new IDLE: no IDLE runs now, the owner's look starts one or gives up
            LOG.debug("IDLE of user={} not renewed: {}", LogText.escape(session.user), e.toString());
            session.ended = true;
            change = true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("IDLE of user={} lost at its renewal: {}", LogText.escape(session.user), e.toString());
            session.owner.dead(session);
            return;
        }
        renewals.increment();
        LOG.debug("IDLE of user={} renewed{}", LogText.escape(session.user), change ? ": a change was held back" : "");
        if (change) {
            session.owner.changed(session);
        } else {
            release(session);
        }
    }

    private static boolean isChange(Response r) {
        return r instanceof IMAPResponse ir && ir.isUnTagged() && (ir.keyEquals("EXISTS") || ir.keyEquals("EXPUNGE")
                || ir.keyEquals("FETCH") || ir.keyEquals("VANISHED"));
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
