package dev.easgate.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisMemoryTest {
    @Test
    void readsUsedMemoryFromInfo() {
        String info = "# Memory\r\nused_memory:1234567\r\nused_memory_human:1.18M\r\nused_memory_rss:9000000\r\n";
        assertThat(RedisMemory.usedMemory(info)).isEqualTo(1234567);
        assertThat(RedisMemory.usedMemory("# Memory\r\n")).isEqualTo(-1);
    }

    @Test
    void noRedisIsUnknownNotAnError() throws Exception {
        assertThat(RedisMemory.usedMemory(0)).isEqualTo(-1);
        assertThat(RedisMemory.usedMemory(LocalCluster.freePort())).isEqualTo(-1);
    }
}
