package dev.easgate.core.logging;

import static dev.easgate.wbxml.WbxmlElement.el;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.core.testing.LogCapture;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Every line logged while serving an EAS request carries the request's user, device and command in its MDC, on
 * whatever thread it is written (the event loop, a store's thread, a delayed login, the thread of another request
 * that wakes a parked Ping), and nothing of it stays on a thread after.
 */
class RequestMdcTest {
    private static final Logger LOG = LoggerFactory.getLogger(RequestMdcTest.class);
    private static final Pattern USER = Pattern.compile("user=([^ ,:]+)");
    private static final Pattern DEVICE = Pattern.compile("device=([^ ,:]+)");

    @Test
    void aTaskTakesTheTagsOfTheThreadThatScheduledItAndOnlyThose() throws Exception {
        RequestMdc.install();
        String outside = Mono.fromCallable(() -> String.valueOf(MDC.get(RequestMdc.USER)))
                .subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(5));
        assertThat(outside).isEqualTo("null");
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (RequestMdc.Scope scope = RequestMdc.open("dave", "dev-2", "Ping")) {
            Schedulers.parallel().schedule(() -> seen.complete(MDC.get(RequestMdc.USER) + "/"
                    + MDC.get(RequestMdc.COMMAND)));
        }
        assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("dave/Ping");
        assertThat(MDC.get(RequestMdc.USER)).isNull();
    }

    @Test
    void aSignalFromAnotherRequestsThreadCarriesItsOwnRequestsTags() throws Exception {
        RequestMdc.install();
        try (LogCapture logs = LogCapture.of(RequestMdcTest.class.getName())) {
            CompletableFuture<String> elsewhere = new CompletableFuture<>();
            Mono<String> waiting = RequestMdc.restoring(Mono.fromFuture(elsewhere))
                    .doOnNext(v -> LOG.info("woken by another request"))
                    .contextWrite(c -> RequestMdc.with(c, "erin", "dev-3", "Sync"));
            CompletableFuture<String> result = waiting.toFuture();
            // another request's code completes it on its own thread, with its own tags set
            try (RequestMdc.Scope other = RequestMdc.open("frank", "dev-4", "SendMail")) {
                elsewhere.complete("x");
                assertThat(MDC.get(RequestMdc.USER)).isEqualTo("frank");
            }
            assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("x");
            assertThat(logs.events()).singleElement().satisfies(e -> assertThat(e.getMDCPropertyMap())
                    .containsEntry(RequestMdc.USER, "erin").containsEntry(RequestMdc.DEVICE, "dev-3"));
        }
        assertThat(MDC.get(RequestMdc.USER)).isNull();
    }

    @Test
    void theTagsFollowAChainAcrossThreadHopsAndDoNotLeak() throws Exception {
        RequestMdc.install();
        try (LogCapture logs = LogCapture.of(RequestMdcTest.class.getName())) {
            CompletableFuture<String> elsewhere = new CompletableFuture<>();
            String result = Mono.fromRunnable(() -> LOG.info("on subscribe"))
                    // a future completed on a thread that runs no request: its signal gets the tags back
                    .then(RequestMdc.restoring(Mono.fromFuture(elsewhere)))
                    .doOnNext(v -> LOG.info("after a future completed on another thread"))
                    .delayElement(Duration.ofMillis(5))
                    .doOnNext(v -> LOG.info("after a delay"))
                    .publishOn(Schedulers.boundedElastic())
                    .doOnNext(v -> LOG.info("on a worker"))
                    .transform(RequestMdc::restoring)
                    .contextWrite(c -> RequestMdc.with(c, "carol", "dev-1", "Sync"))
                    .doOnSubscribe(s -> Schedulers.single().schedule(() -> elsewhere.complete("x"), 5,
                            TimeUnit.MILLISECONDS))
                    .block(Duration.ofSeconds(5));
            assertThat(result).isEqualTo("x");
            assertThat(logs.events()).hasSize(4).allSatisfy(e -> assertThat(e.getMDCPropertyMap())
                    .containsEntry(RequestMdc.USER, "carol").containsEntry(RequestMdc.DEVICE, "dev-1")
                    .containsEntry(RequestMdc.COMMAND, "Sync"));
        }
        assertThat(MDC.get(RequestMdc.USER)).isNull();
        // the threads that ran the chain keep nothing of it
        for (var scheduler : List.of(Schedulers.parallel(), Schedulers.boundedElastic(), Schedulers.single())) {
            String left = Mono.fromCallable(() -> String.valueOf(MDC.get(RequestMdc.USER)))
                    .subscribeOn(scheduler).block(Duration.ofSeconds(5));
            assertThat(left).isEqualTo("null");
        }
    }

    @Test
    void everyLineOfAnEasFlowCarriesItsUserDeviceAndCommandAlsoAsJson() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.DEBUG);
        List<ILoggingEvent> events;
        try (GatewayTestServer server = GatewayTestServer.start(Map.of("heartbeat.min", "1"))) {
            EasTestClient phone = server.client("alice", "mdc-phone");
            EasTestClient tablet = server.client("alice", "mdc-tablet");
            try (LogCapture logs = LogCapture.root()) {
                assertThat(phone.provision().status()).isEqualTo(200);
                assertThat(tablet.provision().status()).isEqualTo(200);
                WbxmlElement folders = phone.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                        .child("SyncKey", "0").build()).body();
                String inbox = null;
                String root0 = null;
                for (WbxmlElement add : folders.child("Changes").children("Add")) {
                    if ("2".equals(add.childText("Type"))) {
                        inbox = add.childText("ServerId");
                        root0 = add.childText("ParentId");
                    }
                }
                String hierarchyKey = folders.childText("SyncKey");
                // a sync the handler refuses (unknown collection), and a Ping status 5 (heartbeat too long)
                assertThat(phone.post("Sync", el(CodePage.AIR_SYNC, "Sync").child("Collections", cs -> cs
                        .child("Collection", c -> c.child("SyncKey", "0").child("CollectionId", "no-such")))
                        .build()).status()).isEqualTo(200);
                assertThat(phone.post("Ping", ping(inbox, 99_999)).status()).isEqualTo(200);
                // a parked Ping woken by a folder created from the tablet: it logs on the tablet request's thread
                String folder = inbox;
                server.markSynced("alice", "mdc-phone", folder); // the Ping parks rather than answering at once
                CompletableFuture<EasTestClient.Response> parked = CompletableFuture.supplyAsync(
                        () -> phone.post("Ping", ping(folder, 300)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (server.gateway().services().heartbeat().parked() != 1) {
                    assertThat(System.nanoTime()).as("parked").isLessThan(deadline);
                    Thread.sleep(5);
                }
                String tabletKey = tablet.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                        .child("SyncKey", "0").build()).body().childText("SyncKey");
                assertThat(tablet.post("FolderCreate", el(CodePage.FOLDER_HIERARCHY, "FolderCreate")
                        .child("SyncKey", tabletKey).child("ParentId", root0 == null ? "0" : root0)
                        .child("DisplayName", "Woken").child("Type", 12).build()).status()).isEqualTo(200);
                assertThat(parked.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
                // wrong passwords: the fourth is delayed by the login throttle (a timer thread) before its 401
                EasTestClient wrong = server.client("alice", "wrong", "mdc-phone");
                for (int i = 0; i < 4; i++) {
                    assertThat(wrong.post("FolderSync", el(CodePage.FOLDER_HIERARCHY, "FolderSync")
                            .child("SyncKey", "0").build()).status()).isEqualTo(401);
                }
                events = logs.events();
            }
        } finally {
            root.setLevel(level);
        }
        List<ILoggingEvent> served = events.stream()
                .filter(e -> e.getLoggerName().startsWith("dev.easgate.core.http")
                        || e.getLoggerName().startsWith("dev.easgate.core.command")
                        || e.getLoggerName().startsWith("dev.easgate.backends"))
                .toList();
        assertThat(served).as("the flow logged at the front and in the handlers")
                .anyMatch(e -> e.getLoggerName().endsWith("EasEndpoint"))
                .anyMatch(e -> e.getLoggerName().endsWith("CollectionSync"))
                .anyMatch(e -> e.getFormattedMessage().contains("Ping status 5"))
                .anyMatch(e -> e.getFormattedMessage().contains("unparked"))
                .anyMatch(e -> e.getFormattedMessage().contains("401"));
        for (ILoggingEvent e : served) {
            Map<String, String> mdc = e.getMDCPropertyMap();
            String line = e.getLoggerName() + " [" + e.getThreadName() + "] " + e.getFormattedMessage() + " " + mdc;
            assertThat(mdc).as(line).containsKeys(RequestMdc.USER, RequestMdc.DEVICE, RequestMdc.COMMAND);
            Matcher user = USER.matcher(e.getFormattedMessage());
            if (user.find()) {
                assertThat(mdc.get(RequestMdc.USER)).as(line).isEqualTo(user.group(1));
            }
            Matcher device = DEVICE.matcher(e.getFormattedMessage());
            if (device.find()) {
                assertThat(mdc.get(RequestMdc.DEVICE)).as(line).isEqualTo(device.group(1));
            }
            if (e.getFormattedMessage().startsWith("Ping")) {
                assertThat(mdc).as(line).containsEntry(RequestMdc.COMMAND, "Ping")
                        .containsEntry(RequestMdc.DEVICE, "mdc-phone");
            }
        }
        // the human line and the JSON line show them
        ILoggingEvent woken = served.stream().filter(e -> e.getFormattedMessage().contains("unparked"))
                .findFirst().orElseThrow();
        assertThat(new RequestTagsConverter().convert(woken)).isEqualTo("[alice/mdc-phone Ping] ");
        Encoder<ILoggingEvent> json = LogSetup.json((LoggerContext) LoggerFactory.getILoggerFactory());
        String jsonLine = new String(json.encode(woken), StandardCharsets.UTF_8);
        assertThat(jsonLine.replace(" ", "")).contains("\"user\":\"alice\"", "\"device\":\"mdc-phone\"",
                "\"command\":\"Ping\"");
    }

    private static WbxmlElement ping(String folderId, int heartbeat) {
        return el(CodePage.PING, "Ping").child("HeartbeatInterval", heartbeat)
                .child("Folders", f -> f.child("Folder", x -> x.child("Id", folderId).child("Class", "Email")))
                .build();
    }
}
