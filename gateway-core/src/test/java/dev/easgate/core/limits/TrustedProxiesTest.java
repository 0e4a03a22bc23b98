package dev.easgate.core.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("10.1.2.3", 40000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("192.0.2.1", 40000);

    @Test
    void headersCountOnlyFromTrustedPeers() {
        TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, ::1");
        assertThat(proxies.clientAddress(PROXY, null, "203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(proxies.clientAddress(STRANGER, null, "203.0.113.5")).isEqualTo("192.0.2.1");
        assertThat(TrustedProxies.NONE.clientAddress(PROXY, null, "203.0.113.5")).isEqualTo("10.1.2.3");
    }

    @Test
    void readsRightToLeftSkippingTrustedHops() {
        TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8");
        // a client that forges the header: the forged entry is left of the address the proxy appended
        assertThat(proxies.clientAddress(PROXY, null, "1.1.1.1, 203.0.113.5, 10.0.0.7")).isEqualTo("203.0.113.5");
        assertThat(proxies.clientAddress(PROXY,
                "for=1.1.1.1, for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.9", null)).isEqualTo("2001:db8::1");
        assertThat(proxies.clientAddress(PROXY, "for=203.0.113.9:1234", "1.2.3.4")).isEqualTo("203.0.113.9");
    }

    @Test
    void refusesHostNamesAndBadRanges() {
        assertThatThrownBy(() -> TrustedProxies.parse("proxy.example.com")).hasMessageContaining("proxy.trusted");
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("prefix");
        assertThat(TrustedProxies.parse("").trusted("127.0.0.1")).isFalse();
        assertThat(TrustedProxies.parse("192.168.0.0/16").trusted("192.168.200.1")).isTrue();
        assertThat(TrustedProxies.parse("192.168.0.0/16").trusted("192.169.0.1")).isFalse();
    }
}
