package dev.easgate.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.config.GatewayConfig;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped proxy configurations hold what a parked Ping needs (timeouts above heartbeat.max, streaming, HTTP/1.1
 * keep-alive, bodies up to request.max-bytes, forwarded addresses, readiness checks, several nodes), and README
 * shows them exactly as shipped.
 */
class ProxyConfigTest {
    private static final GatewayConfig DEFAULTS = GatewayConfig.DEFAULT;

    @Test
    void nginxWaitsLongerThanTheLongestHeartbeatAndStreams() {
        String conf = ProxyConfigs.read(ProxyConfigs.NGINX);
        long heartbeatMax = DEFAULTS.heartbeatMax().toSeconds();
        assertThat(ProxyConfigs.seconds(ProxyConfigs.directive(conf, "proxy_read_timeout"))).isGreaterThan(heartbeatMax);
        assertThat(ProxyConfigs.seconds(ProxyConfigs.directive(conf, "proxy_send_timeout"))).isGreaterThan(heartbeatMax);
        assertThat(ProxyConfigs.bytes(ProxyConfigs.directive(conf, "client_max_body_size")))
                .isGreaterThanOrEqualTo(DEFAULTS.maxRequestBytes());
        assertThat(ProxyConfigs.directive(conf, "proxy_buffering")).isEqualTo("off");
        assertThat(ProxyConfigs.directive(conf, "proxy_request_buffering")).isEqualTo("off");
        assertThat(ProxyConfigs.directive(conf, "proxy_http_version")).isEqualTo("1.1");
        assertThat(ProxyConfigs.directive(conf, "keepalive")).matches("\\d+");
        assertThat(conf).contains("proxy_set_header Connection \"\";",
                "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                "proxy_set_header X-Forwarded-Proto $scheme;", "proxy_set_header Forwarded \"\";",
                "health_check uri=/readyz");
        assertThat(Pattern.compile("(?m)^    server \\S+:\\d+ ").matcher(conf).results().count()).isGreaterThan(1);
        // /metrics and the push webhook are not published
        assertThat(conf).doesNotContain("location /").contains("location ~* ^/(Microsoft-Server-ActiveSync|autodiscover/)");
    }

    @Test
    void haproxyWaitsLongerThanTheLongestHeartbeatAndChecksReadiness() {
        String cfg = ProxyConfigs.read(ProxyConfigs.HAPROXY);
        long heartbeatMax = DEFAULTS.heartbeatMax().toSeconds();
        assertThat(ProxyConfigs.seconds(ProxyConfigs.directive(cfg, "timeout client"))).isGreaterThan(heartbeatMax);
        assertThat(ProxyConfigs.seconds(ProxyConfigs.directive(cfg, "timeout server"))).isGreaterThan(heartbeatMax);
        assertThat(ProxyConfigs.directive(cfg, "http-check send")).isEqualTo("meth GET uri /readyz");
        assertThat(ProxyConfigs.directive(cfg, "http-check expect")).isEqualTo("status 200");
        assertThat(cfg).contains("option forwardfor", "http-request del-header Forwarded", "option httpchk")
                .doesNotContainPattern("(?m)^\\s*option http-buffer-request");
        assertThat(Pattern.compile("(?m)^    server node\\d ").matcher(cfg).results().count()).isGreaterThan(1);
    }

    @Test
    void readmeShowsTheShippedFilesVerbatim() {
        String readme = ProxyConfigs.read(ProxyConfigs.ROOT.resolve("README.md"));
        assertThat(readme).as("README's nginx block is packaging/nginx/easgate.conf")
                .contains("```nginx\n" + ProxyConfigs.read(ProxyConfigs.NGINX) + "```\n");
        assertThat(readme).as("README's HAProxy block is packaging/haproxy/easgate.cfg")
                .contains("```haproxy\n" + ProxyConfigs.read(ProxyConfigs.HAPROXY) + "```\n");
    }

    @Test
    void theTestTemplatesChangeOnlyAddresses() {
        String shipped = ProxyConfigs.read(ProxyConfigs.NGINX);
        String templated = ProxyConfigs.nginx(18080, java.util.List.of(18081, 18082));
        assertThat(templated).contains("listen 127.0.0.1:18080;", "server 127.0.0.1:18081 max_fails=1",
                "server 127.0.0.1:18082 max_fails=1").doesNotContain("ssl_certificate");
        // every other line is the shipped one
        assertThat(shipped.lines().filter(l -> !l.contains("listen") && !l.contains("ssl_certificate")
                && !l.matches("    server .*"))).allMatch(templated::contains);
        assertThat(Path.of(ProxyConfigs.HAPROXY.toString())).exists();
        assertThat(ProxyConfigs.haproxy(18080, java.util.List.of(18081, 18082)))
                .contains("bind 127.0.0.1:18080\n", "server node1 127.0.0.1:18081\n", "server node2 127.0.0.1:18082\n");
    }
}
