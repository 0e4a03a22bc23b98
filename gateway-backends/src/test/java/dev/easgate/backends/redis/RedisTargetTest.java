package dev.easgate.backends.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

class RedisTargetTest {

    @Test
    void aRedisUriIsOneServer() {
        RedisTarget target = RedisTarget.parse("redis://cache.example:6380");
        assertThat(target).isInstanceOf(RedisTarget.Standalone.class);
        RedisURI uri = ((RedisTarget.Standalone) target).uri();
        assertThat(uri.getHost()).isEqualTo("cache.example");
        assertThat(uri.getPort()).isEqualTo(6380);
    }

    @Test
    void aClusterUriListsSeedNodesSharingCredentials() {
        RedisTarget target = RedisTarget.parse("redis-cluster://user:secret@h1:7000, h2:7001,h3:7002");
        assertThat(target).isInstanceOf(RedisTarget.Cluster.class);
        var seeds = ((RedisTarget.Cluster) target).seeds();
        assertThat(seeds).extracting(RedisURI::getHost).containsExactly("h1", "h2", "h3");
        assertThat(seeds).extracting(RedisURI::getPort).containsExactly(7000, 7001, 7002);
        assertThat(seeds).allSatisfy(seed -> assertThat(seed.toString()).doesNotContain("secret"));
        assertThat(seeds).allSatisfy(seed -> assertThat(seed.getCredentialsProvider()).isNotNull());
    }

    @Test
    void nonsenseIsRefusedWithTheReason() {
        assertThatThrownBy(() -> RedisTarget.parse("localhost:6379")).hasMessageContaining("redis://host:port");
        assertThatThrownBy(() -> RedisTarget.parse("http://x")).hasMessageContaining("unknown scheme");
        assertThatThrownBy(() -> RedisTarget.parse("redis-cluster://")).hasMessageContaining("seed");
    }
}
