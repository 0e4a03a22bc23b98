package dev.easgate.core.command.validatecert;

import dev.easgate.core.command.CommandHandler;
import dev.easgate.core.command.CommandRequest;
import dev.easgate.core.command.CommandResponse;
import dev.easgate.core.config.GatewayConfig;
import dev.easgate.core.protocol.EasCommand;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * ValidateCert (MS-ASCMD 2.2.1.22): PKIX validation (RFC 5280, the JDK's CertPathValidator) of each client-supplied
 * certificate, with the CertificateChain's intermediates, against the configured trust store
 * ({@code validatecert.truststore}, a PEM bundle; default the JDK's cacerts).
 *
 * <p>Each certificate is first validated without revocation, so nothing is fetched for a certificate that does not
 * chain to a trusted CA. With CheckCRL=1 the CRLs named by the CRL Distribution Points of the certificates of the
 * path are then fetched over HTTP by {@link CrlFetcher} (all at once, bounded by a timeout, cached until their
 * nextUpdate) and handed as a CertStore to the JDK's default revocation checker, which then fetches nothing itself:
 * the JDK's own CRL fetching ({@code com.sun.security.enableCRLDP}) and OCSP (the security property
 * {@code ocsp.enable}) are off unless the JVM is configured otherwise; a certificate whose status only OCSP could
 * tell is then 16. All of this blocks, so it runs on the bounded elastic scheduler, never on an event loop.
 *
 * <p>Per-certificate Status (2.2.3.177.18): 1 valid; 3 a signature that cannot be verified (or made with an
 * algorithm the JDK refuses); 4 no trusted root; 5 a chain that cannot be built (name chaining); 6 not for e-mail
 * signing (key usage / extended key usage); 7 the certificate expired or not yet valid; 8 a certificate of the chain
 * expired or not yet valid; 9 a CA certificate sent as the digital ID; 10 certificate data that cannot be decoded;
 * 11 a certificate of the chain used wrongly (not a CA, path length exceeded, no keyCertSign); 13 revoked; 14 the
 * revocation server cannot be reached (a network failure or timeout fetching a CRL, or asking OCSP where enabled);
 * 15 a certificate of the chain revoked; 16 revocation status undetermined otherwise (no http CRL distribution
 * point, an HTTP error status, an undecodable, oversized or stale CRL); 17 any other failure. 12 (digital ID does not match the e-mail address)
 * is never given: the request carries no address. The top-level Status is 1, 2 when the request holds no
 * certificate, or 17 when the command fails.
 */
public final class ValidateCertHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ValidateCertHandler.class);
    static final int SUCCESS = 1;
    static final int PROTOCOL_ERROR = 2;
    static final int BAD_SIGNATURE = 3;
    static final int UNTRUSTED = 4;
    static final int BAD_CHAIN = 5;
    static final int NOT_FOR_EMAIL = 6;
    static final int EXPIRED = 7;
    static final int CHAIN_TIMES_INVALID = 8;
    static final int LEAF_MISUSED = 9;
    static final int UNDECODABLE = 10;
    static final int CHAIN_MISUSED = 11;
    static final int REVOKED = 13;
    static final int REVOCATION_SERVER_UNREACHABLE = 14;
    static final int CHAIN_REVOKED = 15;
    static final int REVOCATION_UNDETERMINED = 16;
    static final int SERVER_ERROR = 17;
    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    private static final String ANY_EKU = "2.5.29.37.0";

    private final Set<TrustAnchor> anchors;
    private final CrlFetcher crls;

    public ValidateCertHandler(Set<TrustAnchor> anchors) {
        this(anchors, new CrlFetcher());
    }

    ValidateCertHandler(Set<TrustAnchor> anchors, CrlFetcher crls) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("ValidateCert needs at least one trusted certificate");
        }
        this.anchors = Set.copyOf(anchors);
        this.crls = crls;
    }

    /** The trust anchors the configuration names: a PEM bundle, or the JDK's cacerts. */
    public static ValidateCertHandler fromConfig(GatewayConfig config) {
        String path = config.text(ValidateCertOptions.TRUST_STORE);
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            if (path.isEmpty()) {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                for (var manager : factory.getTrustManagers()) {
                    if (manager instanceof X509TrustManager x509) {
                        for (X509Certificate ca : x509.getAcceptedIssuers()) {
                            anchors.add(new TrustAnchor(ca, null));
                        }
                    }
                }
            } else {
                try (InputStream in = Files.newInputStream(Path.of(path))) {
                    for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        anchors.add(new TrustAnchor((X509Certificate) certificate, null));
                    }
                }
            }
            return new ValidateCertHandler(anchors);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("validatecert.truststore '" + path + "' cannot be read: " + e, e);
        }
    }

    @Override
    public EasCommand command() {
        return EasCommand.VALIDATE_CERT;
    }

    @Override
    public Mono<CommandResponse> handle(CommandRequest request) {
        WbxmlElement body = request.body();
        WbxmlElement certificates = body == null || !body.matches("ValidateCert:ValidateCert") ? null
                : body.child("ValidateCert:Certificates");
        if (certificates == null || certificates.children("ValidateCert:Certificate").isEmpty()) {
            LOG.info("validatecert refused user={} device={}: no certificates", request.user(),
                    request.deviceKey().deviceId());
            return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.VALIDATE_CERT, "ValidateCert")
                    .child("Status", PROTOCOL_ERROR).build()));
        }
        List<String> leaves = certificates.children("ValidateCert:Certificate").stream()
                .map(WbxmlElement::textOrOpaqueUtf8).toList();
        WbxmlElement chainElement = body.child("ValidateCert:CertificateChain");
        List<String> chain = chainElement == null ? List.of() : chainElement.children("ValidateCert:Certificate")
                .stream().map(WbxmlElement::textOrOpaqueUtf8).toList();
        String crl = body.childText("ValidateCert:CheckCRL");
        boolean checkCrl = crl != null && crl.strip().equals("1");
        Date now = Date.from(request.receivedAt());
        return Mono.fromCallable(() -> {
            List<X509Certificate> intermediates = new ArrayList<>();
            for (String text : chain) {
                X509Certificate c = parse(text);
                if (c != null) {
                    intermediates.add(c);
                }
            }
            WbxmlElement.Builder out = WbxmlElement.el(CodePage.VALIDATE_CERT, "ValidateCert").child("Status", SUCCESS);
            for (String text : leaves) {
                int status = validate(parse(text), intermediates, checkCrl, now);
                out.child("Certificate", c -> c.child("Status", status));
            }
            return CommandResponse.ok(out.build());
        }).subscribeOn(Schedulers.boundedElastic()) // may fetch CRLs / ask OCSP: never on an event loop
                .onErrorResume(Exception.class, e -> {
                    // 2.2.3.177.18: 17 as the child of ValidateCert, the command failed
                    LOG.warn("validatecert failed user={}: {}", request.user(), e.toString());
                    return Mono.just(CommandResponse.ok(WbxmlElement.el(CodePage.VALIDATE_CERT, "ValidateCert")
                            .child("Status", SERVER_ERROR).build()));
                });
    }

    private static X509Certificate parse(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(base64.strip());
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (IllegalArgumentException | java.security.cert.CertificateException e) {
            return null;
        }
    }

    /** The Status of one certificate (2.2.3.177.18). */
    int validate(X509Certificate leaf, List<X509Certificate> intermediates, boolean checkCrl, Date now) {
        if (leaf == null) {
            return UNDECODABLE; // 10: the digital ID information is incorrect (undecodable base64 / DER)
        }
        if (leaf.getBasicConstraints() >= 0) {
            return LEAF_MISUSED; // 9: a CA certificate sent as the end-entity digital ID
        }
        if (!forEmail(leaf)) {
            return NOT_FOR_EMAIL; // 6
        }
        List<X509Certificate> path = path(leaf, intermediates);
        List<CrlFetcher.Result> fetched = List.of();
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setDate(now);
            // without revocation first: no CRL or OCSP request for a certificate no trusted CA signed
            parameters.setRevocationEnabled(false);
            validator.validate(certPath, parameters);
            if (!checkCrl) {
                return SUCCESS;
            }
            fetched = crls.fetch(path);
            List<X509CRL> found = new ArrayList<>();
            fetched.forEach(result -> found.addAll(result.crls()));
            parameters = new PKIXParameters(anchors);
            parameters.setDate(now);
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(found)));
            // the JDK's default revocation checker, not an explicit PKIXRevocationChecker: that one always fetches
            // CRL distribution points itself too (with the JDK's timeouts, not ours); this one uses only the CRLs
            // above (OCSP first only when the JVM's security property ocsp.enable is true)
            parameters.setRevocationEnabled(true);
            validator.validate(certPath, parameters);
            return SUCCESS;
        } catch (CertPathValidatorException e) {
            int status = status(e, fetched);
            LOG.info("validatecert: status {} ({} at {}: {}) for {}", status, e.getReason(), e.getIndex(),
                    e.getMessage(), leaf.getSubjectX500Principal());
            return status;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            LOG.info("validatecert: {} for {}", e.toString(), leaf.getSubjectX500Principal());
            return SERVER_ERROR;
        }
    }

    /**
     * The Status of a failed validation (2.2.3.177.18). The exception's index is the failing certificate's position
     * in the path: 0 the digital ID itself, above 0 a certificate of its chain.
     */
    static int status(CertPathValidatorException e, List<CrlFetcher.Result> fetched) {
        var reason = e.getReason();
        boolean inChain = e.getIndex() > 0;
        if (reason == CertPathValidatorException.BasicReason.EXPIRED
                || reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return inChain ? CHAIN_TIMES_INVALID : EXPIRED; // 8 / 7
        }
        if (reason == CertPathValidatorException.BasicReason.INVALID_SIGNATURE
                || reason == CertPathValidatorException.BasicReason.ALGORITHM_CONSTRAINED) {
            return BAD_SIGNATURE; // 3
        }
        if (reason == CertPathValidatorException.BasicReason.REVOKED) {
            return inChain ? CHAIN_REVOKED : REVOKED; // 15 / 13
        }
        if (reason == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
            // 14 when a CRL fetch or the JDK's OCSP request failed on the network, else 16
            boolean unreachable = causedByNetwork(e) || (e.getIndex() >= 0 && e.getIndex() < fetched.size()
                    && !fetched.get(e.getIndex()).networkFailures().isEmpty());
            return unreachable ? REVOCATION_SERVER_UNREACHABLE : REVOCATION_UNDETERMINED;
        }
        if (reason == PKIXReason.NO_TRUST_ANCHOR) {
            return UNTRUSTED; // 4
        }
        if (reason == PKIXReason.NOT_CA_CERT || reason == PKIXReason.PATH_TOO_LONG) {
            return CHAIN_MISUSED; // 11: an intermediate that is no CA, or one CA too many below a pathLenConstraint
        }
        if (reason == PKIXReason.INVALID_KEY_USAGE) {
            return inChain ? CHAIN_MISUSED : NOT_FOR_EMAIL; // 11: an intermediate without keyCertSign
        }
        if (reason == PKIXReason.NAME_CHAINING) {
            return BAD_CHAIN; // 5
        }
        return SERVER_ERROR; // 17
    }

    /**
     * Whether an IOException (connection refused, timeout, unknown host...) lies among the causes and suppressed
     * exceptions: the JDK's revocation checker gives a network failure of its OCSP client or of its own CRL fetching
     * (both off by default, see the class comment) as the cause, and when falling back from one to the other it adds
     * the second failure as suppressed.
     */
    static boolean causedByNetwork(Throwable top) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> todo = new ArrayList<>(List.of(top));
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(todo.size() - 1);
            if (t == null || !seen.add(t)) {
                continue;
            }
            if (t instanceof IOException && !(t instanceof CrlFetcher.NotACrl)) {
                return true;
            }
            todo.add(t.getCause());
            todo.addAll(List.of(t.getSuppressed()));
        }
        return false;
    }

    /** RFC 5280 4.2.1.3 / 4.2.1.12: a signing key usage and, when EKU is present, emailProtection. */
    static boolean forEmail(X509Certificate certificate) {
        boolean[] usage = certificate.getKeyUsage();
        if (usage != null && !(usage[0] || usage[1])) {
            return false;
        }
        try {
            List<String> eku = certificate.getExtendedKeyUsage();
            return eku == null || eku.contains(EMAIL_PROTECTION) || eku.contains(ANY_EKU);
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    /** Leaf first, then issuers found among the intermediates (self-signed roots left out: they are anchors). */
    static List<X509Certificate> path(X509Certificate leaf, List<X509Certificate> intermediates) {
        List<X509Certificate> path = new ArrayList<>(List.of(leaf));
        X509Certificate current = leaf;
        for (int i = 0; i < intermediates.size(); i++) {
            X509Certificate issuer = null;
            for (X509Certificate candidate : intermediates) {
                if (candidate.getSubjectX500Principal().equals(current.getIssuerX500Principal())
                        && !path.contains(candidate)
                        && !candidate.getSubjectX500Principal().equals(candidate.getIssuerX500Principal())) {
                    issuer = candidate;
                    break;
                }
            }
            if (issuer == null) {
                break;
            }
            path.add(issuer);
            current = issuer;
        }
        return path;
    }
}
