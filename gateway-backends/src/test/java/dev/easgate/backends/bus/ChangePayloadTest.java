package dev.easgate.backends.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The documented bus message format, written and read. */
class ChangePayloadTest {

    @Test
    void eventsAreWrittenCompactlyAndReadBack() {
        BusEvent folder = new BusEvent.FolderChanged("alice", "f\"1", false, 1_700_000_000_123L);
        assertThat(ChangePayload.encode(folder)).isEqualTo("{\"t\":\"folder\",\"f\":\"f\\\"1\",\"h\":false,\"at\":1700000000123}");
        assertThat(ChangePayload.decode("alice", ChangePayload.encode(folder))).isEqualTo(folder);
        BusEvent parked = new BusEvent.DeviceParked("alice", "DEV1", "p-1");
        assertThat(ChangePayload.encode(parked)).isEqualTo("{\"t\":\"parked\",\"d\":\"DEV1\",\"p\":\"p-1\"}");
        assertThat(ChangePayload.decode("alice", ChangePayload.encode(parked))).isEqualTo(parked);
        BusEvent own = new BusEvent.FolderChanged("alice", "f1", false, 5L, "DEV1");
        assertThat(ChangePayload.encode(own)).isEqualTo("{\"t\":\"folder\",\"f\":\"f1\",\"h\":false,\"at\":5,\"d\":\"DEV1\"}");
        assertThat(ChangePayload.decode("alice", ChangePayload.encode(own))).isEqualTo(own);
    }

    @Test
    void theSmallestWakeUpAndDefaults() {
        assertThat(ChangePayload.decode("bob", "{\"t\":\"folder\"}"))
                .isEqualTo(new BusEvent.FolderChanged("bob", null, false, 0));
        // unknown fields, nested values and non-integral times are tolerated
        assertThat(ChangePayload.decode("bob", " {\"t\":\"folder\",\"f\":null,\"h\":\"yes\",\"at\":1.5,"
                + "\"x\":{\"y\":[1,2,{}]}} ")).isEqualTo(new BusEvent.FolderChanged("bob", null, false, 0));
        assertThat(ChangePayload.decode("bob", "{\"t\":\"folder\",\"h\":true,\"at\":99999999999999999999}"))
                .isEqualTo(new BusEvent.FolderChanged("bob", null, true, 0));
    }

    @Test
    void theWebhookFormNamesItsUser() {
        assertThat(ChangePayload.decodeAddressed("{\"user\":\"carol@example.com\",\"t\":\"folder\",\"f\":\"9\"}"))
                .isEqualTo(new BusEvent.FolderChanged("carol@example.com", "9", false, 0));
        assertThatThrownBy(() -> ChangePayload.decodeAddressed("{\"t\":\"folder\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user");
    }

    @Test
    void whatIsNotAPayloadIsRefusedWithAReason() {
        for (String bad : new String[] {"", "[]", "\"folder\"", "{\"t\":\"folder\"} x", "{\"t\":\"folder\",}",
                "{\"t\":\"nope\"}", "{\"t\":\"folder\",\"f\":7}", "{\"t\":\"folder\",\"d\":[]}", "{\"t\":\"parked\",\"d\":\"x\"}",
                "{\"t\":\"folder\",\"f\":\"a\u0001b\"}", "{\"x\":" + "[".repeat(100) + "]".repeat(100) + "}"}) {
            assertThatThrownBy(() -> ChangePayload.decode("u", bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
