package dev.easgate.wbxml.cli;

import dev.easgate.wbxml.Opaque;
import dev.easgate.wbxml.Redaction;
import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import dev.easgate.wbxml.WbxmlException;
import dev.easgate.wbxml.WbxmlLimits;
import dev.easgate.wbxml.WbxmlXml;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/wbxml}: decodes captured EAS WBXML to XML and encodes XML back, for operators debugging traffic.
 *
 * <pre>
 *   bin/wbxml decode [--hex] [--redact] [limits]  &lt; capture.wbxml  &gt; capture.xml
 *   bin/wbxml encode [--hex] [limits]             &lt; request.xml    &gt; request.wbxml
 * </pre>
 *
 * <p>Exit status: 0 done; 1 input refused, with exactly one line on stderr naming the reason and, for WBXML, the
 * byte offset; 2 usage (also {@code --help}); 3 an internal error (a bug), also as one line. Never a stack trace.
 * Standard input is read whole up to a cap ({@code --max-input}, 256 MiB by default) and decoded with the same
 * {@link WbxmlLimits} as the gateway unless overridden.
 *
 * <p>{@link #run} is the whole tool, with its streams passed in, so that tests drive it without a process.
 */
public final class WbxmlTool {
    public static final int EXIT_OK = 0;
    public static final int EXIT_BAD_INPUT = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL = 3;

    /** Default cap on the bytes read from standard input. */
    public static final int DEFAULT_MAX_INPUT = 256 << 20;
    /**
     * Deepest nesting the tool accepts as {@code --max-depth}: the XML rendering indents by depth, so its size grows
     * with the square of the depth, and rendering recurses once per level.
     */
    public static final int MAX_DEPTH_OPTION = 4096;

    static final String XML_DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    /** The work runs on its own thread with this much stack, so recursion over {@link #MAX_DEPTH_OPTION} is safe. */
    private static final long WORKER_STACK_BYTES = 64L << 20;
    private static final int MAX_INPUT_OPTION = Integer.MAX_VALUE - 16;

    private WbxmlTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /**
     * Runs the tool with {@code args} (without the program name) and returns its exit status; writes results to
     * {@code out} and diagnostics to {@code err}, and never throws.
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        int[] status = {EXIT_INTERNAL};
        Thread worker = new Thread(null, () -> status[0] = runHere(args, in, out, err), "wbxml",
                WORKER_STACK_BYTES);
        worker.start();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return status[0];
    }

    private static int runHere(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() != null) {
                err.println("wbxml: " + e.getMessage());
            }
            err.print(usage());
            err.flush();
            return EXIT_USAGE;
        }
        String command = options.command;
        try {
            byte[] input = readInput(in, options.maxInput);
            if (command.equals("decode")) {
                decode(input, options, out);
            } else {
                encode(input, options, out);
            }
            out.flush();
            return EXIT_OK;
        } catch (WbxmlException | BadInputException e) {
            return failure(err, command, e.getMessage(), EXIT_BAD_INPUT);
        } catch (IOException e) {
            return failure(err, command, "cannot read standard input: " + e.getMessage(), EXIT_BAD_INPUT);
        } catch (OutOfMemoryError e) {
            return failure(err, command, "out of memory; give the JVM more heap, e.g. WBXML_JAVA_OPTS=-Xmx4g",
                    EXIT_BAD_INPUT);
        } catch (RuntimeException | StackOverflowError e) {
            return failure(err, command, "internal error " + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + " (a bug in the tool or codec: please report it with the input)", EXIT_INTERNAL);
        }
    }

    private static int failure(PrintStream err, String command, String message, int status) {
        String oneLine = String.valueOf(message).replaceAll("[\\r\\n]+", " ").strip();
        err.println("wbxml: " + command + " failed: " + oneLine);
        err.flush();
        return status;
    }

    // ---- commands ---------------------------------------------------------------------------------------------

    private static void decode(byte[] input, Options options, PrintStream out) {
        byte[] document = options.hex ? parseHex(input) : input;
        WbxmlElement root = new WbxmlDecoder(options.limits).decode(document);
        String xml = WbxmlXml.render(root, options.redact ? Redaction.USER_CONTENT : Redaction.NONE);
        out.write(XML_DECLARATION.getBytes(StandardCharsets.UTF_8), 0, XML_DECLARATION.length());
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        out.write(body, 0, body.length);
    }

    private static void encode(byte[] input, Options options, PrintStream out) {
        String xml = utf8(input);
        if (xml.startsWith("\uFEFF")) {
            xml = xml.substring(1);
        }
        WbxmlElement root = WbxmlXml.parse(xml);
        checkTree(root, options.limits);
        byte[] document = WbxmlEncoder.encode(root);
        if (options.hex) {
            byte[] text = (HexFormat.of().formatHex(document) + "\n").getBytes(StandardCharsets.US_ASCII);
            out.write(text, 0, text.length);
        } else {
            out.write(document, 0, document.length);
        }
    }

    /** Reads all of {@code in}, refusing more than {@code max} bytes. */
    static byte[] readInput(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        if (bytes.length > max) {
            throw new BadInputException("input is larger than " + max + " bytes (raise --max-input)");
        }
        return bytes;
    }

    /** Hex digits to bytes; ASCII whitespace anywhere is ignored. */
    static byte[] parseHex(byte[] text) {
        byte[] out = new byte[text.length / 2];
        int length = 0;
        int high = -1;
        for (int i = 0; i < text.length; i++) {
            int c = text[i] & 0xFF;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                continue;
            }
            int digit = Character.digit(c, 16);
            if (digit < 0 || c > 0x7F) {
                String shown = c >= 0x21 && c <= 0x7E ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
                throw new BadInputException("bad hex input: " + shown + " at offset " + i + " is not a hex digit");
            }
            if (high < 0) {
                high = digit;
            } else {
                out[length++] = (byte) (high << 4 | digit);
                high = -1;
            }
        }
        if (high >= 0) {
            throw new BadInputException("bad hex input: odd number of hex digits");
        }
        return length == out.length ? out : java.util.Arrays.copyOf(out, length);
    }

    private static String utf8(byte[] input) {
        ByteBuffer buffer = ByteBuffer.wrap(input);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(buffer)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException("input is not UTF-8 at byte offset " + buffer.position());
        }
    }

    /**
     * Checks a parsed tree against the limits the gateway's decoder applies, without recursion, so that a hand-written
     * document the gateway would refuse is refused here too, and so that no later step meets an unbounded depth.
     */
    static void checkTree(WbxmlElement root, WbxmlLimits limits) {
        ArrayDeque<WbxmlElement> elements = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        elements.push(root);
        depths.push(1);
        long count = 0;
        while (!elements.isEmpty()) {
            WbxmlElement element = elements.pop();
            int depth = depths.pop();
            String name = element.tag().qualifiedName();
            if (depth > limits.maxDepth()) {
                throw new BadInputException("element " + name + " is nested deeper than " + limits.maxDepth()
                        + " (TOO_DEEP)");
            }
            if (++count > limits.maxElements()) {
                throw new BadInputException("more than " + limits.maxElements() + " elements (TOO_MANY_ELEMENTS)");
            }
            String text = element.text();
            if (text != null) {
                long bytes = text.getBytes(StandardCharsets.UTF_8).length;
                if (bytes > limits.maxStringBytes()) {
                    throw new BadInputException("text of " + name + " is " + bytes + " bytes, longer than "
                            + limits.maxStringBytes() + " (TOO_LONG)");
                }
            }
            Opaque opaque = element.opaque();
            if (opaque != null && opaque.length() > limits.maxOpaqueBytes()) {
                throw new BadInputException("opaque data of " + name + " is " + opaque.length()
                        + " bytes, longer than " + limits.maxOpaqueBytes() + " (TOO_LONG)");
            }
            List<WbxmlElement> children = element.children();
            for (int i = children.size() - 1; i >= 0; i--) {
                elements.push(children.get(i));
                depths.push(depth + 1);
            }
        }
    }

    // ---- arguments ----------------------------------------------------------------------------------------------

    static String usage() {
        WbxmlLimits d = WbxmlLimits.DEFAULT;
        return """
                usage: wbxml decode [--hex] [--redact] [limits]   WBXML on stdin, XML on stdout
                       wbxml encode [--hex] [limits]              XML on stdin, WBXML on stdout
                  --hex                  decode: stdin is hex text (whitespace ignored)
                                         encode: write hex text instead of bytes
                  --redact               decode: show user content (names, subjects, bodies, MIME) as its length
                limits (N may end in k, m or g for KiB, MiB, GiB):
                  --max-input N          bytes read from stdin (default %d)
                  --max-depth N          element nesting, at most %d (default %d)
                  --max-string-bytes N   longest text (default %d)
                  --max-opaque-bytes N   longest opaque value (default %d)
                  --max-elements N       elements in one document (default %d)
                exit status: 0 done, 1 input refused (one line on stderr), 2 usage, 3 internal error
                """.formatted(DEFAULT_MAX_INPUT, MAX_DEPTH_OPTION, d.maxDepth(), d.maxStringBytes(),
                d.maxOpaqueBytes(), d.maxElements());
    }

    /** The parsed command line. */
    static final class Options {
        String command;
        boolean hex;
        boolean redact;
        int maxInput = DEFAULT_MAX_INPUT;
        WbxmlLimits limits = WbxmlLimits.DEFAULT;

        static Options parse(String[] args) {
            if (args.length == 0) {
                throw new UsageException("no command given");
            }
            Options options = new Options();
            String command = args[0];
            if (command.equals("--help") || command.equals("-h") || command.equals("help")) {
                throw new UsageException(null);
            }
            if (!command.equals("decode") && !command.equals("encode")) {
                throw new UsageException("unknown command '" + command + "'");
            }
            options.command = command;
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                String name = arg;
                String value = null;
                int equals = arg.indexOf('=');
                if (arg.startsWith("--") && equals > 0) {
                    name = arg.substring(0, equals);
                    value = arg.substring(equals + 1);
                }
                switch (name) {
                    case "--help", "-h" -> throw new UsageException(null);
                    case "--hex" -> options.hex = flag(name, value);
                    case "--redact" -> {
                        if (!command.equals("decode")) {
                            throw new UsageException("--redact applies to decode only");
                        }
                        options.redact = flag(name, value);
                    }
                    case "--max-input", "--max-depth", "--max-string-bytes", "--max-opaque-bytes", "--max-elements" -> {
                        if (value == null) {
                            if (i + 1 >= args.length) {
                                throw new UsageException(name + " needs a value");
                            }
                            value = args[++i];
                        }
                        options.limit(name, value);
                    }
                    default -> throw new UsageException("unknown option '" + arg + "' for " + command);
                }
            }
            return options;
        }

        private static boolean flag(String name, String value) {
            if (value != null) {
                throw new UsageException(name + " takes no value");
            }
            return true;
        }

        private void limit(String name, String text) {
            int min = name.equals("--max-string-bytes") || name.equals("--max-opaque-bytes") ? 0 : 1;
            int max = switch (name) {
                case "--max-depth" -> MAX_DEPTH_OPTION;
                case "--max-input" -> MAX_INPUT_OPTION;
                default -> Integer.MAX_VALUE;
            };
            long value = size(name, text);
            if (value < min || value > max) {
                throw new UsageException(name + " must be between " + min + " and " + max + ", got " + text);
            }
            int n = (int) value;
            switch (name) {
                case "--max-input" -> maxInput = n;
                case "--max-depth" -> limits = limits.withMaxDepth(n);
                case "--max-string-bytes" -> limits = limits.withMaxStringBytes(n);
                case "--max-opaque-bytes" -> limits = limits.withMaxOpaqueBytes(n);
                case "--max-elements" -> limits = limits.withMaxElements(n);
                default -> throw new IllegalStateException(name);
            }
        }

        private static long size(String name, String text) {
            String digits = text.strip().toLowerCase(Locale.ROOT);
            long unit = 1;
            if (!digits.isEmpty()) {
                switch (digits.charAt(digits.length() - 1)) {
                    case 'k' -> unit = 1L << 10;
                    case 'm' -> unit = 1L << 20;
                    case 'g' -> unit = 1L << 30;
                    default -> unit = 1;
                }
                if (unit != 1) {
                    digits = digits.substring(0, digits.length() - 1);
                }
            }
            if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new UsageException(name + " needs a whole number, got '" + text + "'");
            }
            return Long.parseLong(digits) * unit;
        }
    }

    /** A command line the tool does not understand; a {@code null} message asks for the usage alone. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /** Input the tool refuses before or after the codec sees it (hex, UTF-8, size, limits of a parsed tree). */
    static final class BadInputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadInputException(String message) {
            super(message, null, false, false);
        }
    }
}
