package dev.easgate.core.startup;

/** The backend answered, but not as one that serves: its words (someone else's text, escaped when logged). */
public final class ProbeRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProbeRefusedException(String answer) {
        super(answer);
    }
}
