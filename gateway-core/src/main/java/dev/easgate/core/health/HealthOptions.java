package dev.easgate.core.health;

import dev.easgate.core.config.ConfigOption;
import java.util.List;

/** Options of the health endpoints and the drain that flips readiness. */
public final class HealthOptions {
    /**
     * 5 s: a balancer polling /readyz every 2 s that needs two failures (the shipped HAProxy configuration) has
     * taken the node out by then, and 5 s + shutdown.grace (30 s) stays inside the systemd unit's 45 s stop timeout.
     */
    public static final ConfigOption READY_DELAY = new ConfigOption("shutdown.ready-delay", "5",
            "seconds a stopping node answers /readyz with 503 before it answers its parked requests, so a load "
                    + "balancer polling /readyz stops sending first (skipped when nothing is parked); 0: at once");

    public static final List<ConfigOption> ALL = List.of(READY_DELAY);

    private HealthOptions() {
    }
}
