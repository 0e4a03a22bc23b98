package dev.easgate.backends.imap;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticated IMAP connections, pooled per user: at most {@code perUser} for one user, at most {@code max} on this
 * node, closed after {@code idle} unused. A connection is leased to one thread at a time (Jakarta Mail's objects
 * are not thread-safe), so commands on one connection are serialized. At most {@code loginConcurrency} logins are in
 * progress at once: when many requests need a login together (phones parking again after a restart, their password
 * checks due), a server that takes logins slowly serves them in turn, instead of queueing them all until each one
 * outlasts the timeout and none succeeds. Blocking: call only on the gateway's bounded blocking scheduler.
 */
public final class ImapConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImapConnections.class);
    private static final long WAIT_MILLIS = 30_000;
    /** Logins in progress at once on a node unless told otherwise. */
    public static final int DEFAULT_LOGIN_CONCURRENCY = 16;

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
    private volatile Predicate<String> keptLast = user -> false;

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

    /** Connections open now on this node. */
    public int open() {
        return open.get();
    }

    /** Connections opened (IMAP logins made) on this node since the start, login checks included. */
    public long logins() {
        return logins.sum();
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
                discardCounted(connection.store);
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
        UserPool pool = pools.computeIfAbsent(user, u -> new UserPool());
        synchronized (pool) {
            pool.generation++;
            Connection connection;
            while ((connection = pool.idle.poll()) != null) {
                pool.count--;
                discardCounted(connection.store);
            }
            pool.notifyAll();
        }
    }

    /** Runs {@code work} on a pooled connection of {@code user}, opening one when needed. */
    public <T> T run(String user, Work<T> work) {
        ImapCredentials.Login login = credentials.login(user).orElseThrow(() -> new MailStoreException(
                Kind.UNAVAILABLE, "no IMAP login known for user " + user + " (not logged in since the start)"));
        UserPool pool = pools.computeIfAbsent(user, u -> new UserPool());
        return runOn(pool, lease(user, pool, login), work);
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
        return Optional.of(runOn(pool, connection, work));
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
        UserPool pool = pools.computeIfAbsent(user, u -> new UserPool());
        synchronized (pool) {
            if (pool.count < perUser) {
                pool.count++;
                pool.idle.push(new Connection(store, login, pool.generation));
                return true;
            }
        }
        discardCounted(store);
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
                    discardCounted(connection.store);
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
        synchronized (pool) {
            if (reusable && !closed && connection.generation == pool.generation) {
                connection.lastUsed = System.nanoTime();
                pool.idle.push(connection);
            } else {
                pool.count--;
                discardCounted(connection.store);
            }
            pool.notifyAll();
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
        Properties props = server.sessionProperties(timeoutMillis);
        String p = "mail." + server.mailProtocol() + ".";
        props.setProperty(p + "connectionpoolsize", "1");
        props.setProperty(p + "connectionpooltimeout", Long.toString(Math.max(1000, idle.toMillis())));
        props.setProperty(p + "auth.mechanisms", "PLAIN LOGIN");
        Session session = Session.getInstance(props);
        IMAPStore store = (IMAPStore) session.getStore(server.mailProtocol());
        store.connect(server.host(), server.port(), login.name(), login.password());
        logins.increment();
        return store;
    }

    /** Closes connections unused for longer than the idle time. */
    public void evictIdle() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, UserPool>> it = pools.entrySet().iterator(); it.hasNext(); ) {
            UserPool pool = it.next().getValue();
            synchronized (pool) {
                for (Iterator<Connection> c = pool.idle.iterator(); c.hasNext(); ) {
                    Connection connection = c.next();
                    if (now - connection.lastUsed > idle.toNanos()) {
                        c.remove();
                        pool.count--;
                        discardCounted(connection.store);
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
                    discardCounted(oldest.store);
                }
            }
        }
    }

    private void discardCounted(IMAPStore store) {
        discard(store);
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
                    discardCounted(connection.store);
                }
                pool.notifyAll();
            }
        }
    }

    private static final class UserPool {
        final ArrayDeque<Connection> idle = new ArrayDeque<>();
        int count;
        /** Raised by {@link #renew}: connections of an earlier generation are not reused. */
        long generation;
    }

    private static final class Connection {
        final IMAPStore store;
        final ImapCredentials.Login login;
        final long generation;
        long lastUsed = System.nanoTime();

        Connection(IMAPStore store, ImapCredentials.Login login, long generation) {
            this.store = store;
            this.login = login;
            this.generation = generation;
        }
    }
}
