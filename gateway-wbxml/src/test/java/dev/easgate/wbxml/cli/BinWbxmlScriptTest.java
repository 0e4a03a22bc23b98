package dev.easgate.wbxml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code bin/wbxml} script as a process. Instead of the packaged jar (which {@code mvn test} does not
 * build) it points {@code WBXML_CLASSPATH} at the compiled classes and the Netty jars this test itself runs with, so
 * it always runs; the missing-jar hint is checked on a copy of the script in a directory without a build.
 */
class BinWbxmlScriptTest {
    private static Path script;
    private static String classpath;

    @TempDir
    Path temp;

    record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void locate() throws URISyntaxException {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        script = module.getParent().resolve("bin/wbxml");
        assertThat(script).exists();
        assertThat(Files.isExecutable(script)).as("bin/wbxml is executable").isTrue();
        List<String> entries = new ArrayList<>();
        for (Class<?> type : List.of(WbxmlTool.class, ByteBuf.class, ReferenceCounted.class)) {
            entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        classpath = String.join(File.pathSeparator, entries);
    }

    private Result exec(Path which, boolean withClasspath, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", which.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.remove("WBXML_CLASSPATH");
        env.remove("WBXML_JAVA_OPTS");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        if (withClasspath) {
            env.put("WBXML_CLASSPATH", classpath);
        }
        Path in = Files.writeString(Files.createTempFile(temp, "in", ".txt"), stdin);
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        builder.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/wbxml did not finish within 60 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void decodesHexAndEncodesBack() throws Exception {
        Result xml = exec(script, true, "03 01 6a 00 00 07 56 52 03 30 00 01 01\n", "decode", "--hex");
        Result hex = exec(script, true, xml.out(), "encode", "--hex");

        assertThat(xml.status()).isZero();
        assertThat(xml.err()).isEmpty();
        assertThat(xml.out()).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FolderSync")
                .contains("<SyncKey>0</SyncKey>");
        assertThat(hex.status()).isZero();
        assertThat(hex.out()).isEqualTo("03016a00000756520330000101\n");
    }

    @Test
    void refusedInputGivesOneLineAndExitOne() throws Exception {
        Result result = exec(script, true, "03016a00 0007 56 52 03 3000 01", "decode", "--hex");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("wbxml: decode failed: input ends inside element"
                + " FolderHierarchy:FolderSync at byte offset 12 (TRUNCATED)\n");
    }

    @Test
    void helpAndUnknownOptionsExitTwo() throws Exception {
        Result help = exec(script, true, "", "--help");
        Result unknown = exec(script, true, "", "decode", "--frobnicate");

        assertThat(help.status()).isEqualTo(2);
        assertThat(help.err()).startsWith("usage: wbxml decode");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("wbxml: unknown option '--frobnicate' for decode\nusage:");
    }

    @Test
    void withoutABuildItNamesTheBuildCommandAndExitsTwo() throws Exception {
        Path repo = temp.resolve("repo");
        Files.createDirectories(repo.resolve("bin"));
        Path copy = Files.copy(script, repo.resolve("bin/wbxml"));
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(elsewhere.resolve("wbxml"), Path.of("../repo/bin/wbxml"));

        for (Path launcher : List.of(copy, link)) {
            Result result = exec(launcher, false, "", "decode");

            assertThat(result.status()).isEqualTo(2);
            assertThat(result.out()).isEmpty();
            String jar = repo.toRealPath().resolve("gateway-wbxml/target/gateway-wbxml.jar").toString();
            assertThat(result.err()).isEqualTo("wbxml: " + jar + " is missing; build it first with: cd "
                    + repo.toRealPath() + " && mvn -q -DskipTests package\n");
        }
    }
}
