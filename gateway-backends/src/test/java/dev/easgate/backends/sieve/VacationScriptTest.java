package dev.easgate.backends.sieve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.backends.oof.OofAudience;
import dev.easgate.backends.oof.OofMessage;
import dev.easgate.backends.oof.OofSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vacation script: what it says, that it reads back, and that Pigeonhole's own compiler accepts it. */
class VacationScriptTest {
    private static final VacationScript.Params PARAMS =
            new VacationScript.Params(List.of("ann@example.test"), "example.test", 3, "Out of office");

    @TempDir
    Path dir;

    private static OofMessage message(OofAudience audience, boolean enabled, String reply) {
        return new OofMessage(audience, enabled, reply, "Text");
    }

    @Test
    void internalAndExternalRepliesByTheSendersDomain() throws Exception {
        OofSettings settings = new OofSettings(1, null, null, List.of(
                message(OofAudience.INTERNAL, true, "Back Monday"),
                message(OofAudience.EXTERNAL_UNKNOWN, true, "I am away \"until\" Monday\nC:\\path")));
        String script = VacationScript.write(settings, PARAMS);
        assertThat(script).contains("require [\"vacation\", \"envelope\"];")
                .contains("if envelope :domain :is \"from\" \"example.test\" {")
                .contains("vacation :days 3 :subject \"Out of office\" :addresses [\"ann@example.test\"]"
                        + " \"Back Monday\";")
                .contains("} else {")
                .contains("\"I am away \\\"until\\\" Monday\r\nC:\\\\path\";")
                .doesNotContain("currentdate");
        assertThat(script.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
        assertThat(VacationScript.read(script)).contains(settings);
        compiles(script);
    }

    @Test
    void onlyExternalRepliesSkipInternalSenders() throws Exception {
        OofSettings settings = new OofSettings(1, null, null, List.of(
                message(OofAudience.INTERNAL, false, "inside"),
                message(OofAudience.EXTERNAL_UNKNOWN, true, "outside")));
        String script = VacationScript.write(settings, PARAMS);
        assertThat(script).contains("if not envelope :domain :is \"from\" \"example.test\" {")
                .doesNotContain("\"inside\";").contains("\"outside\";");
        assertThat(VacationScript.read(script)).contains(settings);
        compiles(script);
    }

    @Test
    void externalKnownAloneSendsNothingSinceSieveCannotSeeContacts() throws Exception {
        OofSettings settings = new OofSettings(1, null, null, List.of(
                message(OofAudience.EXTERNAL_KNOWN, true, "to my contacts")));
        String script = VacationScript.write(settings, PARAMS);
        assertThat(script).doesNotContain("vacation :days");
        assertThat(VacationScript.read(script)).contains(settings);
        compiles(script);
    }

    @Test
    void timeBasedRepliesCompareTheUtcDateAndTime() throws Exception {
        OofSettings settings = new OofSettings(2, Instant.parse("2026-12-20T08:30:00Z"),
                Instant.parse("2027-01-05T17:00:00Z"), List.of(message(OofAudience.INTERNAL, true, "Holiday")));
        String script = VacationScript.write(settings, PARAMS);
        assertThat(script).contains("\"date\", \"relational\"")
                .contains("currentdate :zone \"+0000\" :value \"gt\" \"date\" \"2026-12-20\"")
                .contains("currentdate :zone \"+0000\" :value \"ge\" \"time\" \"08:30:00\"")
                .contains("currentdate :zone \"+0000\" :value \"lt\" \"date\" \"2027-01-05\"")
                .contains("currentdate :zone \"+0000\" :value \"lt\" \"time\" \"17:00:00\"");
        OofSettings read = VacationScript.read(script).orElseThrow();
        assertThat(read).isEqualTo(settings);
        compiles(script);
    }

    @Test
    void htmlRepliesAreMimeParts() throws Exception {
        OofSettings settings = new OofSettings(1, null, null, List.of(
                new OofMessage(OofAudience.INTERNAL, true, "<p>Away</p>", "HTML")));
        String script = VacationScript.write(settings, PARAMS);
        assertThat(script).contains(":mime \"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Away</p>\";");
        assertThat(VacationScript.read(script)).contains(settings);
        compiles(script);
    }

    @Test
    void stateZeroRemembersTheMessagesAndDoesNothing() throws Exception {
        OofSettings settings = new OofSettings(0, null, null, List.of(message(OofAudience.INTERNAL, true, "Away")));
        String script = VacationScript.write(settings, PARAMS);
        assertThat(script).doesNotContain("require").doesNotContain("vacation :days");
        assertThat(VacationScript.read(script)).contains(settings);
        compiles(script);
    }

    @Test
    void somebodyElsesScriptIsNotOurs() {
        assertThat(VacationScript.read("require \"fileinto\";\r\nfileinto \"Junk\";\r\n")).isEmpty();
        assertThat(VacationScript.read("# easgate-oof-v1 {not json\r\n")).isEmpty();
        assertThat(VacationScript.wrapped("require \"fileinto\";\r\n")).isEmpty();
    }

    @Test
    void theWrapperIncludesOursThenTheirs() {
        String wrapper = VacationScript.wrapper("my \"rules\"");
        assertThat(wrapper).contains("require [\"include\"];\r\ninclude :personal \"easgate-oof\";\r\n"
                + "include :personal :optional \"my \\\"rules\\\"\";\r\n");
        assertThat(VacationScript.wrapped(wrapper)).contains("my \"rules\"");
    }

    /** Pigeonhole's compiler (dovecot-sieve's sievec), an independent judge of the syntax. */
    private void compiles(String script) throws IOException, InterruptedException {
        Path source = dir.resolve("oof.sieve");
        Files.writeString(source, script, StandardCharsets.UTF_8);
        Process sievec = new ProcessBuilder("sievec", source.toString(), dir.resolve("oof.svbin").toString())
                .redirectErrorStream(true).start();
        String output = new String(sievec.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sievec.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sievec.exitValue()).as("sievec says: %s\n%s", output, script).isZero();
    }
}
