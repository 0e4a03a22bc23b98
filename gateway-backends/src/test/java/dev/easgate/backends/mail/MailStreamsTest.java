package dev.easgate.backends.mail;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.util.StreamProvider;
import java.io.IOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With the property named, Jakarta Mail finds its stream provider without searching the class path each time. */
class MailStreamsTest {
    private final String before = System.getProperty(MailStreams.PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(MailStreams.PROPERTY);
        } else {
            System.setProperty(MailStreams.PROPERTY, before);
        }
    }

    /** Service file lookups made through the thread's context class loader while {@code action} runs. */
    private static int serviceLookups(Runnable action) {
        AtomicInteger lookups = new AtomicInteger();
        ClassLoader counting = new ClassLoader(MailStreamsTest.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                if (name.startsWith("META-INF/services/")) {
                    lookups.incrementAndGet();
                }
                return super.getResources(name);
            }
        };
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(counting);
        try {
            action.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
        return lookups.get();
    }

    @Test
    void namingAngusSkipsTheServiceLoaderOnEveryLookup() {
        System.clearProperty(MailStreams.PROPERTY);
        assertThat(serviceLookups(StreamProvider::provider)).as("without the property: a class path search")
                .isPositive();

        MailStreams.useAngus();
        assertThat(System.getProperty(MailStreams.PROPERTY)).isEqualTo(MailStreams.ANGUS);
        assertThat(serviceLookups(() -> {
            for (int i = 0; i < 100; i++) {
                assertThat(StreamProvider.provider().getClass().getName()).isEqualTo(MailStreams.ANGUS);
            }
        })).isZero();
    }

    @Test
    void anOperatorsChoiceIsKept() {
        System.setProperty(MailStreams.PROPERTY, "com.example.OtherProvider");
        MailStreams.useAngus();
        assertThat(System.getProperty(MailStreams.PROPERTY)).isEqualTo("com.example.OtherProvider");
    }
}
