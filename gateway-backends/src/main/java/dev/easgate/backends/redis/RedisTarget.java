package dev.easgate.backends.redis;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the Redis backends connect: the value of the gateway's {@code --redis} option.
 *
 * <ul>
 *   <li>{@code redis://host:port} (or {@code rediss://}, with Lettuce's usual password, database and timeout
 *       syntax): one Redis server</li>
 *   <li>{@code redis-cluster://host1:port1,host2:port2,...}: seed nodes of a Redis Cluster ({@code
 *       redis-cluster://user:password@h1:p1,...} for authentication; {@code rediss-cluster://} for TLS)</li>
 * </ul>
 */
public sealed interface RedisTarget permits RedisTarget.Standalone, RedisTarget.Cluster {

    /** One Redis server. */
    record Standalone(RedisURI uri) implements RedisTarget {
        public Standalone {
            Objects.requireNonNull(uri, "uri");
        }
    }

    /** A Redis Cluster, reached through any of its seed nodes. */
    record Cluster(List<RedisURI> seeds) implements RedisTarget {
        public Cluster {
            seeds = List.copyOf(seeds);
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("a Redis Cluster needs at least one seed node");
            }
        }
    }

    /** Parses a {@code --redis} value; throws {@link IllegalArgumentException} naming what is wrong. */
    static RedisTarget parse(String option) {
        String value = option.strip();
        int schemeEnd = value.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("--redis must look like redis://host:port or "
                    + "redis-cluster://host1:port1,host2:port2: " + option);
        }
        String scheme = value.substring(0, schemeEnd);
        String rest = value.substring(schemeEnd + 3);
        switch (scheme) {
            case "redis", "rediss" -> {
                return new Standalone(uri(scheme + "://" + rest, option));
            }
            case "redis-cluster", "rediss-cluster" -> {
                String nodeScheme = scheme.startsWith("rediss") ? "rediss" : "redis";
                String credentials = "";
                int at = rest.lastIndexOf('@');
                if (at >= 0) {
                    credentials = rest.substring(0, at + 1);
                    rest = rest.substring(at + 1);
                }
                String options = "";
                int slash = rest.indexOf('/');
                int query = rest.indexOf('?');
                int cut = slash >= 0 ? slash : query;
                if (cut >= 0) {
                    options = rest.substring(cut);
                    rest = rest.substring(0, cut);
                }
                List<RedisURI> seeds = new ArrayList<>();
                for (String node : rest.split(",")) {
                    if (!node.isBlank()) {
                        seeds.add(uri(nodeScheme + "://" + credentials + node.strip() + options, option));
                    }
                }
                return new Cluster(seeds);
            }
            default -> throw new IllegalArgumentException("--redis: unknown scheme " + scheme
                    + " (redis, rediss, redis-cluster, rediss-cluster): " + option);
        }
    }

    private static RedisURI uri(String text, String option) {
        try {
            RedisURI uri = RedisURI.create(text);
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("no host");
            }
            return uri;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--redis: cannot parse " + option + ": " + e.getMessage(), e);
        }
    }
}
