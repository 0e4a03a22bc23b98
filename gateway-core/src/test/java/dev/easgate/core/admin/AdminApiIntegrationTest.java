package dev.easgate.core.admin;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** The admin contract on the embedded (memory) state store. */
class AdminApiIntegrationTest extends AdminApiContract {
    @BeforeAll
    static void start() {
        startGateway(Map.of());
    }
}
