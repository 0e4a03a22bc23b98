package dev.easgate.backends.bus;

import org.junit.jupiter.api.AfterEach;

class InProcessChangeBusTest implements ChangeBusContract {
    private final InProcessChangeBus bus = new InProcessChangeBus();

    @Override
    public ChangeBus bus() {
        return bus;
    }

    @Override
    public long openSubscriptions() {
        return bus.listenedUsers();
    }

    @Override
    public long retainedListeners() {
        return bus.listenedUsers();
    }

    @AfterEach
    void close() {
        bus.close();
    }
}
