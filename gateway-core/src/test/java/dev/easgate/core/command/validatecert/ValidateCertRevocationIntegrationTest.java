package dev.easgate.core.command.validatecert;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.easgate.core.testing.EasTestClient;
import dev.easgate.core.testing.GatewayTestServer;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ValidateCert's revocation checking and chain statuses (MS-ASCMD 2.2.3.177.18) over real HTTP, with a CA hierarchy
 * made by BouncyCastle in the test: a root (the configured trust store), intermediates (good, revoked by the root,
 * expired, not a CA, a path length exceeded) and S/MIME leaves whose CRL Distribution Points name a JDK HttpServer
 * of the test on the loopback that serves CRLs signed by each issuing CA.
 */
class ValidateCertRevocationIntegrationTest {
    @TempDir
    static Path dir;
    private static HttpServer crlServer;
    private static ExecutorService crlThreads;
    private static final Map<String, AtomicInteger> HITS = new ConcurrentHashMap<>();
    private static GatewayTestServer server;
    private static EasTestClient client;
    private static String crlBase;
    private static Ca root;
    private static Ca intermediate;
    private static Ca revokedIntermediate;
    private static Ca expiredIntermediate;
    private static Ca notCaIntermediate;
    private static Ca lengthLimitedIntermediate;
    private static Ca tooDeepIntermediate;
    private static String good;
    private static String revoked;
    private static String underRevokedIntermediate;
    private static String unreachableCrl;
    private static String noDistributionPoint;
    private static String slowCrl;
    private static String underExpiredIntermediate;
    private static String underNotCa;
    private static String tooDeep;
    private static List<String> chain;

    /** A CA: its key, its certificate, and the serial numbers its CRL lists. */
    private record Ca(String name, KeyPair keys, X509Certificate certificate, List<BigInteger> revoked) {
    }

    @BeforeAll
    static void start() throws Exception {
        crlThreads = Executors.newCachedThreadPool();
        crlServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        crlServer.setExecutor(crlThreads);
        crlBase = "http://127.0.0.1:" + crlServer.getAddress().getPort() + "/";
        Instant now = Instant.now();
        Instant from = now.minus(1, ChronoUnit.DAYS);
        Instant to = now.plus(365, ChronoUnit.DAYS);

        root = ca("root", null, null, from, to, Integer.MAX_VALUE);
        intermediate = ca("intermediate", root, crlBase + "root.crl", from, to, Integer.MAX_VALUE);
        revokedIntermediate = ca("revoked-intermediate", root, crlBase + "root.crl", from, to, Integer.MAX_VALUE);
        root.revoked().add(revokedIntermediate.certificate().getSerialNumber());
        expiredIntermediate = ca("expired-intermediate", root, crlBase + "root.crl",
                now.minus(400, ChronoUnit.DAYS), now.minus(30, ChronoUnit.DAYS), Integer.MAX_VALUE);
        notCaIntermediate = ca("not-ca-intermediate", root, crlBase + "root.crl", from, to, -1);
        lengthLimitedIntermediate = ca("length-limited", root, crlBase + "root.crl", from, to, 0);
        tooDeepIntermediate = ca("too-deep", lengthLimitedIntermediate, crlBase + "length-limited.crl", from, to,
                Integer.MAX_VALUE);

        good = leaf("good", intermediate, crlBase + "intermediate.crl", from, to);
        revoked = leaf("revoked", intermediate, crlBase + "intermediate.crl", from, to);
        intermediate.revoked().add(certificate(revoked).getSerialNumber());
        underRevokedIntermediate = leaf("under-revoked", revokedIntermediate, crlBase + "revoked-intermediate.crl",
                from, to);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        unreachableCrl = leaf("unreachable", intermediate, "http://127.0.0.1:" + closedPort + "/intermediate.crl",
                from, to);
        noDistributionPoint = leaf("no-dp", intermediate, null, from, to);
        slowCrl = leaf("slow", intermediate, crlBase + "slow.crl", from, to);
        underExpiredIntermediate = leaf("under-expired", expiredIntermediate, crlBase + "expired-intermediate.crl",
                from, to);
        underNotCa = leaf("under-not-ca", notCaIntermediate, crlBase + "not-ca-intermediate.crl", from, to);
        tooDeep = leaf("too-deep-leaf", tooDeepIntermediate, crlBase + "too-deep.crl", from, to);
        chain = List.of(intermediate, revokedIntermediate, expiredIntermediate, notCaIntermediate,
                lengthLimitedIntermediate, tooDeepIntermediate).stream().map(ca -> encode(ca.certificate())).toList();

        for (Ca ca : List.of(root, intermediate, revokedIntermediate, expiredIntermediate, notCaIntermediate,
                lengthLimitedIntermediate, tooDeepIntermediate)) {
            byte[] crl = crl(ca, now);
            String path = "/" + ca.name() + ".crl";
            crlServer.createContext(path, exchange -> {
                HITS.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", "application/pkix-crl");
                exchange.sendResponseHeaders(200, crl.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(crl);
                }
            });
        }
        crlServer.createContext("/slow.crl", exchange -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        crlServer.start();

        Path trustStore = dir.resolve("root.pem");
        Files.writeString(trustStore, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(root.certificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        server = GatewayTestServer.start(Map.of("validatecert.truststore", trustStore.toString()));
        client = server.client("demo", "validatecert-revocation-device");
        client.provision();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (crlServer != null) {
            crlServer.stop(0);
        }
        if (crlThreads != null) {
            crlThreads.shutdownNow();
        }
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A CA certificate; pathLength -1: no basicConstraints at all (not a CA), MAX_VALUE: no pathLenConstraint. */
    private static Ca ca(String name, Ca issuer, String crlUrl, Instant from, Instant to, int pathLength)
            throws Exception {
        KeyPair keys = keys();
        X500Principal subject = new X500Principal("CN=" + name + ",O=easgate test");
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                issuer == null ? subject : issuer.certificate().getSubjectX500Principal(), serial(),
                Date.from(from), Date.from(to), subject, keys.getPublic());
        if (pathLength == Integer.MAX_VALUE) {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        } else if (pathLength >= 0) {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
        }
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.subjectKeyIdentifier, false,
                utils.createSubjectKeyIdentifier(keys.getPublic()));
        if (issuer != null) {
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(issuer.certificate()));
        }
        if (crlUrl != null) {
            builder.addExtension(Extension.cRLDistributionPoints, false, distributionPoint(crlUrl));
        }
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(
                        issuer == null ? keys.getPrivate() : issuer.keys().getPrivate())));
        return new Ca(name, keys, certificate, new ArrayList<>());
    }

    /** An S/MIME signing certificate (digitalSignature, emailProtection), base64 DER as a client sends it. */
    private static String leaf(String name, Ca issuer, String crlUrl, Instant from, Instant to) throws Exception {
        KeyPair keys = keys();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                issuer.certificate().getSubjectX500Principal(), serial(), Date.from(from), Date.from(to),
                new X500Principal("CN=" + name + ",EMAILADDRESS=" + name + "@example.com"), keys.getPublic());
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_emailProtection));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                utils.createAuthorityKeyIdentifier(issuer.certificate()));
        if (crlUrl != null) {
            builder.addExtension(Extension.cRLDistributionPoints, false, distributionPoint(crlUrl));
        }
        return encode(new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.keys().getPrivate()))));
    }

    private static CRLDistPoint distributionPoint(String url) {
        return new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(new DistributionPointName(
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, url))), null, null)});
    }

    /** The CA's CRL (DER), current for a day. */
    private static byte[] crl(Ca ca, Instant now) throws Exception {
        X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(ca.certificate().getSubjectX500Principal(),
                Date.from(now.minus(1, ChronoUnit.HOURS)));
        builder.setNextUpdate(Date.from(now.plus(1, ChronoUnit.DAYS)));
        for (BigInteger serial : ca.revoked()) {
            builder.addCRLEntry(serial, Date.from(now.minus(2, ChronoUnit.HOURS)), CRLReason.keyCompromise);
        }
        builder.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.ONE));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate()));
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate()))
                .getEncoded();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(System.nanoTime()).abs().add(BigInteger.valueOf(SERIALS.incrementAndGet()));
    }

    private static final AtomicInteger SERIALS = new AtomicInteger();

    private static String encode(X509Certificate certificate) {
        try {
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate certificate(String base64) throws Exception {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(base64)));
    }

    /** ValidateCert with the test's intermediates as CertificateChain; checkCrl null: no CheckCRL element. */
    private static EasTestClient.Response validate(List<String> certificates, Integer checkCrl) {
        WbxmlElement.Builder request = WbxmlElement.el(CodePage.VALIDATE_CERT, "ValidateCert")
                .child("CertificateChain", c -> chain.forEach(text -> c.child("Certificate", text)))
                .child("Certificates", c -> certificates.forEach(text -> c.child("Certificate", text)));
        if (checkCrl != null) {
            request.child("CheckCRL", checkCrl);
        }
        return client.post("ValidateCert", request.build());
    }

    /** The per-certificate Status of one certificate. */
    private static String status(String certificate, Integer checkCrl) {
        EasTestClient.Response response = validate(List.of(certificate), checkCrl);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text("Status")).isEqualTo("1");
        return response.body().child("Certificate").childText("Status");
    }

    @Test
    void aGoodLeafWithCheckCrlIsValid() {
        assertThat(status(good, 1)).isEqualTo("1");
    }

    @Test
    void aRevokedLeafIs13() {
        assertThat(status(revoked, 1)).isEqualTo("13");
    }

    @Test
    void aLeafUnderARevokedIntermediateIs15() {
        assertThat(status(underRevokedIntermediate, 1)).isEqualTo("15");
    }

    @Test
    void aCrlServerThatRefusesConnectionsIs14() {
        assertThat(status(unreachableCrl, 1)).isEqualTo("14");
    }

    @Test
    void noDistributionPointNorOcspResponderIs16() {
        assertThat(status(noDistributionPoint, 1)).isEqualTo("16");
    }

    @Test
    void withoutCheckCrlARevokedLeafIsValid() {
        assertThat(status(revoked, null)).isEqualTo("1");
        assertThat(status(revoked, 0)).isEqualTo("1");
    }

    @Test
    void anExpiredIntermediateIs8() {
        assertThat(status(underExpiredIntermediate, 0)).isEqualTo("8");
        assertThat(status(underExpiredIntermediate, 1)).isEqualTo("8");
    }

    @Test
    void aCaCertificateAsTheDigitalIdIs9() {
        assertThat(status(encode(intermediate.certificate()), 0)).isEqualTo("9");
    }

    @Test
    void anIntermediateThatIsNotACaIs11() {
        assertThat(status(underNotCa, 0)).isEqualTo("11");
    }

    @Test
    void anIntermediateBeyondThePathLengthIs11() {
        assertThat(status(tooDeep, 0)).isEqualTo("11");
    }

    @Test
    void undecodableCertificateDataIs10() {
        assertThat(status("bm90IGEgY2VydGlmaWNhdGU=", 0)).isEqualTo("10"); // base64 of "not a certificate"
        assertThat(status("*** not base64 ***", 1)).isEqualTo("10");
    }

    @Test
    void eachCertificateOfOneRequestGetsItsOwnStatus() {
        EasTestClient.Response response = validate(List.of(good, revoked, underRevokedIntermediate, unreachableCrl,
                noDistributionPoint, underExpiredIntermediate, encode(root.certificate()), "AAAA"), 1);
        assertThat(response.text("Status")).isEqualTo("1");
        assertThat(response.body().children("Certificate").stream().map(c -> c.childText("Status")))
                .containsExactly("1", "13", "15", "14", "16", "8", "9", "10");
    }

    @Test
    void aFetchedCrlIsCachedUntilItsNextUpdate() {
        assertThat(status(good, 1)).isEqualTo("1");
        int fetches = HITS.get("/intermediate.crl").get();
        assertThat(status(good, 1)).isEqualTo("1");
        assertThat(status(revoked, 1)).isEqualTo("13");
        assertThat(HITS.get("/intermediate.crl").get()).isEqualTo(fetches).isEqualTo(1);
    }

    @Test
    void aCrlServerThatDoesNotAnswerInTimeIs14() throws Exception {
        // straight on the handler, with a short fetch timeout (the gateway's is 5 s)
        ValidateCertHandler handler = new ValidateCertHandler(Set.of(new TrustAnchor(root.certificate(), null)),
                new CrlFetcher(Duration.ofMillis(300), 8, 1 << 20, Clock.systemUTC()));
        long started = System.nanoTime();
        int status = handler.validate(certificate(slowCrl), List.of(intermediate.certificate()), true, new Date());
        assertThat(status).isEqualTo(14);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
}
