package dev.easgate.backends.imap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.mail.MailStoreException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The node's logins in progress are bounded: against a server that takes connections but is too busy to greet
 * (its login processes all taken), at most {@code loginConcurrency} connections wait there at once; the other
 * logins wait in the gateway and cost the server nothing.
 */
class ImapConnectionsLoginBoundTest {
    @Test
    void atMostTheLoginConcurrencyWaitsAtTheServer() throws Exception {
        assertThat(peakAtServer(2, 6)).isEqualTo(2);
    }

    @Test
    void withoutTheBoundEveryLoginWaitsAtTheServer() throws Exception {
        // the same six logins with six places: all reach the silent server together (what the bound prevents)
        assertThat(peakAtServer(6, 6)).isEqualTo(6);
    }

    /** Runs {@code logins} verifies at once against a server that never greets; returns its peak of open clients. */
    private static int peakAtServer(int loginConcurrency, int logins) throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        Socket client = silent.accept();
                        synchronized (accepted) {
                            accepted.add(client);
                        }
                        peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                        Thread reader = new Thread(() -> {
                            try {
                                while (client.getInputStream().read() >= 0) {
                                    // no greeting: the client gives up after its timeout and closes
                                }
                            } catch (IOException closed) {
                                // closed
                            }
                            open.decrementAndGet();
                        });
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            ImapConnections connections = new ImapConnections(MailServerUrl.parse("imap://127.0.0.1:"
                    + silent.getLocalPort(), "imap"), user -> Optional.empty(), 1, 100, Duration.ofMinutes(5),
                    Duration.ofMillis(1500), loginConcurrency);
            ExecutorService threads = Executors.newFixedThreadPool(logins);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < logins; i++) {
                    String user = "user" + i;
                    results.add(threads.submit(() -> {
                        try {
                            connections.verify(user, new ImapCredentials.Login(user, "secret"));
                            return "logged in";
                        } catch (MailStoreException e) {
                            return e.kind().name();
                        }
                    }));
                }
                for (Future<String> result : results) {
                    assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("UNAVAILABLE");
                }
            } finally {
                threads.shutdownNow();
                connections.close();
                synchronized (accepted) {
                    for (Socket socket : accepted) {
                        socket.close();
                    }
                }
            }
        }
        return peak.get();
    }
}
