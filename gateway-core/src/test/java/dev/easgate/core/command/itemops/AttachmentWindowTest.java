package dev.easgate.core.command.itemops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class AttachmentWindowTest {
    /** Ten chunks of ten bytes, byte i holding i; counts the chunks read. */
    private static Flux<byte[]> chunks(AtomicInteger read) {
        return Flux.range(0, 10).map(c -> {
            read.incrementAndGet();
            byte[] chunk = new byte[10];
            for (int i = 0; i < 10; i++) {
                chunk[i] = (byte) (c * 10 + i);
            }
            return chunk;
        });
    }

    private static byte[] bytes(int from, int to) {
        byte[] out = new byte[to - from + 1];
        IntStream.rangeClosed(from, to).forEach(i -> out[i - from] = (byte) i);
        return out;
    }

    @Test
    void aWindowAcrossChunksReadsOnlyUpToItsEnd() {
        AtomicInteger read = new AtomicInteger();
        assertThat(ItemOperationsHandler.window(chunks(read), 5, 14).block()).isEqualTo(bytes(5, 14));
        assertThat(read.get()).isEqualTo(2);
    }

    @Test
    void windowsOnChunkEdgesAndAtTheEnd() {
        AtomicInteger read = new AtomicInteger();
        assertThat(ItemOperationsHandler.window(chunks(read), 0, 9).block()).isEqualTo(bytes(0, 9));
        assertThat(read.get()).isEqualTo(1);
        assertThat(ItemOperationsHandler.window(chunks(new AtomicInteger()), 90, 99).block())
                .isEqualTo(bytes(90, 99));
        assertThat(ItemOperationsHandler.window(chunks(new AtomicInteger()), 42, 42).block())
                .isEqualTo(bytes(42, 42));
        assertThat(ItemOperationsHandler.window(chunks(new AtomicInteger()), 95, 500).block())
                .isEqualTo(bytes(95, 99));
    }
}
