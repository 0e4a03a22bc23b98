package dev.easgate.bench.codec;

import dev.easgate.wbxml.WbxmlEncoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmark documents as WBXML files ({@code sync-response.wbxml}, {@code ping.wbxml}) into the directory
 * given as the only argument, for the libwbxml harness.
 */
public final class DumpDocuments {
    private DumpDocuments() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        Files.createDirectories(dir);
        write(dir.resolve("sync-response.wbxml"), WbxmlEncoder.encode(Documents.syncResponse()));
        write(dir.resolve("ping.wbxml"), WbxmlEncoder.encode(Documents.pingRequest()));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        System.out.println(file + ": " + bytes.length + " bytes");
    }
}
