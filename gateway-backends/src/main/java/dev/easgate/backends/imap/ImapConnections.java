package dev.easgate.backends.imap;

import dev.easgate.backends.logging.LogText;
import dev.easgate.backends.mail.MailStoreException;
import dev.easgate.backends.mail.MailStoreException.Kind;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.StoreClosedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.eclipse.angus.mail.iap.ConnectionException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.MailboxInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticated IMAP connections, pooled per user: at most {@code perUser} for one user, at most {@code max} on this
 * node, closed after {@code idle} unused. A connection is leased to one thread at a time (Jakarta Mail's objects
 * are not thread-safe), so commands on one connection are serialized. At most {@code loginConcurrency} logins are in
 * progress at once: when many requests need a login together (phones parking again after a restart, their password
 * checks due), a server that takes logins slowly serves them in turn, instead of queueing them all until each one
 * outlasts the timeout and none succeeds. Blocking: call only on the gateway's bounded blocking scheduler.
 *
 * <p>With {@link #idleWith} (the change watcher), a connection given back to the pool of a user the watcher names
 * waits in IDLE (RFC 2177) in the mailbox it names, watched by one selector for all ({@link ImapIdle}): a change
 * there ends the IDLE, the connection EXAMINEs the mailbox again and {@link Idling#examined reports} it, then IDLEs
 * again. The next lease ends the IDLE first (DONE), so an idling connection is an ordinary idle one to everyone
 * else and counts against the same bounds.
 */
public final class ImapConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImapConnections.class);
    private static final long WAIT_MILLIS = 30_000;
    /** Logins in progress at once on a node unless told otherwise. */
    public static final int DEFAULT_LOGIN_CONCURRENCY = 16;

    /** What a connection waiting in the pool of a user does: IDLE in a mailbox, see {@link #idleWith}. */
    public interface Idling {
        /** The mailbox to IDLE in for the user now, or empty for none; cheap (asked at every give back). */
        Optional<String> mailbox(String user);

        /**
         * The mailbox as EXAMINE found it just before an IDLE (re)started in it: at the first IDLE of a connection
         * and after each change the IDLE reported. Runs on the blocking executor.
         */
        void examined(String user, String mailbox, MailboxInfo info);
    }

    /** Work on one connection's protocol (outside any selected mailbox when it starts). */
    @FunctionalInterface
    public interface Work<T> {
        T run(IMAPProtocol protocol) throws ProtocolException;
    }

    private final MailServerUrl server;
    private final ImapCredentials credentials;
    private final int perUser;
    private final Duration idle;
    private final int timeoutMillis;
    private final Semaphore nodeSlots;
    private final Semaphore loginSlots;
    private final int loginConcurrency;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder logins = new LongAdder();
    private final Map<String, UserPool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** The mail sessions, without and with socket channels ({@link #session}), published safely (volatile). */
    private volatile Session plainSession;
    private volatile Session channelSession;
    private volatile Predicate<String> keptLast = user -> false;
    private volatile Idling idling;
    private volatile Executor executor;
    private volatile ImapIdle idler;
    private final LongAdder idleStarts = new LongAdder();
    /** The server does not announce IDLE: no connection tries again. */
    private volatile boolean idleUnsupported;

    public ImapConnections(MailServerUrl server, ImapCredentials credentials, int perUser, int max, Duration idle,
                           Duration timeout) {
        this(server, credentials, perUser, max, idle, timeout, DEFAULT_LOGIN_CONCURRENCY);
    }

    public ImapConnections(MailServerUrl server, ImapCredentials credentials, int perUser, int max, Duration idle,
                           Duration timeout, int loginConcurrency) {
        if (perUser < 1 || max < 1 || loginConcurrency < 1) {
            throw new IllegalArgumentException("pool sizes and login concurrency must be positive");
        }
        this.loginConcurrency = loginConcurrency;
        this.loginSlots = new Semaphore(loginConcurrency);
        this.server = server;
        this.credentials = credentials;
        this.perUser = perUser;
        this.max = max;
        this.nodeSlots = new Semaphore(max);
        this.idle = idle;
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    public MailServerUrl server() {
        return server;
    }

    /** Logins this node lets run against the server at once. */
    public int loginConcurrency() {
        return loginConcurrency;
    }

    /** The IMAP timeout: connecting, each command, and the longest wait for a login place. */
    public Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }

    /** Connections open now on this node. */
    public int open() {
        return open.get();
    }

    /** Connections opened (IMAP logins made) on this node since the start, login checks included. */
    public long logins() {
        return logins.sum();
    }

    /**
     * From now on a connection given back to the pool of a user {@code idling} names waits in IDLE in the mailbox
     * it names (when the server announces IDLE); {@code executor} is the bounded blocking scheduler, which reads
     * and ends the IDLEs. New connections use socket channels (Angus Mail's {@code usesocketchannels}), which a
     * selector needs.
     */
    public synchronized void idleWith(Idling idling, Executor executor) {
        idleWith(idling, executor, ImapIdle.RENEW);
    }

    /**
     * The same, an IDLE being renewed (DONE, IDLE) once it is {@code renew} old: at most RFC 2177's 29 minutes, and
     * the bound on how late a change a hibernating Dovecot held back is seen (see {@link ImapIdle}).
     */
    public synchronized void idleWith(Idling idling, Executor executor, Duration renew) {
        if (this.idler == null) {
            this.executor = Objects.requireNonNull(executor, "executor");
            this.idler = new ImapIdle(executor, renew);
        }
        this.idling = Objects.requireNonNull(idling, "idling");
    }

    /**
     * Lets an idle connection of the user IDLE now, when the watcher names a mailbox for them and none of theirs is
     * in IDLE (a user just given a held place); never logs in.
     */
    public void idleSoon(String user) {
        UserPool pool = pools.get(user);
        if (pool == null || idleUnsupported) {
            return;
        }
        synchronized (pool) {
            if (pool.idle.isEmpty() || pool.idle.stream().anyMatch(c -> c.idle != null || c.noIdle)) {
                return;
            }
        }
        idleLater(pool);
    }

    /** The mailbox a connection of the user is in IDLE in now, if one is. */
    public Optional<String> idlingIn(String user) {
        UserPool pool = pools.get(user);
        if (pool == null) {
            return Optional.empty();
        }
        synchronized (pool) {
            for (Connection connection : pool.idle) {
                ImapIdle.Session session = connection.idle;
                if (session != null && session.open()) {
                    return Optional.of(session.mailbox);
                }
            }
        }
        return Optional.empty();
    }

    /** Connections in IDLE now. */
    public int idling() {
        ImapIdle current = idler;
        return current == null ? 0 : current.size();
    }

    /** IDLEs renewed in place (DONE, IDLE) since the start. */
    public long idleRenewals() {
        ImapIdle current = idler;
        return current == null ? 0 : current.renewals();
    }

    /** IDLE commands started since the start (first ones and renewals after a change). */
    public long idleStarts() {
        return idleStarts.sum();
    }

    /**
     * Closes (LOGOUT) the user's connections not leased now, at once rather than after the idle time: the change
     * watcher's way of not holding a connection between two polls of a user. Returns how many were closed.
     */
    public int closeIdle(String user) {
        UserPool pool = pools.get(user);
        if (pool == null) {
            return 0;
        }
        int closed = 0;
        synchronized (pool) {
            Connection connection;
            while ((connection = pool.idle.poll()) != null) {
                pool.count--;
                discardCounted(connection);
                closed++;
            }
            pool.notifyAll(); // the empty pool itself goes with the next evictIdle
        }
        return closed;
    }

    /**
     * Retires the user's connections open now: the idle ones are closed (LOGOUT), the ones at work are closed when
     * given back, so the next command runs on a session opened after this call. For a look that must not see an old
     * session's view (an IMAP server may fix a session's view of the shared namespaces when it first lists them).
     */
    public void renew(String user) {
        UserPool pool = pools.computeIfAbsent(user, UserPool::new);
        synchronized (pool) {
            pool.generation++;
            Connection connection;
            while ((connection = pool.idle.poll()) != null) {
                pool.count--;
                discardCounted(connection);
            }
            pool.notifyAll();
        }
    }

    /** Runs {@code work} on a pooled connection of {@code user}, opening one when needed. */
    public <T> T run(String user, Work<T> work) {
        ImapCredentials.Login login = credentials.login(user).orElseThrow(() -> new MailStoreException(
                Kind.UNAVAILABLE, "no IMAP login known for user " + user + " (not logged in since the start)"));
        UserPool pool = pools.computeIfAbsent(user, UserPool::new);
        Connection connection = lease(user, pool, login);
        if (!settled(pool, connection)) {
            connection = lease(user, pool, login); // its IDLE showed it lost: it is gone, log in anew
        }
        return runOn(pool, connection, work);
    }

    /**
     * Runs {@code work} on a connection of {@code user} that is pooled and idle now, if there is one; never logs in
     * nor waits. For a cheap look that is only worth making when it costs no login.
     */
    public <T> Optional<T> runIfPooled(String user, Work<T> work) {
        Optional<ImapCredentials.Login> login = credentials.login(user);
        UserPool pool = pools.get(user);
        if (login.isEmpty() || pool == null) {
            return Optional.empty();
        }
        Connection connection;
        synchronized (pool) {
            connection = pool.idle.peek();
            if (connection == null || !connection.login.equals(login.get()) || closed
                    || connection.generation != pool.generation) {
                return Optional.empty(); // none idle, or the password changed: the next lease logs in anew
            }
            pool.idle.poll();
        }
        if (!settled(pool, connection)) {
            return Optional.empty();
        }
        return Optional.of(runOn(pool, connection, work));
    }

    /**
     * Ends the IDLE of a connection just leased, if it was in one; false when that showed the connection lost (it
     * is dropped: the caller leases again).
     */
    private boolean settled(UserPool pool, Connection connection) {
        ImapIdle.Session session = connection.idle;
        if (session == null) {
            return true;
        }
        connection.idle = null;
        if (idler.take(session)) {
            return true;
        }
        idler.close(session);
        synchronized (pool) {
            pool.count--;
            discardCounted(connection);
            pool.notifyAll();
        }
        return false;
    }

    private <T> T runOn(UserPool pool, Connection connection, Work<T> work) {
        boolean healthy = false;
        try {
            IMAPFolder root = (IMAPFolder) connection.store.getDefaultFolder();
            @SuppressWarnings("unchecked")
            T result = (T) root.doCommand(work::run);
            healthy = true;
            return result;
        } catch (StoreClosedException e) {
            throw new MailStoreException(Kind.UNAVAILABLE, "IMAP connection lost: " + e.getMessage(), e);
        } catch (MessagingException e) {
            if (e.getCause() instanceof ConnectionException) {
                throw new MailStoreException(Kind.UNAVAILABLE, "IMAP connection lost: " + e.getMessage(), e);
            }
            healthy = true; // the server refused a command: the connection itself is fine
            throw new MailStoreException(Kind.UNAVAILABLE, "IMAP: " + e.getMessage(), e);
        } finally {
            // not IMAPStore.isConnected(): it sends a NOOP, one more command per operation; a connection that
            // failed has thrown above, one that dies while pooled fails its next command and is dropped then
            giveBack(pool, connection, healthy);
        }
    }

    /**
     * Checks a login against the server; a good one's connection joins the user's pool (the next command reuses
     * it). Returns false when the server refuses the credentials; fails with UNAVAILABLE when it cannot be asked.
     */
    public boolean verify(String user, ImapCredentials.Login login) {
        if (!nodeSlots.tryAcquire()) {
            evictOneIdle();
            if (!acquireSlot()) {
                throw new MailStoreException(Kind.UNAVAILABLE, "IMAP connection limit of this node reached");
            }
        }
        IMAPStore store;
        try {
            store = connect(login);
        } catch (AuthenticationFailedException e) {
            nodeSlots.release();
            return false;
        } catch (MessagingException | RuntimeException e) {
            nodeSlots.release();
            throw new MailStoreException(Kind.UNAVAILABLE, "IMAP server " + server + " unreachable: " + e, e);
        }
        open.incrementAndGet();
        UserPool pool = pools.computeIfAbsent(user, UserPool::new);
        synchronized (pool) {
            if (pool.count < perUser) {
                pool.count++;
                pool.idle.push(new Connection(store, login, pool.generation));
                return true;
            }
        }
        discardCounted(new Connection(store, login, 0));
        return true;
    }

    private Connection lease(String user, UserPool pool, ImapCredentials.Login login) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        synchronized (pool) {
            while (true) {
                if (closed) {
                    throw new MailStoreException(Kind.UNAVAILABLE, "IMAP connections closed");
                }
                Connection connection = pool.idle.poll();
                if (connection != null) {
                    if (connection.login.equals(login) && connection.generation == pool.generation) {
                        return connection;
                    }
                    pool.count--; // the password changed, or the connection was retired: log in anew
                    discardCounted(connection);
                    continue;
                }
                if (pool.count < perUser) {
                    pool.count++;
                    break;
                }
                long wait = deadline - System.currentTimeMillis();
                if (wait <= 0) {
                    throw new MailStoreException(Kind.UNAVAILABLE, "all " + perUser + " IMAP connections of user "
                            + user + " stay busy");
                }
                try {
                    pool.wait(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MailStoreException(Kind.UNAVAILABLE, "interrupted", e);
                }
            }
        }
        // a new connection for this user: a node-wide slot first
        long generation;
        synchronized (pool) {
            generation = pool.generation;
        }
        try {
            if (!nodeSlots.tryAcquire()) {
                evictOneIdle();
                if (!acquireSlot()) {
                    throw new MailStoreException(Kind.UNAVAILABLE, "IMAP connection limit of this node (" + max
                            + ") reached");
                }
            }
            try {
                IMAPStore store = connect(login);
                open.incrementAndGet();
                return new Connection(store, login, generation);
            } catch (MessagingException | RuntimeException e) {
                nodeSlots.release();
                throw new MailStoreException(Kind.UNAVAILABLE, "cannot log in to IMAP as " + user + ": "
                        + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            synchronized (pool) {
                pool.count--;
                pool.notifyAll();
            }
            throw e;
        }
    }

    /**
     * Waits for a node slot, closing the least recently used idle connection again at each try: a slot freed by one
     * eviction may be taken by another thread, and waiting for someone else's eviction would starve this one.
     */
    private boolean acquireSlot() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        try {
            while (true) {
                if (nodeSlots.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                evictOneIdle();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void giveBack(UserPool pool, Connection connection, boolean reusable) {
        boolean back;
        synchronized (pool) {
            back = reusable && !closed && connection.generation == pool.generation;
            if (back) {
                connection.lastUsed = System.nanoTime();
                pool.idle.push(connection);
            } else {
                pool.count--;
                discardCounted(connection);
            }
            pool.notifyAll();
        }
        if (back) {
            idleLater(pool);
        }
    }

    /** When the watcher names a mailbox for the user, lets an idle connection of theirs IDLE in it (soon). */
    private void idleLater(UserPool pool) {
        Idling current = idling;
        if (current == null || closed || idleUnsupported || current.mailbox(pool.user).isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> startIdle(pool));
        } catch (RejectedExecutionException e) {
            // shutting down: the connection waits as it is
        }
    }

    /**
     * On the executor: takes an idle connection of the user (unless one of theirs is in IDLE already), EXAMINEs
     * the watcher's mailbox and starts IDLE there; a server without IDLE (or a connection without a socket channel)
     * leaves the connection as it was.
     */
    private void startIdle(UserPool pool) {
        Idling current = idling;
        Optional<String> wanted = current == null ? Optional.empty() : current.mailbox(pool.user);
        Optional<ImapCredentials.Login> login = credentials.login(pool.user);
        if (wanted.isEmpty() || login.isEmpty()) {
            return;
        }
        String mailbox = wanted.get();
        Connection connection;
        synchronized (pool) {
            connection = pool.idle.peek();
            if (closed || connection == null || connection.idle != null || connection.noIdle
                    || !connection.login.equals(login.get())
                    || connection.generation != pool.generation
                    || pool.idle.stream().anyMatch(c -> c.idle != null)) {
                return;
            }
            pool.idle.poll();
        }
        MailboxInfo[] examined = new MailboxInfo[1];
        ImapIdle.Session session = null;
        boolean healthy = false;
        try {
            IMAPFolder root = (IMAPFolder) connection.store.getDefaultFolder();
            session = (ImapIdle.Session) root.doCommand(p -> {
                if (!p.hasCapability("IDLE")) {
                    idleUnsupported = true; // RFC 2177 is an extension: the STATUS polls go on
                    return null;
                }
                if (p.getChannel() == null) {
                    return null;
                }
                // HIGHESTMODSEQ in the EXAMINE answer (RFC 7162 3.1.2.1), as the changes' own looks enable it
                if (p.hasCapability("QRESYNC") && !p.isEnabled("QRESYNC")) {
                    p.enable("QRESYNC");
                } else if (!p.hasCapability("QRESYNC") && p.hasCapability("CONDSTORE")
                        && !p.isEnabled("CONDSTORE")) {
                    p.enable("CONDSTORE");
                }
                try {
                    examined[0] = p.examine(mailbox);
                    p.idleStart();
                } catch (ProtocolException e) {
                    ImapCommands.unselect(p); // back to no mailbox selected, as every lease expects
                    throw e;
                }
                idleStarts.increment();
                if (LOG.isDebugEnabled()) {
                    LOG.debug("IDLE of user={} started in {}: EXISTS {}, HIGHESTMODSEQ {}", LogText.escape(pool.user),
                            LogText.escape(mailbox), examined[0].total, examined[0].highestmodseq);
                }
                return new ImapIdle.Session(p, p.getChannel(), pool.user, mailbox, new Owner(pool, connection));
            });
            healthy = true;
        } catch (MessagingException e) {
            healthy = !(e.getCause() instanceof ConnectionException);
            LOG.debug("no IDLE for a connection: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.debug("no IDLE for a connection: {}", e.toString());
        }
        if (session == null) {
            connection.noIdle = true; // refused, or no socket channel: not asked again on this connection
        }
        boolean back;
        synchronized (pool) {
            back = healthy && !closed && connection.generation == pool.generation;
            if (back) {
                connection.idle = session;
                connection.lastUsed = System.nanoTime();
                pool.idle.push(connection);
            } else {
                pool.count--;
                if (session != null) {
                    idler.close(session);
                }
                discardCounted(connection);
            }
            pool.notifyAll();
        }
        if (back && session != null) {
            idler.watch(session);
        }
        // after the connection is back: the event it may publish brings a Sync, which should find it
        if (back && examined[0] != null && current != null) {
            current.examined(pool.user, mailbox, examined[0]);
        }
    }

    /** What a connection's IDLE reports to: its pool. */
    private final class Owner implements ImapIdle.Owner {
        private final UserPool pool;
        private final Connection connection;

        Owner(UserPool pool, Connection connection) {
            this.pool = pool;
            this.connection = connection;
        }

        @Override
        public void changed(ImapIdle.Session session) {
            boolean mine;
            synchronized (pool) {
                mine = connection.idle == session && pool.idle.remove(connection);
            }
            LOG.debug("IDLE of user={} reported a change{}", LogText.escape(pool.user),
                    mine ? "" : " while leased (the lease ends it)");
            if (!mine) {
                idler.release(session); // leased meanwhile: the lease ends the IDLE, its give back IDLEs again
                return;
            }
            connection.idle = null;
            // the IDLE reported a change (or is due): end it; the give back EXAMINEs, reports and IDLEs again
            giveBack(pool, connection, idler.endOwned(session));
        }

        @Override
        public void dead(ImapIdle.Session session) {
            boolean mine;
            synchronized (pool) {
                mine = connection.idle == session && pool.idle.remove(connection);
            }
            LOG.debug("IDLE of user={} lost its connection", LogText.escape(pool.user));
            idler.close(session);
            if (mine) {
                connection.idle = null;
                synchronized (pool) {
                    pool.count--;
                    discardCounted(connection);
                    pool.notifyAll();
                }
            }
        }
    }

    /**
     * Logs in, once one of the node's login places is free: waits at most the timeout for one (then UNAVAILABLE,
     * having cost the server nothing).
     */
    private IMAPStore connect(ImapCredentials.Login login) throws MessagingException {
        try {
            if (!loginSlots.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new MailStoreException(Kind.UNAVAILABLE, "all " + loginConcurrency + " IMAP logins of this "
                        + "node stayed in progress for " + timeoutMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailStoreException(Kind.UNAVAILABLE, "interrupted", e);
        }
        try {
            return login(login);
        } finally {
            loginSlots.release();
        }
    }

    private IMAPStore login(ImapCredentials.Login login) throws MessagingException {
        IMAPStore store = (IMAPStore) session(idler != null).getStore(server.mailProtocol());
        store.connect(server.host(), server.port(), login.name(), login.password());
        logins.increment();
        return store;
    }

    /**
     * The one mail session of this server's connections ({@code channels}: with socket channels, for the IDLE
     * selector): the credentials go to each {@code connect}, not into the session. A session per login cost every
     * held connection about 5 KB more (its copy of the properties, eight provider descriptions, loggers) and each
     * login a reading of the providers' resources.
     */
    private Session session(boolean channels) {
        Session session = channels ? channelSession : plainSession;
        if (session == null) {
            Properties props = server.sessionProperties(timeoutMillis);
            String p = "mail." + server.mailProtocol() + ".";
            props.setProperty(p + "connectionpoolsize", "1");
            props.setProperty(p + "connectionpooltimeout", Long.toString(Math.max(1000, idle.toMillis())));
            props.setProperty(p + "auth.mechanisms", "PLAIN LOGIN");
            if (channels) {
                props.setProperty(p + "usesocketchannels", "true"); // for the IDLE selector
            }
            session = Session.getInstance(props);
            // a race builds two equal sessions; either serves
            if (channels) {
                channelSession = session;
            } else {
                plainSession = session;
            }
        }
        return session;
    }

    /** Closes connections unused for longer than the idle time. */
    public void evictIdle() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, UserPool>> it = pools.entrySet().iterator(); it.hasNext(); ) {
            UserPool pool = it.next().getValue();
            synchronized (pool) {
                for (Iterator<Connection> c = pool.idle.iterator(); c.hasNext(); ) {
                    Connection connection = c.next();
                    if (connection.idle != null && idlingWanted(pool.user)) {
                        continue; // the watcher's IDLE: used by the server's notices, not by commands
                    }
                    if (now - connection.lastUsed > idle.toNanos()) {
                        c.remove();
                        pool.count--;
                        discardCounted(connection);
                    }
                }
                if (pool.count == 0) {
                    it.remove();
                }
            }
        }
    }

    /**
     * Users whose idle connections a full node closes last (the change watcher's held users: their connection is
     * idle for most of an interval, and evicting it would cost a login at their next poll).
     */
    public void keepLast(Predicate<String> users) {
        this.keptLast = Objects.requireNonNull(users);
    }

    /**
     * Frees a node slot by closing the least recently used idle connection, of a user not {@link #keepLast kept}
     * when there is one.
     */
    private void evictOneIdle() {
        Predicate<String> kept = keptLast;
        UserPool oldestPool = null;
        Connection oldest = null;
        boolean oldestKept = true;
        for (Map.Entry<String, UserPool> entry : pools.entrySet()) {
            UserPool pool = entry.getValue();
            boolean isKept = kept.test(entry.getKey());
            if (isKept && !oldestKept) {
                continue;
            }
            synchronized (pool) {
                Connection candidate = pool.idle.peekLast();
                if (candidate != null && (oldest == null || (oldestKept && !isKept)
                        || candidate.lastUsed < oldest.lastUsed)) {
                    oldest = candidate;
                    oldestPool = pool;
                    oldestKept = isKept;
                }
            }
        }
        if (oldestPool != null) {
            synchronized (oldestPool) {
                if (oldestPool.idle.remove(oldest)) {
                    oldestPool.count--;
                    discardCounted(oldest);
                }
            }
        }
    }

    private boolean idlingWanted(String user) {
        Idling current = idling;
        return current != null && current.mailbox(user).isPresent();
    }

    private void discardCounted(Connection connection) {
        ImapIdle.Session session = connection.idle;
        if (session != null) {
            connection.idle = null;
            this.idler.close(session); // no LOGOUT in the middle of an IDLE: the socket is dropped
        }
        discard(connection.store);
        open.decrementAndGet();
        nodeSlots.release();
    }

    private static void discard(IMAPStore store) {
        try {
            store.close();
        } catch (MessagingException | RuntimeException e) {
            LOG.debug("closing an IMAP connection: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        for (UserPool pool : pools.values()) {
            synchronized (pool) {
                Connection connection;
                while ((connection = pool.idle.poll()) != null) {
                    pool.count--;
                    discardCounted(connection);
                }
                pool.notifyAll();
            }
        }
        ImapIdle current = idler;
        if (current != null) {
            current.close();
        }
    }

    private static final class UserPool {
        final String user;
        final ArrayDeque<Connection> idle = new ArrayDeque<>();
        int count;
        /** Raised by {@link #renew}: connections of an earlier generation are not reused. */
        long generation;

        UserPool(String user) {
            this.user = user;
        }
    }

    private static final class Connection {
        final IMAPStore store;
        final ImapCredentials.Login login;
        final long generation;
        long lastUsed = System.nanoTime();
        /** Its IDLE while it waits in the pool, or null. */
        volatile ImapIdle.Session idle;
        /** IDLE failed or cannot run on it (no socket channel): the next connection of the user may. */
        volatile boolean noIdle;

        Connection(IMAPStore store, ImapCredentials.Login login, long generation) {
            this.store = store;
            this.login = login;
            this.generation = generation;
        }
    }
}
