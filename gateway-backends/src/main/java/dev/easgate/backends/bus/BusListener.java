package dev.easgate.backends.bus;

/** Receives the events of one user's channel. Called on the bus's threads: must not block. */
public interface BusListener {

    void onEvent(BusEvent event);

    /**
     * Events may have been missed (the bus lost its connection and has just restored it): the listener must assume
     * that anything may have changed.
     */
    void onGap();
}
