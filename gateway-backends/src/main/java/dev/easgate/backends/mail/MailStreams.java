package dev.easgate.backends.mail;

/**
 * Names Angus Mail's stream provider in the system property Jakarta Mail reads first. Jakarta Mail 2.1 looks its
 * {@code StreamProvider} up on every {@code InternetHeaders} it reads, i.e. every MIME message parsed: without the
 * property through {@code ServiceLoader}, which opens and scans every jar of the class path each time (jakartaee/
 * mail-api issues 699 and 861). Measured on a loaded 2-core machine: ~150-230 µs per small message parsed without
 * it, 50-80 µs with it; in a wake profile (JFR) that lookup was 15 % of the node's samples, half of the woken
 * device's Sync.
 */
public final class MailStreams {
    /** The property Jakarta Mail's {@code FactoryFinder} reads before it tries the ServiceLoader. */
    public static final String PROPERTY = "jakarta.mail.util.StreamProvider";
    /** Angus Mail's provider, the one the ServiceLoader would find on this class path. */
    public static final String ANGUS = "org.eclipse.angus.mail.util.MailStreamProvider";

    private MailStreams() {
    }

    /** Sets the property unless the operator chose a provider (-D); idempotent, cheap to call from static inits. */
    public static void useAngus() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, ANGUS);
        }
    }
}
