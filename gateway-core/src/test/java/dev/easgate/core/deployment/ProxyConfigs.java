package dev.easgate.core.deployment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped reverse-proxy configurations (packaging/nginx, packaging/haproxy), read as they are and turned into
 * test configurations by changing only addresses: the listen address and the upstream nodes (and, for a test
 * without certificates, TLS off; HAProxy logs to stderr and sizes for 1000 connections). Each change must match, so a reworded shipped file fails the test instead of
 * being tested half-templated.
 */
final class ProxyConfigs {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path NGINX = ROOT.resolve("packaging/nginx/easgate.conf");
    static final Path HAPROXY = ROOT.resolve("packaging/haproxy/easgate.cfg");

    private ProxyConfigs() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shipped nginx file listening on {@code 127.0.0.1:listen}, plain HTTP, its upstream = {@code nodes}. */
    static String nginx(int listen, List<Integer> nodes) {
        String text = read(NGINX);
        text = replaceOnce(text, "(?m)^    listen 443 ssl;$", "    listen 127.0.0.1:" + listen + ";");
        text = replaceEach(text, "(?m)^    ssl_certificate(_key)? .*\\n", List.of("", ""));
        return replaceEach(text, "(?m)^(    server )\\S+:\\d+( .*;)$",
                nodes.stream().map(port -> "$1127.0.0.1:" + port + "$2").toList());
    }

    /** The shipped HAProxy file on {@code 127.0.0.1:listen}, plain HTTP, its backend = {@code nodes}. */
    static String haproxy(int listen, List<Integer> nodes) {
        String text = read(HAPROXY);
        text = replaceOnce(text, "(?m)^    bind :443 ssl .*$", "    bind 127.0.0.1:" + listen);
        // no syslog socket in a test: log to stderr, which the test keeps
        text = replaceOnce(text, "(?m)^    log /dev/log local0$", "    log stderr format raw local0");
        // a test holds a few connections: no need to raise the file descriptor limit for 50000
        text = replaceOnce(text, "(?m)^    maxconn \\d+$", "    maxconn 1000");
        return replaceEach(text, "(?m)^(    server node\\d )\\S+:\\d+$",
                nodes.stream().map(port -> "$1127.0.0.1:" + port).toList());
    }

    private static String replaceOnce(String text, String regex, String replacement) {
        return replaceEach(text, regex, List.of(replacement));
    }

    /** Replaces the n-th match with the n-th replacement; exactly as many matches as replacements. */
    private static String replaceEach(String text, String regex, List<String> replacements) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        StringBuilder out = new StringBuilder();
        int n = 0;
        while (matcher.find()) {
            if (n >= replacements.size()) {
                throw new IllegalStateException("more than " + replacements.size() + " matches of " + regex);
            }
            matcher.appendReplacement(out, replacements.get(n++));
        }
        if (n != replacements.size()) {
            throw new IllegalStateException(n + " matches of " + regex + ", expected " + replacements.size());
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** The value of the first {@code directive value;} (nginx) or {@code directive value} (HAProxy) line. */
    static String directive(String text, String directive) {
        Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(directive) + "\\s+([^;\\n]+);?\\s*$")
                .matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("no " + directive + " in the configuration");
        }
        return matcher.group(1).strip();
    }

    /** nginx/HAProxy time ("3600s", "60m", "1h", "90") in seconds. */
    static long seconds(String value) {
        Matcher matcher = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(value.strip());
        if (!matcher.matches()) {
            throw new AssertionError("not a time: " + value);
        }
        long n = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> n / 1000;
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "d" -> n * 86400;
            default -> n;
        };
    }

    /** nginx size ("33m", "1g", "512k", "1024") in bytes. */
    static long bytes(String value) {
        Matcher matcher = Pattern.compile("(\\d+)([kKmMgG])?").matcher(value.strip());
        if (!matcher.matches()) {
            throw new AssertionError("not a size: " + value);
        }
        long n = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "" : matcher.group(2).toLowerCase();
        return switch (unit) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }
}
