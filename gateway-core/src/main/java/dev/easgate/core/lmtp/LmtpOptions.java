package dev.easgate.core.lmtp;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the memory backend's LMTP listener ({@link LmtpServer}). */
public final class LmtpOptions {
    public static final ConfigOption PORT = new ConfigOption("memory.lmtp-port", "",
            "with the memory backend: accept mail over LMTP (RFC 2033) on this port and deliver it to the "
                    + "recipients' Inboxes, as an MTA (e.g. Postfix's lmtp transport) delivers to a mail store; the "
                    + "parked devices wake through the change bus. No authentication: keep memory.lmtp-bind on "
                    + "loopback or a private network. Empty: off");
    public static final ConfigOption BIND = new ConfigOption("memory.lmtp-bind", "127.0.0.1",
            "with memory.lmtp-port: the address the LMTP listener binds");

    public static final List<ConfigOption> ALL = List.of(PORT, BIND);

    private LmtpOptions() {
    }
}
