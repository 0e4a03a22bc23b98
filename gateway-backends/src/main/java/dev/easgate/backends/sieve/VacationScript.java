package dev.easgate.backends.sieve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.easgate.backends.oof.OofAudience;
import dev.easgate.backends.oof.OofMessage;
import dev.easgate.backends.oof.OofSettings;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Sieve scripts the gateway owns: the vacation script {@value #NAME} (RFC 5230), whose first line keeps the
 * phone's settings as JSON so that a Get reads them back exactly, and the wrapper {@value #WRAPPER} that runs it and
 * then the user's own active script (RFC 6609 include) when the user had one.
 *
 * <p>Internal senders are those whose envelope sender is in the user's domain; external ones get the
 * AppliesToExternalUnknown message (Sieve cannot see the user's contacts, so "known" cannot be told apart: the
 * AppliesToExternalKnown message alone sends nothing). With OofState 2 the replies are limited to
 * [StartTime, EndTime) by the "date" extension (RFC 5260) on the UTC date and time, compared as text.
 */
final class VacationScript {
    static final String NAME = "easgate-oof";
    static final String WRAPPER = "easgate-oof-main";
    private static final String HEADER = "# easgate-oof-v1 ";
    private static final String WRAPPER_HEADER = "# easgate-oof-wrapper-v1 ";
    private static final String CRLF = "\r\n";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * What the replies need besides the settings.
     *
     * @param addresses the user's addresses (vacation's :addresses: mail to these is "to the user")
     * @param domain    the user's mail domain: senders in it are internal
     * @param days      vacation's :days, the least days between two replies to one sender
     * @param subject   the replies' subject
     */
    record Params(List<String> addresses, String domain, int days, String subject) {
        Params {
            addresses = List.copyOf(addresses);
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(subject, "subject");
        }
    }

    private VacationScript() {
    }

    /** The vacation script for {@code settings}; with state 0 it only remembers them and does nothing. */
    static String write(OofSettings settings, Params params) {
        StringBuilder script = new StringBuilder();
        script.append(HEADER).append(header(settings)).append(CRLF)
                .append("# Out of office, written by the EAS gateway from the phone's settings: change it there.")
                .append(CRLF);
        Optional<OofMessage> internal = settings.enabled(OofAudience.INTERNAL);
        Optional<OofMessage> external = settings.enabled(OofAudience.EXTERNAL_UNKNOWN);
        if (settings.state() == 0 || (internal.isEmpty() && external.isEmpty())) {
            return script.toString();
        }
        script.append("require [\"vacation\", \"envelope\"")
                .append(settings.state() == 2 ? ", \"date\", \"relational\"" : "").append("];").append(CRLF);
        String indent = "";
        if (settings.state() == 2) {
            script.append("if allof (").append(from(settings.start())).append(",").append(CRLF)
                    .append("          ").append(before(settings.end())).append(") {").append(CRLF);
            indent = "    ";
        }
        String isInternal = "envelope :domain :is \"from\" " + quoted(params.domain());
        if (internal.isPresent()) {
            script.append(indent).append("if ").append(isInternal).append(" {").append(CRLF)
                    .append(indent).append("    ").append(vacation(internal.get(), params)).append(CRLF)
                    .append(indent).append("}");
            if (external.isPresent()) {
                script.append(" else {").append(CRLF)
                        .append(indent).append("    ").append(vacation(external.get(), params)).append(CRLF)
                        .append(indent).append("}");
            }
        } else {
            script.append(indent).append("if not ").append(isInternal).append(" {").append(CRLF)
                    .append(indent).append("    ").append(vacation(external.get(), params)).append(CRLF)
                    .append(indent).append("}");
        }
        script.append(CRLF);
        if (settings.state() == 2) {
            script.append("}").append(CRLF);
        }
        return script.toString();
    }

    /** Now (UTC) is at or after {@code start}: a later date, or the same date and a time not earlier. */
    private static String from(Instant start) {
        return "anyof (currentdate :zone \"+0000\" :value \"gt\" \"date\" " + quoted(DATE.format(start))
                + ", allof (currentdate :zone \"+0000\" :is \"date\" " + quoted(DATE.format(start))
                + ", currentdate :zone \"+0000\" :value \"ge\" \"time\" " + quoted(TIME.format(start)) + "))";
    }

    /** Now (UTC) is before {@code end}. */
    private static String before(Instant end) {
        return "anyof (currentdate :zone \"+0000\" :value \"lt\" \"date\" " + quoted(DATE.format(end))
                + ", allof (currentdate :zone \"+0000\" :is \"date\" " + quoted(DATE.format(end))
                + ", currentdate :zone \"+0000\" :value \"lt\" \"time\" " + quoted(TIME.format(end)) + "))";
    }

    private static String vacation(OofMessage message, Params params) {
        StringBuilder action = new StringBuilder("vacation :days ").append(params.days())
                .append(" :subject ").append(quoted(params.subject()));
        if (!params.addresses().isEmpty()) {
            action.append(" :addresses [").append(params.addresses().stream().map(VacationScript::quoted)
                    .collect(Collectors.joining(", "))).append("]");
        }
        if (message.html()) {
            // RFC 5230 section 4.4: with :mime the reason is a MIME part, headers included
            action.append(" :mime ").append(quoted("Content-Type: text/html; charset=utf-8" + CRLF + CRLF
                    + message.reply()));
        } else {
            action.append(" ").append(quoted(message.reply()));
        }
        return action.append(";").toString();
    }

    /** A Sieve quoted string (RFC 5228 section 2.4.2): line ends as CRLF, {@code "} and {@code \} escaped. */
    static String quoted(String value) {
        String text = value.replace("\0", "").replace("\r\n", "\n").replace('\r', '\n').replace("\n", CRLF);
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String header(OofSettings settings) {
        ObjectNode root = JSON.createObjectNode();
        root.put("state", settings.state());
        if (settings.start() != null) {
            root.put("start", settings.start().toString());
            root.put("end", settings.end().toString());
        }
        ArrayNode messages = root.putArray("messages");
        for (OofMessage message : settings.messages()) {
            messages.addObject().put("audience", message.audience().element()).put("enabled", message.enabled())
                    .put("bodyType", message.bodyType()).put("reply", message.reply());
        }
        // JSON escapes every control character: the comment stays on one line
        return root.toString();
    }

    /** The settings a script of ours remembers, or empty when it is not one (or unreadable). */
    static Optional<OofSettings> read(String script) {
        for (String line : script.split("\r?\n")) {
            if (line.startsWith(HEADER)) {
                try {
                    JsonNode root = JSON.readTree(line.substring(HEADER.length()));
                    List<OofMessage> messages = new ArrayList<>();
                    for (JsonNode message : root.path("messages")) {
                        OofAudience audience = OofAudience.ofElement(message.path("audience").asText());
                        if (audience != null) {
                            messages.add(new OofMessage(audience, message.path("enabled").asBoolean(),
                                    message.path("reply").asText(""), message.path("bodyType").asText("Text")));
                        }
                    }
                    int state = root.path("state").asInt(0);
                    Instant start = root.hasNonNull("start") ? Instant.parse(root.get("start").asText()) : null;
                    Instant end = root.hasNonNull("end") ? Instant.parse(root.get("end").asText()) : null;
                    return Optional.of(new OofSettings(state, start, end, messages));
                } catch (JsonProcessingException | RuntimeException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The wrapper: our vacation script first, then the user's own {@code theirs} as it is (or was: optional). */
    static String wrapper(String theirs) {
        ObjectNode root = JSON.createObjectNode().put("theirs", theirs);
        return WRAPPER_HEADER + root + CRLF
                + "# Runs the EAS gateway's out-of-office script, then your own script, unchanged." + CRLF
                + "require [\"include\"];" + CRLF
                + "include :personal " + quoted(NAME) + ";" + CRLF
                + "include :personal :optional " + quoted(theirs) + ";" + CRLF;
    }

    /** The user's script a wrapper runs, or empty when {@code script} is no wrapper of ours. */
    static Optional<String> wrapped(String script) {
        for (String line : script.split("\r?\n")) {
            if (line.startsWith(WRAPPER_HEADER)) {
                try {
                    JsonNode theirs = JSON.readTree(line.substring(WRAPPER_HEADER.length())).get("theirs");
                    return theirs == null || !theirs.isTextual() ? Optional.empty() : Optional.of(theirs.asText());
                } catch (JsonProcessingException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
