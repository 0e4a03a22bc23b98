package dev.easgate.core.server;

import dev.easgate.core.config.ConfigLoader;
import dev.easgate.core.config.GatewayConfig;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** Runs the gateway: {@code java -jar gateway-core.jar [--port=8080] [--config=FILE] ...}; {@code --help} lists options. */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(ConfigLoader.help());
            return;
        }
        GatewayConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (ConfigLoader.ConfigException e) {
            System.err.println("easgate: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        Gateway gateway;
        try {
            dev.easgate.core.logging.LogSetup.apply(config);
            gateway = Gateway.start(config);
        } catch (RuntimeException e) {
            System.err.println("easgate: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "easgate-shutdown"));
        stopped.await();
    }
}
