package dev.easgate.core.command.validatecert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ValidateCert over real HTTP with certificates made by the JDK's keytool in the test: a trusted CA (the configured
 * PEM trust store) and its leaves (valid, expired, server-only), a leaf of an untrusted CA, and garbage.
 */
class ValidateCertIntegrationTest {
    @TempDir
    static Path dir;
    private static GatewayTestServer server;
    private static EasTestClient client;
    private static String valid;
    private static String expired;
    private static String serverOnly;
    private static String untrusted;
    private static String ca;

    @BeforeAll
    static void start() throws Exception {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Test CA",
                "-ext", "bc:c", "-validity", "3650");
        keytool("-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=Other CA", "-ext", "bc:c", "-validity", "3650");
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", dir.resolve("ca.pem").toString());
        valid = leaf("valid", "ca", List.of("-ext", "KU=digitalSignature", "-ext", "EKU=emailProtection"));
        expired = leaf("expired", "ca", List.of("-startdate", "-400d", "-validity", "30"));
        serverOnly = leaf("server", "ca", List.of("-ext", "EKU=serverAuth"));
        untrusted = leaf("untrusted", "other", List.of());
        ca = der("ca");
        server = GatewayTestServer.start(Map.of("validatecert.truststore", dir.resolve("ca.pem").toString()));
        client = server.client("demo", "validatecert-device");
        client.provision();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String leaf(String alias, String issuer, List<String> extra) throws Exception {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + alias + ",EMAILADDRESS=" + alias + "@example.com");
        keytool("-certreq", "-alias", alias, "-file", dir.resolve(alias + ".csr").toString());
        List<String> args = new ArrayList<>(List.of("-gencert", "-alias", issuer, "-infile",
                dir.resolve(alias + ".csr").toString(), "-outfile", dir.resolve(alias + ".der").toString()));
        args.addAll(extra);
        keytool(args.toArray(new String[0]));
        return Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(alias + ".der")));
    }

    private static String der(String alias) throws Exception {
        keytool("-exportcert", "-alias", alias, "-file", dir.resolve(alias + "-export.der").toString());
        return Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(alias + "-export.der")));
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-keystore", dir.resolve("keys.p12").toString(), "-storepass", "changeit",
                "-storetype", "PKCS12", "-noprompt"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + List.of(args) + " failed: " + output);
        }
    }

    private static EasTestClient.Response validate(List<String> certificates, boolean checkCrl) {
        return client.post("ValidateCert", WbxmlElement.el(CodePage.VALIDATE_CERT, "ValidateCert")
                .child("Certificates", c -> certificates.forEach(text -> c.child("Certificate", text)))
                .child("CheckCRL", checkCrl ? 1 : 0)
                .build());
    }

    @Test
    void eachCertificateGetsItsOwnStatus() {
        EasTestClient.Response response = validate(List.of(valid, expired, untrusted, serverOnly, ca,
                "bm90IGEgY2VydGlmaWNhdGU="), false);
        assertThat(response.text("Status")).isEqualTo("1");
        List<String> statuses = response.body().children("Certificate").stream().map(c -> c.childText("Status"))
                .toList();
        // 2.2.3.177.18: 1 valid, 7 expired, 4 untrusted source, 6 not for e-mail, 9 a CA certificate as the digital
        // ID, 10 undecodable
        assertThat(statuses).containsExactly("1", "7", "4", "6", "9", "10");
    }

    @Test
    void revocationThatCannotBeCheckedIsReported() {
        // the test CA publishes no CRL distribution point nor OCSP responder: 16, status undetermined (not 14, no
        // revocation server was there to be unreachable)
        EasTestClient.Response response = validate(List.of(valid), true);
        assertThat(response.body().child("Certificate").childText("Status")).isEqualTo("16");
    }

    @Test
    void aRequestWithoutCertificatesIsAProtocolError() {
        EasTestClient.Response response = client.post("ValidateCert",
                WbxmlElement.el(CodePage.VALIDATE_CERT, "ValidateCert").child("CheckCRL", 0).build());
        assertThat(response.text("Status")).isEqualTo("2");
    }
}
