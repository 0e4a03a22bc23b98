package dev.easgate.core.autodiscover;

import dev.easgate.core.config.ConfigOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Options of Autodiscover. */
public final class AutodiscoverOptions {
    public static final ConfigOption PUBLIC_URL = new ConfigOption("public.url", "",
            "the EAS URL phones should use, as Autodiscover answers it, e.g. "
                    + "https://eas.example.net/Microsoft-Server-ActiveSync; empty: https:// + the request's Host "
                    + "header + /Microsoft-Server-ActiveSync, for the Host names listed in autodiscover.hosts only");
    public static final ConfigOption HOSTS = new ConfigOption("autodiscover.hosts", "",
            "while public.url is empty, the Host header values Autodiscover may reflect into the URL it answers "
                    + "(comma list, e.g. eas.example.net,eas.example.org:8443; a name without a port matches any "
                    + "port); any other Host gets Autodiscover's error answer. Empty: every Host gets it");

    public static final List<ConfigOption> ALL = List.of(PUBLIC_URL, HOSTS);

    /** The configured Host names (lower case), none when the option is empty. */
    public static List<String> hosts(String list) {
        List<String> hosts = new ArrayList<>();
        for (String part : list.split(",")) {
            String host = part.strip().toLowerCase(Locale.ROOT);
            if (!host.isEmpty()) {
                hosts.add(host);
            }
        }
        return List.copyOf(hosts);
    }

    private AutodiscoverOptions() {
    }
}
