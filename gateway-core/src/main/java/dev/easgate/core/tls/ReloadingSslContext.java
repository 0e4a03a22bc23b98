package dev.easgate.core.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A server {@link SslContext} built from PEM files that reloads them when they change: every new connection gets
 * an engine of the current context, so a renewed certificate (e.g. by an ACME client) is served without a restart
 * while open connections keep theirs. TLS 1.2 and 1.3 only. The files are checked off the event loops
 * (boundedElastic); a file that cannot be loaded keeps the previous certificate and is logged.
 */
public final class ReloadingSslContext extends SslContext {
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingSslContext.class);

    private final Path cert;
    private final Path key;
    private final AtomicReference<SslContext> current = new AtomicReference<>();
    private volatile String stamp;
    private Disposable watch;

    private ReloadingSslContext(Path cert, Path key) {
        this.cert = Objects.requireNonNull(cert, "cert");
        this.key = Objects.requireNonNull(key, "key");
    }

    /** Loads the files now (failing with the reason when they are unusable) and checks them every {@code every}. */
    public static ReloadingSslContext load(Path cert, Path key, Duration every) {
        ReloadingSslContext context = new ReloadingSslContext(cert, key);
        try {
            context.stamp = context.stamp();
            context.current.set(build(cert, key));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load TLS certificate " + cert + " / key " + key + ": "
                    + e.getMessage(), e);
        }
        if (!every.isZero() && !every.isNegative()) {
            context.watch = Flux.interval(every, every, Schedulers.boundedElastic())
                    .subscribe(tick -> context.reloadIfChanged());
        }
        return context;
    }

    static SslContext build(Path cert, Path key) throws SSLException {
        return SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .build();
    }

    private String stamp() throws IOException {
        FileTime certTime = Files.getLastModifiedTime(cert);
        FileTime keyTime = Files.getLastModifiedTime(key);
        return certTime.toMillis() + ":" + Files.size(cert) + ":" + keyTime.toMillis() + ":" + Files.size(key);
    }

    /** Reloads when either file changed since the last load; returns whether a new certificate is in use. */
    public boolean reloadIfChanged() {
        String now;
        try {
            now = stamp();
        } catch (IOException e) {
            LOG.warn("TLS files not readable, keeping the current certificate: {}", e.toString());
            return false;
        }
        if (now.equals(stamp)) {
            return false;
        }
        try {
            current.set(build(cert, key));
            stamp = now;
            LOG.info("TLS certificate reloaded from {}", cert);
            return true;
        } catch (SSLException | RuntimeException e) {
            // a certificate and key written one after the other may not match for a moment: retried next tick
            LOG.warn("cannot load the changed TLS files, keeping the current certificate: {}", e.toString());
            return false;
        }
    }

    /** Stops watching the files. */
    public void close() {
        if (watch != null) {
            watch.dispose();
        }
    }

    @Override
    public boolean isClient() {
        return false;
    }

    @Override
    public List<String> cipherSuites() {
        return current.get().cipherSuites();
    }

    @Override
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return current.get().applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return current.get().newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return current.get().newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return current.get().sessionContext();
    }
}
