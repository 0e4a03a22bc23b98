package dev.easgate.core.admin;

import dev.easgate.backends.bus.BusEvent;
import dev.easgate.backends.bus.ChangeBus;
import dev.easgate.backends.state.DeviceKey;
import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.backends.state.DeviceRecord.WipeState;
import dev.easgate.backends.state.StateStore;
import dev.easgate.backends.logging.LogText;
import dev.easgate.core.limits.LoginThrottle;
import dev.easgate.core.logging.DeviceDebug;
import dev.easgate.core.loop.LoopGuard;
import dev.easgate.core.loop.LoopRecord;
import dev.easgate.core.policy.DevicePolicy;
import dev.easgate.core.policy.PolicyResolver;
import dev.easgate.core.policy.PolicySet;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The admin HTTP API: a separate listener (admin.bind, loopback by default; admin.port) answering JSON to requests
 * carrying {@code Authorization: Bearer <admin.token>}. Every action is written to the audit log.
 *
 * <pre>
 * GET    /admin/v1/users/{user}/devices                         the user's devices
 * GET    /admin/v1/users/{user}/devices/{device}                one device
 * POST   /admin/v1/users/{user}/devices/{device}/wipe           remote wipe on the next Provision (MS-ASPROV)
 * POST   /admin/v1/users/{user}/devices/{device}/account-wipe   account-only remote wipe (16.1 clients)
 * POST   /admin/v1/users/{user}/devices/{device}/resync[?folder=ID]  forget sync state: all, or one folder
 * POST   /admin/v1/users/{user}/devices/{device}/block          block this device
 * DELETE /admin/v1/users/{user}/devices/{device}                remove the device and its state
 * GET    /admin/v1/blocks                                       the block list
 * POST   /admin/v1/blocks   {"kind":"device-type|user-agent|device","value":"..."}
 * DELETE /admin/v1/blocks?kind=...&amp;value=...
 * GET    /admin/v1/debug                                        per-device debug switches
 * POST   /admin/v1/debug    {"user":"u","device":"id or empty","content":false,"minutes":60}
 * DELETE /admin/v1/debug?user=u[&amp;device=id]
 * POST   /admin/v1/users/{user}/devices/{device}/clear-loop     lift the loop flag, give set-aside items back
 * GET    /admin/v1/policies                                     the policy sets and their values
 * GET    /admin/v1/users/{user}/policy                          the user's assigned and effective policy set
 * PUT    /admin/v1/users/{user}/policy  {"set":"name"}          assign a set (the devices provision again)
 * DELETE /admin/v1/users/{user}/policy                          remove the assignment (LDAP or global decides)
 * </pre>
 */
public final class AdminApi {
    public static final String PREFIX = "/admin/v1";
    /** Where wrong tokens are counted, apart from failed logins of the same address. */
    static final String THROTTLE_NAMESPACE = "admin";
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final StateStore state;
    private final ChangeBus bus;
    private final BlockList blocks;
    private final DeviceDebug debug;
    private final byte[] token;
    private final Clock clock;
    private final LoginThrottle throttle;
    private final PolicyResolver policies;
    private final LoopGuard loops;

    /**
     * @param throttle counts wrong tokens per client address (namespace {@value #THROTTLE_NAMESPACE}) with the
     *                 limits of failed logins: past login.max-failures an address gets 429 until the lockout ends
     */
    public AdminApi(StateStore state, ChangeBus bus, BlockList blocks, DeviceDebug debug, String token, Clock clock,
                    LoginThrottle throttle, PolicyResolver policies, LoopGuard loops) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the admin API needs admin.token");
        }
        this.state = Objects.requireNonNull(state, "state");
        this.bus = Objects.requireNonNull(bus, "bus");
        this.blocks = Objects.requireNonNull(blocks, "blocks");
        this.debug = Objects.requireNonNull(debug, "debug");
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.loops = Objects.requireNonNull(loops, "loops");
    }

    /** Binds the API; port 0 picks a free port. */
    public DisposableServer start(String bind, int port) {
        return HttpServer.create().host(bind).port(port)
                .route(routes -> routes
                        .get(PREFIX + "/users/{user}/devices", guarded(this::list))
                        .get(PREFIX + "/users/{user}/devices/{device}", guarded(this::show))
                        .post(PREFIX + "/users/{user}/devices/{device}/wipe", guarded(r -> wipe(r, false)))
                        .post(PREFIX + "/users/{user}/devices/{device}/account-wipe", guarded(r -> wipe(r, true)))
                        .post(PREFIX + "/users/{user}/devices/{device}/resync", guarded(this::resync))
                        .post(PREFIX + "/users/{user}/devices/{device}/block", guarded(this::blockDevice))
                        .post(PREFIX + "/users/{user}/devices/{device}/clear-loop", guarded(this::clearLoop))
                        .delete(PREFIX + "/users/{user}/devices/{device}", guarded(this::remove))
                        .get(PREFIX + "/blocks", guarded(this::listBlocks))
                        .post(PREFIX + "/blocks", guarded(this::addBlock))
                        .delete(PREFIX + "/blocks", guarded(this::removeBlock))
                        .get(PREFIX + "/debug", guarded(this::listDebug))
                        .post(PREFIX + "/debug", guarded(this::enableDebug))
                        .delete(PREFIX + "/debug", guarded(this::disableDebug))
                        .get(PREFIX + "/policies", guarded(this::listPolicies))
                        .get(PREFIX + "/users/{user}/policy", guarded(this::showPolicy))
                        .put(PREFIX + "/users/{user}/policy", guarded(this::assignPolicy))
                        .delete(PREFIX + "/users/{user}/policy", guarded(this::unassignPolicy))
                        .route(r -> true, (request, response) -> json(response, 404, error("no such endpoint"))))
                .bindNow(Duration.ofSeconds(30));
    }

    /** One admin call: the request, its body text, the actor for the audit log. */
    record Call(HttpServerRequest request, String body, String actor) {
        String param(String name) {
            String raw = request.param(name);
            return raw == null ? null : QueryStringDecoder.decodeComponent(raw);
        }

        String query(String name) {
            List<String> values = new QueryStringDecoder(request.uri()).parameters().get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** An answer: HTTP status and a JSON value. */
    record Answer(int status, Object json) {
    }

    private java.util.function.BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> guarded(
            Function<Call, Mono<Answer>> action) {
        return (request, response) -> {
            String remote = request.remoteAddress() == null ? "unknown"
                    : request.remoteAddress().getAddress().getHostAddress();
            String header = request.requestHeaders().get("Authorization");
            // wrong tokens are throttled per address like failed logins: a refused address's token is not checked
            return throttle.checkAddress(THROTTLE_NAMESPACE, remote).flatMap(verdict -> {
                if (verdict.refused()) {
                    LOG.warn("admin API: 429 for {} {} from {}: too many wrong tokens", request.method(),
                            LogText.escape(request.path()), remote);
                    return response.status(429)
                            .header("Retry-After", Long.toString(Math.max(1, verdict.refusedFor().toSeconds())))
                            .header("Content-Type", "application/json")
                            .sendString(Mono.just(Json.write(error("too many wrong tokens")))).then();
                }
                Mono<Void> call = Mono.defer(() -> authorized(header) ? call(request, response, action, remote)
                        : wrongToken(request, response, remote));
                return verdict.delay().isZero() ? call : Mono.delay(verdict.delay()).then(call);
            });
        };
    }

    private Mono<Void> wrongToken(HttpServerRequest request, HttpServerResponse response, String remote) {
        return throttle.failedAddress(THROTTLE_NAMESPACE, remote).flatMap(locked -> {
            LOG.warn("admin API: 401 for {} {} from {}{}", request.method(), LogText.escape(request.path()),
                    remote, locked ? ": too many wrong tokens, the address is locked out" : "");
            return response.status(401).header("WWW-Authenticate", "Bearer realm=\"easgate-admin\"")
                    .header("Content-Type", "application/json")
                    .sendString(Mono.just(Json.write(error("missing or wrong bearer token")))).then();
        });
    }

    private Mono<Void> call(HttpServerRequest request, HttpServerResponse response,
                            Function<Call, Mono<Answer>> action, String remote) {
        String actor = "admin@" + remote;
        return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                .flatMap(body -> action.apply(new Call(request, body, actor)))
                .onErrorResume(IllegalArgumentException.class,
                        e -> Mono.just(new Answer(400, error(e.getMessage()))))
                .onErrorResume(Json.JsonException.class, e -> Mono.just(new Answer(400, error(e.getMessage()))))
                .onErrorResume(e -> {
                    LOG.error("admin API: 500 for {} {}", request.method(), LogText.escape(request.path()), e);
                    return Mono.just(new Answer(500, error(e.getClass().getSimpleName())));
                })
                .flatMap(answer -> json(response, answer.status(), answer.json()));
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    private static Mono<Void> json(HttpServerResponse response, int status, Object body) {
        return response.status(HttpResponseStatus.valueOf(status)).header("Content-Type", "application/json")
                .sendString(Mono.just(Json.write(body) + "\n")).then();
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message == null ? "error" : message);
    }

    // ---- devices ------------------------------------------------------------------------------------------------

    private Mono<Answer> list(Call call) {
        String user = call.param("user");
        return state.devices(user).sort(Comparator.comparing(d -> d.key().deviceId()))
                .concatMap(this::view).collectList()
                .map(out -> new Answer(200, Map.of("user", user, "devices", out)));
    }

    private Mono<Answer> show(Call call) {
        DeviceKey key = key(call);
        return state.device(key).flatMap(this::view).map(view -> new Answer(200, view))
                .defaultIfEmpty(new Answer(404, error("no device " + key)));
    }

    private static DeviceKey key(Call call) {
        return new DeviceKey(call.param("user"), call.param("device"));
    }

    /** What an administrator sees of a device, with the policy set it acknowledged and its loop flag. */
    Mono<Map<String, Object>> view(DeviceRecord d) {
        return policies.acknowledged(d).map(DevicePolicy::setName).map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .zipWith(loops.record(d.key()))
                .map(both -> {
                    Map<String, Object> m = record(d);
                    m.put("policySet", d.policyKey() == 0 ? null : both.getT1().orElse(PolicySet.GLOBAL));
                    LoopRecord loop = both.getT2();
                    m.put("loop", loop.reason());
                    m.put("loopSince", loop.since() == null ? null : loop.since().toString());
                    m.put("setAside", setAsideView(loop));
                    return m;
                });
    }

    private static List<Object> setAsideView(LoopRecord loop) {
        List<Object> out = new ArrayList<>();
        for (LoopRecord.SetAside item : loop.setAside()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("collectionId", item.collectionId());
            m.put("itemId", item.itemId());
            m.put("reason", item.reason());
            out.add(m);
        }
        return out;
    }

    private Mono<Answer> clearLoop(Call call) {
        DeviceKey key = key(call);
        return state.device(key)
                .flatMap(d -> loops.clear(key).flatMap(was -> kick(key).thenReturn(was)))
                .map(was -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("user", key.user());
                    m.put("deviceId", key.deviceId());
                    m.put("cleared", was.reason());
                    m.put("returned", setAsideView(was));
                    return audited(call, "clear-loop", key, new Answer(200, m),
                            (was.flagged() ? "ok" : "not-flagged") + " returned=" + was.setAside().size());
                })
                .defaultIfEmpty(audited(call, "clear-loop", key, new Answer(404, error("no device " + key)),
                        "no-device"));
    }

    private Map<String, Object> record(DeviceRecord d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", d.key().user());
        m.put("deviceId", d.key().deviceId());
        m.put("deviceType", d.deviceType());
        m.put("model", d.model());
        m.put("os", d.os());
        m.put("friendlyName", d.friendlyName());
        m.put("userAgent", d.userAgent());
        m.put("protocolVersion", d.protocolVersion());
        m.put("firstSeen", String.valueOf(d.firstSeen()));
        m.put("lastSync", d.lastSync() == null ? null : d.lastSync().toString());
        m.put("lastPing", d.lastPing() == null ? null : d.lastPing().toString());
        m.put("policy", d.policyKey() != 0 ? "provisioned" : d.pendingPolicyKey() != 0 ? "pending" : "none");
        m.put("wipe", wire(d.wipe()));
        String blocked = blocks.blocked(d.key().user(), d.key().deviceId(), d.deviceType(), d.userAgent());
        m.put("blocked", blocked);
        return m;
    }

    static String wire(WipeState wipe) {
        return wipe.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private Mono<Answer> wipe(Call call, boolean accountOnly) {
        DeviceKey key = key(call);
        String action = accountOnly ? "account-wipe" : "wipe";
        WipeState requested = accountOnly ? WipeState.ACCOUNT_WIPE_REQUESTED : WipeState.WIPE_REQUESTED;
        return state.device(key)
                .flatMap(d -> state.putDevice(d.withWipe(requested)).then(kick(key)).thenReturn(d.withWipe(requested)))
                .flatMap(this::view)
                .map(view -> audited(call, action, key, new Answer(200, view), "requested"))
                .defaultIfEmpty(audited(call, action, key, new Answer(404, error("no device " + key)), "no-device"));
    }

    private Mono<Answer> resync(Call call) {
        DeviceKey key = key(call);
        String folder = call.query("folder");
        return state.device(key)
                .flatMap(d -> (folder == null || folder.isEmpty() ? state.resetSyncState(key)
                        : state.removeCollection(key, folder)).then(kick(key))
                        .thenReturn(audited(call, folder == null || folder.isEmpty() ? "resync" : "resync-folder",
                                key, new Answer(200, Map.of("user", key.user(), "deviceId", key.deviceId(),
                                        "resync", folder == null || folder.isEmpty() ? "all" : folder)),
                                folder == null || folder.isEmpty() ? "ok" : "ok folder=" + folder)))
                .defaultIfEmpty(audited(call, "resync", key, new Answer(404, error("no device " + key)), "no-device"));
    }

    private Mono<Answer> remove(Call call) {
        DeviceKey key = key(call);
        return state.device(key)
                .flatMap(d -> state.removeDevice(key).then(kick(key))
                        .thenReturn(audited(call, "remove", key, new Answer(200, Map.of("removed", key.toString())),
                                "ok")))
                .defaultIfEmpty(audited(call, "remove", key, new Answer(404, error("no device " + key)), "no-device"));
    }

    private Mono<Answer> blockDevice(Call call) {
        DeviceKey key = key(call);
        BlockList.Entry entry = BlockList.Entry.device(key.user(), key.deviceId());
        return blocks.add(entry).flatMap(added -> kick(key).thenReturn(audited(call, "block", key,
                new Answer(200, Map.of("kind", entry.kind().wire(), "value", entry.value(), "added", added)),
                added ? "ok" : "already-blocked")));
    }

    /** Ends the device's parked Ping/Sync on whichever node holds it, so it comes back and meets the change. */
    private Mono<Void> kick(DeviceKey key) {
        return bus.publish(new BusEvent.DeviceParked(key.user(), key.deviceId(), "admin-" + UUID.randomUUID()))
                .onErrorResume(e -> {
                    LOG.warn("cannot wake user={} device={} after an admin action: {}", key.user(), key.deviceId(),
                            e.toString());
                    return Mono.empty();
                });
    }

    private static Answer audited(Call call, String action, DeviceKey key, Answer answer, String result) {
        AuditLog.record(call.actor(), action, key.user(), key.deviceId(), result);
        return answer;
    }

    // ---- block list ---------------------------------------------------------------------------------------------

    private Mono<Answer> listBlocks(Call call) {
        return blocks.refresh().map(entries -> {
            List<Object> out = new ArrayList<>();
            entries.forEach(e -> out.add(Map.of("kind", e.kind().wire(), "value", e.value())));
            return new Answer(200, Map.of("blocks", out));
        });
    }

    private Mono<Answer> addBlock(Call call) {
        BlockList.Entry entry = entry(Json.parseObject(call.body().isBlank() ? "{}" : call.body()));
        return blocks.add(entry).map(added -> {
            AuditLog.record(call.actor(), "block-" + entry.kind().wire(), userOf(entry), deviceOf(entry),
                    (added ? "ok" : "already-blocked") + " value=" + entry.value());
            return new Answer(200, Map.of("kind", entry.kind().wire(), "value", entry.value(), "added", added));
        });
    }

    private Mono<Answer> removeBlock(Call call) {
        BlockList.Entry entry = new BlockList.Entry(BlockList.Kind.of(String.valueOf(call.query("kind"))),
                String.valueOf(call.query("value")));
        return blocks.remove(entry).map(removed -> {
            AuditLog.record(call.actor(), "unblock-" + entry.kind().wire(), userOf(entry), deviceOf(entry),
                    (removed ? "ok" : "not-blocked") + " value=" + entry.value());
            return new Answer(removed ? 200 : 404, Map.of("kind", entry.kind().wire(), "value", entry.value(),
                    "removed", removed));
        });
    }

    private static BlockList.Entry entry(Map<String, Object> json) {
        Object kind = json.get("kind");
        Object value = json.get("value");
        if (kind == null || value == null) {
            throw new IllegalArgumentException("a block needs \"kind\" and \"value\"");
        }
        return new BlockList.Entry(BlockList.Kind.of(kind.toString()), value.toString());
    }

    private static String userOf(BlockList.Entry e) {
        return e.kind() == BlockList.Kind.DEVICE ? e.value().substring(0, Math.max(0, e.value().indexOf('/'))) : null;
    }

    private static String deviceOf(BlockList.Entry e) {
        return e.kind() == BlockList.Kind.DEVICE ? e.value().substring(e.value().indexOf('/') + 1) : null;
    }

    // ---- per-device debug ---------------------------------------------------------------------------------------

    private Mono<Answer> listDebug(Call call) {
        List<Object> out = new ArrayList<>();
        debug.targets().forEach(t -> out.add(debugView(t)));
        return Mono.just(new Answer(200, Map.of("debug", out)));
    }

    private static Map<String, Object> debugView(DeviceDebug.Target t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", t.user());
        m.put("device", t.deviceId());
        m.put("content", t.content());
        m.put("until", t.until().toString());
        return m;
    }

    private Mono<Answer> enableDebug(Call call) {
        Map<String, Object> json = Json.parseObject(call.body().isBlank() ? "{}" : call.body());
        Object user = json.get("user");
        if (user == null || user.toString().isBlank()) {
            throw new IllegalArgumentException("debug needs \"user\"");
        }
        String device = json.get("device") == null ? "" : json.get("device").toString();
        boolean content = Boolean.TRUE.equals(json.get("content"));
        long minutes = json.get("minutes") instanceof Number n ? n.longValue() : 60;
        if (minutes < 1 || minutes > 24 * 60) {
            throw new IllegalArgumentException("minutes must be 1..1440");
        }
        Instant until = clock.instant().plus(Duration.ofMinutes(minutes));
        DeviceDebug.Target target = new DeviceDebug.Target(user.toString(), device, content, until);
        debug.enable(target);
        AuditLog.record(call.actor(), "debug-on", target.user(), device, "ok content=" + content + " until=" + until);
        return Mono.just(new Answer(200, debugView(target)));
    }

    private Mono<Answer> disableDebug(Call call) {
        String user = call.query("user");
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("debug off needs ?user=");
        }
        String device = call.query("device") == null ? "" : call.query("device");
        boolean was = debug.disable(user, device);
        AuditLog.record(call.actor(), "debug-off", user, device, was ? "ok" : "was-off");
        return Mono.just(new Answer(was ? 200 : 404, Map.of("user", user, "device", device, "disabled", was)));
    }

    // ---- policy sets --------------------------------------------------------------------------------------------

    private Mono<Answer> listPolicies(Call call) {
        List<Object> out = new ArrayList<>();
        for (PolicySet set : policies.sets().all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", set.name());
            m.put("ldapGroup", policies.sets().groups().get(set.name()));
            m.put("settings", new LinkedHashMap<String, Object>(set.document().settings()));
            out.add(m);
        }
        return Mono.just(new Answer(200, Map.of("sets", out)));
    }

    private Mono<Answer> showPolicy(Call call) {
        String user = call.param("user");
        return policies.assigned(user).map(PolicySet::name).map(Optional::of).defaultIfEmpty(Optional.empty())
                .zipWith(policies.resolve(user, true))
                .map(both -> new Answer(200, policyView(user, both.getT1().orElse(null), both.getT2())));
    }

    private static Map<String, Object> policyView(String user, String assigned, PolicyResolver.Resolution effective) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", user);
        m.put("assigned", assigned);
        m.put("effective", effective.set().name());
        m.put("source", effective.source());
        return m;
    }

    private Mono<Answer> assignPolicy(Call call) {
        String user = call.param("user");
        Object name = Json.parseObject(call.body().isBlank() ? "{}" : call.body()).get("set");
        if (name == null || name.toString().isBlank()) {
            throw new IllegalArgumentException("assigning a policy needs {\"set\": \"name\"}");
        }
        PolicySet set = policies.sets().get(name.toString());
        if (set == null) {
            List<String> known = policies.sets().all().stream().map(PolicySet::name).toList();
            AuditLog.record(call.actor(), "policy-set", user, null, "unknown-set set=" + name);
            return Mono.just(new Answer(404, error("no policy set '" + name + "'; known: " + known)));
        }
        return policies.assign(user, set).then(kickAll(user)).then(policies.resolve(user, true))
                .map(effective -> {
                    AuditLog.record(call.actor(), "policy-set", user, null, "ok set=" + set.name());
                    return new Answer(200, policyView(user, set.name(), effective));
                });
    }

    private Mono<Answer> unassignPolicy(Call call) {
        String user = call.param("user");
        return policies.unassign(user).then(kickAll(user)).then(policies.resolve(user, true))
                .map(effective -> {
                    AuditLog.record(call.actor(), "policy-clear", user, null, "ok");
                    return new Answer(200, policyView(user, null, effective));
                });
    }

    /** Wakes every parked device of the user so each meets its new policy at its next command. */
    private Mono<Void> kickAll(String user) {
        return state.devices(user).concatMap(d -> kick(d.key())).then();
    }
}
