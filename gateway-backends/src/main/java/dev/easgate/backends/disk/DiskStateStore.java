package dev.easgate.backends.disk;

import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.HierarchyState;
import dev.easgate.backends.state.StateCodec;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateStoreUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link StateStore} in an embedded SQLite database, {@value #FILE} in a data directory: a single node's device
 * records, policy keys, folder and item sync state with the replay copies of its last answers, and named values
 * survive a restart, a crash (SIGKILL) and, with {@link Durability#FULL}, a power loss.
 *
 * <p>Layout: one table per kind of state, keyed by user and device id (and collection id or value name), holding
 * {@link StateCodec}'s bytes, the same form Redis keeps; sync keys also in a column of their own, for the
 * compare-and-set. WAL journal: readers never wait for the writer, a commit appends to the log.
 *
 * <p>Every call is blocking JDBC and runs on the store's own bounded scheduler ({@value #THREADS} threads, at most
 * {@value #QUEUE} calls waiting, beyond which a call fails as unavailable rather than queueing without bound; its
 * hand-off takes no lock, see {@link StoreThreads}), each with one of {@value #THREADS} connections, which keep
 * their prepared statements from call to call; results are handed on to Reactor's parallel scheduler, so what the
 * caller does next never holds up the store's threads. Writes go through one more connection, one batch at a time
 * (SQLite has one writer anyway): the writes waiting when a batch starts, up to {@value #BATCH}, are committed in
 * one transaction (group commit: one fsync for all of them), each in a savepoint of its own so that it is atomic
 * and fails alone (a write alone in its batch needs none). A value or device record written as it is stored
 * already changes no page, so its commit appends nothing to the log and syncs nothing (a Ping repeating the
 * device's last one costs no fsync). A sync key replacement is an {@code UPDATE ... WHERE sync_key = ?} whose row
 * count says whether it won, so of two racing requests exactly one advances a key; removing a device or resetting
 * its sync state deletes from several tables atomically. A write has completed (and, with {@link Durability#FULL}, reached the
 * disk) when its {@code Mono} completes, so an answer that follows it never gets ahead of the stored state.
 *
 * <p>Failures of the database (disk full, I/O error, a corrupt page) fail the call with
 * {@link StateStoreUnavailableException}; opening fails at start with a message naming the file.
 */
public final class DiskStateStore implements StateStore, AutoCloseable {
    /** The database file in the data directory (SQLite adds {@code -wal} and {@code -shm} beside it). */
    public static final String FILE = "state.db";
    static final int THREADS = 4;
    static final int QUEUE = 100_000;
    /** Most writes committed in one transaction. */
    static final int BATCH = 256;
    private static final int SCHEMA_VERSION = 1;
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(DiskStateStore.class);

    /** How far a commit goes before its call completes. */
    public enum Durability {
        /**
         * SQLite {@code synchronous=FULL}: every commit is fsynced before it completes; nothing acknowledged is lost
         * on a crash or a power loss. Costs one fsync per commit (concurrent writes share one).
         */
        FULL,
        /**
         * SQLite {@code synchronous=NORMAL}: commits reach the OS at once (safe on a crash of the process) but are
         * fsynced only at checkpoints; a power loss may undo the last commits (the database stays consistent;
         * devices whose last keys are lost resync those folders).
         */
        NORMAL;

        /** Parses {@code full} or {@code normal}, ignoring case. */
        public static Durability of(String text) {
            for (Durability durability : values()) {
                if (durability.name().equalsIgnoreCase(text.trim())) {
                    return durability;
                }
            }
            throw new IllegalArgumentException("state durability must be full or normal, got '" + text + "'");
        }
    }

    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS device (user_name TEXT NOT NULL, device_id TEXT NOT NULL, record BLOB NOT NULL,"
                + " PRIMARY KEY (user_name, device_id)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS hierarchy (user_name TEXT NOT NULL, device_id TEXT NOT NULL,"
                + " sync_key TEXT NOT NULL, state BLOB NOT NULL, PRIMARY KEY (user_name, device_id)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS collection (user_name TEXT NOT NULL, device_id TEXT NOT NULL,"
                + " collection_id TEXT NOT NULL, sync_key TEXT NOT NULL, state BLOB NOT NULL,"
                + " PRIMARY KEY (user_name, device_id, collection_id)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS device_value (user_name TEXT NOT NULL, device_id TEXT NOT NULL,"
                + " name TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (user_name, device_id, name)) WITHOUT ROWID",
        // added later without a new schema version: an older file gets the table on its next open
        "CREATE TABLE IF NOT EXISTS user_value (user_name TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL,"
                + " PRIMARY KEY (user_name, name)) WITHOUT ROWID"
    };
    private static final String DEVICE_WHERE = " WHERE user_name = ? AND device_id = ?";

    private final Path file;
    private final Durability durability;
    /** The readers' connections, one per scheduler thread. */
    private final BlockingQueue<Session> connections;
    /** The one connection that writes, used by whichever thread holds {@link #writeLock}. */
    private final Session writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<PendingWrite<?>> writes = new LinkedBlockingQueue<>(QUEUE);
    private final StoreThreads threads;
    private final Scheduler scheduler;
    /** Transactions committed by the writer, for the cost measurement (writes per fsync). */
    private final AtomicLong commits = new AtomicLong();

    private DiskStateStore(Path file, Durability durability, Connection writer, List<Connection> readers) {
        this.file = file;
        this.durability = durability;
        this.writer = new Session(writer);
        this.connections = new ArrayBlockingQueue<>(readers.size(), false, readers.stream().map(Session::new).toList());
        this.threads = new StoreThreads(THREADS, QUEUE, "easgate-state-disk");
        this.scheduler = Schedulers.fromExecutorService(threads, "easgate-state-disk");
    }

    /**
     * Opens (creating when missing) the store in {@code directory}: blocking, call at startup. Fails with an
     * {@link IllegalStateException} naming the path when the directory cannot be made or written, or the file is
     * not a database of this store (corrupt, or another program's).
     */
    public static DiskStateStore open(Path directory, Durability durability) {
        Path dir = directory.toAbsolutePath().normalize();
        Path file = dir.resolve(FILE);
        prepareDirectory(dir);
        List<Connection> opened = new ArrayList<>(THREADS);
        try {
            SQLiteDataSource source = dataSource(file, durability);
            Connection first = source.getConnection();
            opened.add(first);
            checkJournal(first, file);
            migrate(first, file);
            for (int i = 0; i < THREADS; i++) {
                opened.add(source.getConnection());
            }
        } catch (SQLException e) {
            closeAll(opened);
            throw new IllegalStateException("state store " + file + " cannot be opened: " + e.getMessage()
                    + hint(e), e);
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
        return new DiskStateStore(file, durability, opened.get(0), opened.subList(1, opened.size()));
    }

    /** Write transactions committed so far (each one fsync with {@link Durability#FULL}). */
    long commits() {
        return commits.get();
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    public Durability durability() {
        return durability;
    }

    // ---- devices ------------------------------------------------------------------------------------------------

    @Override
    public Mono<DeviceRecord> device(DeviceKey key) {
        return read(session -> {
            byte[] record = single(session, "SELECT record FROM device" + DEVICE_WHERE, key);
            return record == null ? null : StateCodec.device(record);
        });
    }

    @Override
    public Mono<Void> putDevice(DeviceRecord device) {
        byte[] record = StateCodec.device(device);
        return write(session -> update(session, "INSERT INTO device (user_name, device_id, record)"
                + " VALUES (?, ?, ?) ON CONFLICT (user_name, device_id) DO UPDATE SET record = excluded.record"
                + " WHERE device.record IS NOT excluded.record",
                device.key().user(), device.key().deviceId(), record)).then();
    }

    @Override
    public Flux<DeviceRecord> devices(String user) {
        return read(session -> {
            List<DeviceRecord> records = new ArrayList<>();
            PreparedStatement statement = session.prepare(
                    "SELECT record FROM device WHERE user_name = ? ORDER BY device_id");
            statement.setString(1, user);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    records.add(StateCodec.device(rows.getBytes(1)));
                }
            }
            return records;
        }).flatMapMany(Flux::fromIterable);
    }

    @Override
    public Mono<Void> removeDevice(DeviceKey key) {
        return write(session -> {
            for (String table : List.of("device", "hierarchy", "collection", "device_value")) {
                update(session, "DELETE FROM " + table + DEVICE_WHERE, key.user(), key.deviceId());
            }
            return 0;
        }).then();
    }

    // ---- hierarchy ----------------------------------------------------------------------------------------------

    @Override
    public Mono<HierarchyState> hierarchy(DeviceKey key) {
        return read(session -> {
            byte[] state = single(session, "SELECT state FROM hierarchy" + DEVICE_WHERE, key);
            return state == null ? null : StateCodec.hierarchy(state);
        });
    }

    @Override
    public Mono<Boolean> replaceHierarchy(DeviceKey key, String expectedKey, HierarchyState next) {
        byte[] state = StateCodec.hierarchy(next);
        if (expectedKey == null) {
            return write(session -> update(session, "INSERT INTO hierarchy (user_name, device_id, sync_key,"
                    + " state) VALUES (?, ?, ?, ?) ON CONFLICT (user_name, device_id) DO UPDATE"
                    + " SET sync_key = excluded.sync_key, state = excluded.state",
                    key.user(), key.deviceId(), next.syncKey(), state) == 1);
        }
        return write(session -> update(session, "UPDATE hierarchy SET sync_key = ?, state = ?"
                + DEVICE_WHERE + " AND sync_key = ?", next.syncKey(), state, key.user(), key.deviceId(),
                expectedKey) == 1);
    }

    // ---- collections --------------------------------------------------------------------------------------------

    @Override
    public Mono<CollectionState> collection(DeviceKey key, String collectionId) {
        return read(session -> {
            byte[] state = single(session, "SELECT state FROM collection" + DEVICE_WHERE + " AND collection_id = ?",
                    key.user(), key.deviceId(), collectionId);
            return state == null ? null : StateCodec.collection(state);
        });
    }

    @Override
    public Mono<Boolean> replaceCollection(DeviceKey key, String collectionId, String expectedKey,
                                           CollectionState next) {
        byte[] state = StateCodec.collection(next);
        if (expectedKey == null) {
            return write(session -> update(session, "INSERT INTO collection (user_name, device_id,"
                    + " collection_id, sync_key, state) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT (user_name, device_id, collection_id) DO UPDATE"
                    + " SET sync_key = excluded.sync_key, state = excluded.state",
                    key.user(), key.deviceId(), collectionId, next.syncKey(), state) == 1);
        }
        return write(session -> update(session, "UPDATE collection SET sync_key = ?, state = ?"
                + DEVICE_WHERE + " AND collection_id = ? AND sync_key = ?", next.syncKey(), state, key.user(),
                key.deviceId(), collectionId, expectedKey) == 1);
    }

    @Override
    public Mono<Void> removeCollection(DeviceKey key, String collectionId) {
        return write(session -> update(session, "DELETE FROM collection" + DEVICE_WHERE
                + " AND collection_id = ?", key.user(), key.deviceId(), collectionId)).then();
    }

    @Override
    public Mono<Void> resetSyncState(DeviceKey key) {
        return write(session -> {
            update(session, "DELETE FROM hierarchy" + DEVICE_WHERE, key.user(), key.deviceId());
            return update(session, "DELETE FROM collection" + DEVICE_WHERE, key.user(), key.deviceId());
        }).then();
    }

    // ---- values -------------------------------------------------------------------------------------------------

    @Override
    public Mono<byte[]> value(DeviceKey key, String name) {
        return read(session -> single(session, "SELECT value FROM device_value" + DEVICE_WHERE + " AND name = ?",
                key.user(), key.deviceId(), name));
    }

    @Override
    public Mono<Void> putValue(DeviceKey key, String name, byte[] value) {
        byte[] stored = value.clone(); // the caller may change its array before the call runs
        return write(session -> update(session, "INSERT INTO device_value (user_name, device_id, name, value)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (user_name, device_id, name) DO UPDATE SET value = excluded.value"
                + " WHERE device_value.value IS NOT excluded.value",
                key.user(), key.deviceId(), name, stored)).then();
    }

    @Override
    public Mono<Void> removeValue(DeviceKey key, String name) {
        return write(session -> update(session, "DELETE FROM device_value" + DEVICE_WHERE + " AND name = ?",
                key.user(), key.deviceId(), name)).then();
    }

    @Override
    public Mono<byte[]> userValue(String user, String name) {
        return read(session -> single(session, "SELECT value FROM user_value WHERE user_name = ? AND name = ?",
                user, name));
    }

    @Override
    public Mono<Void> putUserValue(String user, String name, byte[] value) {
        byte[] stored = value.clone();
        return write(session -> update(session, "INSERT INTO user_value (user_name, name, value)"
                + " VALUES (?, ?, ?) ON CONFLICT (user_name, name) DO UPDATE SET value = excluded.value"
                + " WHERE user_value.value IS NOT excluded.value",
                user, name, stored)).then();
    }

    @Override
    public Mono<Void> removeUserValue(String user, String name) {
        return write(session -> update(session, "DELETE FROM user_value WHERE user_name = ? AND name = ?",
                user, name)).then();
    }

    /**
     * Waits up to a few seconds for calls in progress, then closes the database (SQLite checkpoints the WAL into
     * the file on the last close).
     */
    @Override
    public void close() {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("state store calls still running at close");
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            threads.shutdownNow();
        }
        List<Connection> all = new ArrayList<>(THREADS);
        for (int i = 0; i < THREADS; i++) {
            try {
                Session session = connections.poll(5, TimeUnit.SECONDS);
                if (session != null) {
                    session.forget();
                    all.add(session.connection);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        writer.forget();
        all.add(writer.connection);
        closeAll(all);
    }

    @Override
    public String toString() {
        return "SQLite " + file + " (WAL, synchronous=" + durability + ")";
    }

    // ---- running calls ------------------------------------------------------------------------------------------

    private interface Work<T> {
        T run(Session session) throws SQLException;
    }

    /**
     * A connection with the statements it prepared, kept for its next calls: parsing the same few statements for
     * every call cost more CPU than running them. Used by one thread at a time (a reader taken from the queue, the
     * writer under its lock); a failed call drops its statements, so a statement is never reused in a bad state.
     */
    private static final class Session {
        final Connection connection;
        private final Map<String, PreparedStatement> statements = new HashMap<>();

        Session(Connection connection) {
            this.connection = connection;
        }

        /** The statement for {@code sql}, prepared once; not to be closed by the caller. */
        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement statement = statements.get(sql);
            if (statement == null) {
                statement = connection.prepareStatement(sql);
                statements.put(sql, statement);
            }
            return statement;
        }

        /** Closes the prepared statements (after a failure, or before the connection closes). */
        void forget() {
            for (PreparedStatement statement : statements.values()) {
                try {
                    statement.close();
                } catch (SQLException e) {
                    LOG.debug("closing a state store statement failed: {}", e.toString());
                }
            }
            statements.clear();
        }
    }

    /** Runs {@code work} on the store's scheduler with a connection of its own, outside any transaction. */
    private <T> Mono<T> read(Work<T> work) {
        return Mono.fromCallable(() -> withConnection(work)).subscribeOn(scheduler)
                .publishOn(Schedulers.parallel())
                .onErrorMap(DiskStateStore::unavailable);
    }

    /**
     * Runs {@code work} atomically (a savepoint of the batch's transaction) and completes once the transaction that
     * holds it has committed: writes that arrive while another batch commits are committed together, so many
     * concurrent writes share one fsync, each still all-or-nothing and each seeing the ones before it.
     */
    private <T> Mono<T> write(Work<T> work) {
        return Mono.defer(() -> {
            PendingWrite<T> pending = new PendingWrite<>(work);
            if (!writes.offer(pending)) {
                return Mono.error(new StateStoreUnavailableException("disk state store: more than " + QUEUE
                        + " writes waiting", null));
            }
            try {
                // straight to the store's threads, not through a Reactor scheduler: a flush commits many callers'
                // writes and must not carry the hooks one caller's task would (its request's log tags)
                threads.execute(this::flush);
            } catch (RuntimeException rejected) { // closed, or its queue is full
                if (writes.remove(pending)) {
                    return Mono.error(rejected);
                }
                // a running flush has taken it already
            }
            return Mono.fromFuture(pending.result, true); // a cancelled caller does not undo the write
        }).publishOn(Schedulers.parallel()).onErrorMap(DiskStateStore::unavailable);
    }

    /**
     * Commits what is waiting, in batches, unless another flush is at it; that one looks at the queue again after
     * letting go, so nothing queued is left behind and no thread ever waits for the write lock.
     */
    private void flush() {
        while (!writes.isEmpty()) {
            if (!writeLock.tryLock()) {
                return;
            }
            try {
                List<PendingWrite<?>> batch = new ArrayList<>();
                writes.drainTo(batch, BATCH);
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } finally {
                writeLock.unlock();
            }
        }
    }

    private void commit(List<PendingWrite<?>> batch) {
        List<Runnable> completions = new ArrayList<>(batch.size());
        Connection connection = writer.connection;
        try {
            connection.setAutoCommit(false);
            try {
                if (batch.size() == 1) {
                    // alone in its transaction, which makes it atomic: no savepoint to set and release
                    completions.add(batch.get(0).runAlone(writer));
                } else {
                    for (PendingWrite<?> pending : batch) {
                        completions.add(pending.runIn(writer));
                    }
                }
                connection.commit();
                commits.incrementAndGet();
            } catch (SQLException | RuntimeException e) {
                rollback(connection);
                writer.forget();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            for (PendingWrite<?> pending : batch) {
                pending.tell(() -> pending.result.completeExceptionally(e));
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).tell(completions.get(i));
        }
    }

    /** A write waiting for its batch; its result is told only once the batch committed. */
    private static final class PendingWrite<T> {
        final Work<T> work;
        final CompletableFuture<T> result = new CompletableFuture<>();
        /**
         * Runs {@link #outcome} as a task the caller scheduled would run (Reactor's schedule hooks, taken on the
         * caller's thread: e.g. its request's log tags), so what follows the write goes on in the caller's context,
         * not in that of the flush, which commits many callers' writes.
         */
        private final Runnable inCallersContext;
        private volatile Runnable outcome;

        PendingWrite(Work<T> work) {
            this.work = work;
            this.inCallersContext = Schedulers.onSchedule(() -> outcome.run());
        }

        /** Tells the caller the outcome, once its transaction has ended. */
        void tell(Runnable told) {
            outcome = told;
            inCallersContext.run();
        }

        /** Runs as the transaction's only write: a failure fails the transaction. Returns what to tell after it. */
        Runnable runAlone(Session session) throws SQLException {
            T value = work.run(session);
            return () -> result.complete(value);
        }

        /** Runs in a savepoint: a failure undoes this write only. Returns what to tell after the commit. */
        Runnable runIn(Session session) throws SQLException {
            Connection connection = session.connection;
            Savepoint savepoint = connection.setSavepoint();
            try {
                T value = work.run(session);
                connection.releaseSavepoint(savepoint);
                return () -> result.complete(value);
            } catch (SQLException | RuntimeException e) {
                session.forget();
                connection.rollback(savepoint);
                connection.releaseSavepoint(savepoint);
                return () -> result.completeExceptionally(e);
            }
        }
    }

    private <T> T withConnection(Work<T> work) throws SQLException, InterruptedException {
        // never waits long: the scheduler runs at most THREADS calls at once, each holding one connection
        Session session = connections.take();
        try {
            return work.run(session);
        } catch (SQLException | RuntimeException e) {
            session.forget();
            throw e;
        } finally {
            connections.add(session);
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.warn("state store rollback failed: {}", e.toString());
        }
    }

    /** Every failure of this store is the database failing (I/O, disk full, corruption) or the queue being full. */
    private static Throwable unavailable(Throwable error) {
        return error instanceof StateStoreUnavailableException ? error
                : new StateStoreUnavailableException("disk state store: " + error, error);
    }

    // ---- SQL helpers --------------------------------------------------------------------------------------------

    private static byte[] single(Session session, String sql, DeviceKey key) throws SQLException {
        return single(session, sql, key.user(), key.deviceId());
    }

    /** The first column of the first row, or null. */
    private static byte[] single(Session session, String sql, String... parameters) throws SQLException {
        PreparedStatement statement = session.prepare(sql);
        bind(statement, (Object[]) parameters);
        try (ResultSet rows = statement.executeQuery()) {
            return rows.next() ? rows.getBytes(1) : null;
        }
    }

    private static int update(Session session, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = session.prepare(sql);
        bind(statement, parameters);
        return statement.executeUpdate();
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            if (parameters[i] instanceof byte[] bytes) {
                statement.setBytes(i + 1, bytes);
            } else {
                statement.setString(i + 1, (String) parameters[i]);
            }
        }
    }

    // ---- opening ------------------------------------------------------------------------------------------------

    private static void prepareDirectory(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalStateException("state directory " + dir + " is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("state directory " + dir + " cannot be created: " + e, e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalStateException("state directory " + dir + " is not writable by this user");
        }
        Path file = dir.resolve(FILE);
        if (Files.exists(file) && (!Files.isRegularFile(file) || !Files.isWritable(file))) {
            throw new IllegalStateException("state file " + file + " is not a writable file");
        }
    }

    private static SQLiteDataSource dataSource(Path file, Durability durability) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(durability == Durability.FULL ? SQLiteConfig.SynchronousMode.FULL
                : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS); // another process on the same file (a second node, sqlite3)
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE); // take the write lock at BEGIN
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file);
        return source;
    }

    private static void checkJournal(Connection connection, Path file) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA journal_mode")) {
            String mode = rows.next() ? rows.getString(1) : "";
            if (!"wal".equals(mode.toLowerCase(Locale.ROOT))) {
                // WAL needs shared memory beside the file: not on some network file systems
                throw new IllegalStateException("state store " + file + " cannot use a WAL journal (got '" + mode
                        + "'): put data.dir on a local file system");
            }
        }
    }

    /** Creates the tables on first use; refuses a file written by a newer version. */
    private static void migrate(Connection connection, Path file) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (String sql : SCHEMA) {
                statement.execute(sql);
            }
            statement.execute("INSERT INTO meta (name, value) VALUES ('schema', '" + SCHEMA_VERSION + "')"
                    + " ON CONFLICT (name) DO NOTHING");
            try (ResultSet rows = statement.executeQuery("SELECT value FROM meta WHERE name = 'schema'")) {
                int version = rows.next() ? Integer.parseInt(rows.getString(1)) : -1;
                if (version != SCHEMA_VERSION) {
                    throw new IllegalStateException("state store " + file + " has schema version " + version
                            + ", this version of easgate reads " + SCHEMA_VERSION);
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollback(connection);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static String hint(SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("SQLITE_NOTADB") || message.contains("SQLITE_CORRUPT")) {
            return " (the file is corrupt or not a database of easgate: move it away to start with no device state,"
                    + " every device then provisions and syncs again)";
        }
        if (message.contains("SQLITE_CANTOPEN") || message.contains("SQLITE_READONLY")) {
            return " (check that the directory and file are writable by this user)";
        }
        return "";
    }

    private static void closeAll(List<Connection> connections) {
        for (Connection connection : connections) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.warn("closing the state store failed: {}", e.toString());
            }
        }
    }
}
