package dev.easgate.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class LoopbackTest {

    @Test
    void onlyLoopbackTargetsAreLoopback() {
        assertThat(Loopback.isLoopback(URI.create("http://127.0.0.1:8080"))).isTrue();
        assertThat(Loopback.isLoopback(URI.create("http://127.3.2.1:8080"))).isTrue();
        assertThat(Loopback.isLoopback(URI.create("http://localhost:8080"))).isTrue();
        assertThat(Loopback.isLoopback(URI.create("http://[::1]:8080"))).isTrue();
        assertThat(Loopback.isLoopback(URI.create("http://10.0.0.1:8080"))).isFalse();
        assertThat(Loopback.isLoopback(URI.create("http://192.168.1.1"))).isFalse();
        assertThat(Loopback.isLoopback(URI.create("http://host.invalid"))).isFalse();
    }

    @Test
    void sourceAddressesStayInside127Slash8() {
        assertThat(Loopback.sourceAddresses(2, 3)).containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4");
        assertThat(Loopback.sourceAddresses(255, 2)).containsExactly("127.0.0.255", "127.0.1.0");
    }

    @Test
    void readsTheGatewayMetrics() {
        GatewayMetrics.Snapshot snapshot = GatewayMetrics.parse("""
                # HELP jvm_memory_used_bytes used
                jvm_memory_used_bytes{area="heap",id="Tenured Gen"} 1.5E7
                jvm_memory_used_bytes{area="heap",id="Eden Space"} 5000000.0
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.0E7
                easgate_parked_requests{command="Ping"} 18000.0
                easgate_parked_requests{command="Sync"} 3.0
                # TYPE easgate_jvm_allocated_bytes_total counter
                easgate_jvm_allocated_bytes_total 1.23456789E9
                """);
        assertThat(snapshot.heapUsedBytes()).isEqualTo(20_000_000L);
        assertThat(snapshot.parkedPings()).isEqualTo(18_000L);
        assertThat(snapshot.allocatedBytes()).isEqualTo(1_234_567_890L);
        assertThat(GatewayMetrics.parse("other 1").allocatedBytes()).isEqualTo(-1L);
        assertThat(GatewayMetrics.parse("other 1").present()).isFalse();
        assertThat(ProcessMemory.parseKilobytes("   123456 kB")).isEqualTo(123456L);
        assertThat(ProcessMemory.rssBytes(ProcessHandle.current().pid())).isPositive();
    }
}
