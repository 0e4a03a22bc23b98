package dev.easgate.core.autodiscover;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of Autodiscover. */
public final class AutodiscoverOptions {
    public static final ConfigOption PUBLIC_URL = new ConfigOption("public.url", "",
            "the EAS URL phones should use, as Autodiscover answers it, e.g. "
                    + "https://eas.example.net/Microsoft-Server-ActiveSync; empty: https:// + the request's Host "
                    + "header + /Microsoft-Server-ActiveSync");

    public static final List<ConfigOption> ALL = List.of(PUBLIC_URL);

    private AutodiscoverOptions() {
    }
}
