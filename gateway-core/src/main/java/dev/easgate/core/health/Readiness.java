package dev.easgate.core.health;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this node takes new requests: {@link State#STARTING} until its backends have been probed and its server
 * listens, {@link State#READY} then, {@link State#DRAINING} from the moment a stop begins (never back).
 */
public final class Readiness {
    /** The node's phase, in the only order it moves through. */
    public enum State {
        STARTING("starting"), READY("ok"), DRAINING("draining");

        private final String word;

        State(String word) {
            this.word = word;
        }

        /** The body of {@code /readyz} in this state. */
        public String word() {
            return word;
        }
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);

    public State state() {
        return state.get();
    }

    public boolean ready() {
        return state.get() == State.READY;
    }

    /** Starting is over; a draining node stays draining. */
    public void markReady() {
        state.compareAndSet(State.STARTING, State.READY);
    }

    /** A stop has begun: from now on {@code /readyz} answers 503. */
    public void markDraining() {
        state.set(State.DRAINING);
    }
}
