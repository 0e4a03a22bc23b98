package dev.easgate.backends.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.state.CollectionState;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.state.StateStoreContract;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryStateStoreTest implements StateStoreContract {
    private final MemoryStateStore store = new MemoryStateStore();

    @Override
    public StateStore stateStore() {
        return store;
    }

    @Test
    void storedCollectionStateDoesNotShareArraysWithCallers() {
        DeviceKey key = newDevice();
        byte[] response = StateStoreContract.utf8("response");
        store.replaceCollection(key, "f1", null,
                new CollectionState("1", 0, Map.of(), "0", response, new byte[] {1})).block();

        response[0] = 'X';
        store.collection(key, "f1").block().previousResponse()[1] = 'X';

        assertThat(store.collection(key, "f1").block().previousResponse())
                .isEqualTo(StateStoreContract.utf8("response"));
    }
}
