package dev.easgate.backends.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Helpers for servers a test starts on the loopback interface. */
public final class Loopback {
    private Loopback() {
    }

    /** A port free on the loopback interface now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** Sleeps while polling a starting server; an interrupt ends the test. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
