package dev.easgate.backends.sieve;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One blocking ManageSieve session (RFC 5804), logged in as a user: capabilities, STARTTLS when offered (or
 * required), SASL PLAIN, then LISTSCRIPTS, GETSCRIPT, PUTSCRIPT, SETACTIVE, DELETESCRIPT. TLS trusts what the JVM
 * trusts and checks the server's name, as the IMAP and SMTP clients do. Not thread-safe: one caller at a time.
 */
final class ManageSieveConnection implements AutoCloseable {
    private static final int MAX_LITERAL = 1 << 20;

    /** A script on the server and whether it is the active one. */
    record Script(String name, boolean active) {
    }

    /** A token of a response line: an atom (OK, NO, a capability's value is a string) or a (quoted/literal) string. */
    private record Token(String text, boolean string) {
    }

    /** A final response (OK, NO or BYE) with its optional code and text, and the lines before it. */
    private record Response(String status, String code, String text, List<List<Token>> lines) {
        boolean ok() {
            return status.equals("OK");
        }

        String describe() {
            return status + (code.isEmpty() ? "" : " (" + code + ")") + (text.isEmpty() ? "" : " " + text);
        }
    }

    private final SieveUrl url;
    private final SSLSocketFactory tlsFactory;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private ManageSieveConnection(SieveUrl url, SSLSocketFactory tlsFactory, Socket socket) throws IOException {
        this.url = url;
        this.tlsFactory = tlsFactory;
        use(socket);
    }

    /** Connects, secures the connection when offered or required, and logs in with SASL PLAIN. */
    static ManageSieveConnection open(SieveUrl url, String user, String password, Duration timeout)
            throws IOException {
        return open(url, user, password, timeout, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** The same with the TLS of {@code tlsFactory} (tests trusting their own server's certificate). */
    static ManageSieveConnection open(SieveUrl url, String user, String password, Duration timeout,
                                      SSLSocketFactory tlsFactory) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(url.host(), url.port()), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            ManageSieveConnection connection = new ManageSieveConnection(url, tlsFactory, socket);
            connection.start(user, password);
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void use(Socket newSocket) throws IOException {
        socket = newSocket;
        in = new BufferedInputStream(newSocket.getInputStream());
        out = newSocket.getOutputStream();
    }

    private void start(String user, String password) throws IOException {
        List<String> capabilities = capabilities(expectOk(read(), "greeting"));
        if (capabilities.contains("STARTTLS")) {
            send("STARTTLS");
            expectOk(read(), "STARTTLS");
            SSLSocket tls = (SSLSocket) tlsFactory.createSocket(socket, url.host(), url.port(), true);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the server's name, as checkserveridentity
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            use(tls);
            // RFC 5804 section 2.2: the server sends its capabilities again after the handshake
            capabilities = capabilities(expectOk(read(), "capabilities after STARTTLS"));
        } else if (url.requireTls()) {
            throw new ManageSieveException("the server offers no STARTTLS and " + url + " requires it", false);
        }
        String plain = "\0" + user + "\0" + password;
        // SASL PLAIN with its initial response (RFC 5804 section 2.1)
        send("AUTHENTICATE \"PLAIN\" " + quoted(Base64.getEncoder().encodeToString(
                plain.getBytes(StandardCharsets.UTF_8))));
        Response login = read();
        if (!login.ok()) {
            throw new ManageSieveException("login refused: " + login.describe(), login.status().equals("NO"));
        }
    }

    /** The capability names (upper case) of a capability response, e.g. STARTTLS, SIEVE, SASL. */
    private static List<String> capabilities(Response response) {
        List<String> names = new ArrayList<>();
        for (List<Token> line : response.lines()) {
            if (!line.isEmpty()) {
                names.add(line.get(0).text().toUpperCase(Locale.ROOT));
            }
        }
        return names;
    }

    List<Script> listScripts() throws IOException {
        send("LISTSCRIPTS");
        Response response = expectOk(read(), "LISTSCRIPTS");
        List<Script> scripts = new ArrayList<>();
        for (List<Token> line : response.lines()) {
            if (!line.isEmpty()) {
                scripts.add(new Script(line.get(0).text(), line.size() > 1
                        && line.get(1).text().equalsIgnoreCase("ACTIVE")));
            }
        }
        return scripts;
    }

    /** The script's text, or empty when there is none of that name. */
    Optional<String> getScript(String name) throws IOException {
        send("GETSCRIPT " + string(name));
        Response response = read();
        if (!response.ok()) {
            if (response.code().toUpperCase(Locale.ROOT).startsWith("NONEXISTENT")) {
                return Optional.empty();
            }
            throw new ManageSieveException("GETSCRIPT: " + response.describe(), false);
        }
        return response.lines().stream().filter(line -> !line.isEmpty()).map(line -> line.get(0).text())
                .findFirst();
    }

    void putScript(String name, String content) throws IOException {
        send("PUTSCRIPT " + string(name) + " " + literal(content));
        expectOk(read(), "PUTSCRIPT");
    }

    /** Activates {@code name}; "" deactivates every script. */
    void setActive(String name) throws IOException {
        send("SETACTIVE " + string(name));
        expectOk(read(), "SETACTIVE");
    }

    void deleteScript(String name) throws IOException {
        send("DELETESCRIPT " + string(name));
        expectOk(read(), "DELETESCRIPT");
    }

    @Override
    public void close() {
        try {
            send("LOGOUT");
            read();
        } catch (IOException ignored) {
            // leaving anyway
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private Response expectOk(Response response, String what) throws ManageSieveException {
        if (!response.ok()) {
            throw new ManageSieveException(what + ": " + response.describe(), false);
        }
        return response;
    }

    private void send(String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A quoted string when it can be one, else a literal (names from the server may hold anything). */
    private static String string(String value) {
        return value.length() < 1000 && value.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0)
                ? quoted(value) : literal(value);
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A non-synchronizing literal, which a ManageSieve client always sends (RFC 5804 section 4). */
    private static String literal(String value) {
        return "{" + value.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + value;
    }

    /** Reads lines up to the final OK, NO or BYE. */
    private Response read() throws IOException {
        List<List<Token>> lines = new ArrayList<>();
        while (true) {
            List<Token> line = readLine();
            if (!line.isEmpty() && !line.get(0).string()) {
                String status = line.get(0).text().toUpperCase(Locale.ROOT);
                if (status.equals("OK") || status.equals("NO") || status.equals("BYE")) {
                    String code = "";
                    String text = "";
                    for (Token token : line.subList(1, line.size())) {
                        if (!token.string() && token.text().startsWith("(")) {
                            code = token.text().substring(1, token.text().length() - 1);
                        } else {
                            text = token.text();
                        }
                    }
                    return new Response(status, code, text, lines);
                }
            }
            lines.add(line);
        }
    }

    /** One response line: atoms, quoted strings, literals (which may span lines) and a parenthesized code. */
    private List<Token> readLine() throws IOException {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            int c = next();
            if (c == ' ') {
                continue;
            }
            if (c == '\r') {
                if (next() != '\n') {
                    throw new ManageSieveException("a CR without LF from the server", false);
                }
                return tokens;
            }
            if (c == '\n') {
                return tokens;
            }
            if (c == '"') {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int b = next(); b != '"'; b = next()) {
                    bytes.write(b == '\\' ? next() : b);
                }
                tokens.add(new Token(bytes.toString(StandardCharsets.UTF_8), true));
            } else if (c == '{') {
                StringBuilder digits = new StringBuilder();
                for (int b = next(); b != '}'; b = next()) {
                    if (b != '+') {
                        digits.append((char) b);
                    }
                }
                if (next() != '\r' || next() != '\n') {
                    throw new ManageSieveException("no CRLF after a literal's length", false);
                }
                int length = Integer.parseInt(digits.toString());
                if (length < 0 || length > MAX_LITERAL) {
                    throw new ManageSieveException("a literal of " + length + " bytes", false);
                }
                byte[] data = in.readNBytes(length);
                if (data.length < length) {
                    throw new EOFException("the server closed the connection inside a literal");
                }
                tokens.add(new Token(new String(data, StandardCharsets.UTF_8), true));
            } else if (c == '(') {
                StringBuilder code = new StringBuilder("(");
                int depth = 1;
                while (depth > 0) {
                    int b = next();
                    depth += b == '(' ? 1 : b == ')' ? -1 : 0;
                    code.append((char) b);
                }
                tokens.add(new Token(code.toString(), false));
            } else {
                StringBuilder atom = new StringBuilder().append((char) c);
                while (true) {
                    in.mark(1);
                    int b = next();
                    if (b == ' ' || b == '\r' || b == '\n') {
                        in.reset();
                        break;
                    }
                    atom.append((char) b);
                }
                tokens.add(new Token(atom.toString(), false));
            }
        }
    }

    private int next() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the ManageSieve server closed the connection");
        }
        return b;
    }
}
