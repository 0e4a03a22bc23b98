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
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
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
 * ({@code validatecert.truststore}, a PEM bundle; default the JDK's cacerts). With CheckCRL=1 revocation is checked
 * (CRL distribution points, then OCSP); the validation then may touch the network and always runs on the bounded
 * elastic scheduler.
 *
 * <p>Per-certificate Status (2.2.3.177.18): 1 valid, 3 bad signature, 4 untrusted issuer, 5 malformed certificate
 * or chain, 6 not for e-mail signing (key usage / extended key usage), 7 expired or not yet valid, 11 a CA
 * certificate where an end entity was expected, 13 revoked, 14 revocation status unavailable, 15 a certificate
 * of the chain revoked, 17 other failures. The top-level Status is 1, or 2 when the request holds no
 * certificate.
 */
public final class ValidateCertHandler implements CommandHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ValidateCertHandler.class);
    static final int SUCCESS = 1;
    static final int PROTOCOL_ERROR = 2;
    static final int BAD_SIGNATURE = 3;
    static final int UNTRUSTED = 4;
    static final int MALFORMED = 5;
    static final int NOT_FOR_EMAIL = 6;
    static final int EXPIRED = 7;
    static final int WRONG_ROLE = 11;
    static final int REVOKED = 13;
    static final int REVOCATION_UNAVAILABLE = 14;
    static final int CHAIN_REVOKED = 15;
    static final int UNKNOWN = 17;
    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    private static final String ANY_EKU = "2.5.29.37.0";

    private final Set<TrustAnchor> anchors;

    public ValidateCertHandler(Set<TrustAnchor> anchors) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("ValidateCert needs at least one trusted certificate");
        }
        this.anchors = Set.copyOf(anchors);
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
        }).subscribeOn(Schedulers.boundedElastic());
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

    /** The Status of one certificate. */
    int validate(X509Certificate leaf, List<X509Certificate> intermediates, boolean checkCrl, Date now) {
        if (leaf == null) {
            return MALFORMED;
        }
        if (leaf.getBasicConstraints() >= 0) {
            return WRONG_ROLE;
        }
        if (!forEmail(leaf)) {
            return NOT_FOR_EMAIL;
        }
        try {
            List<X509Certificate> path = path(leaf, intermediates);
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setDate(now);
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            if (checkCrl) {
                PKIXRevocationChecker revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
                revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS));
                parameters.addCertPathChecker(revocation);
            } else {
                parameters.setRevocationEnabled(false);
            }
            validator.validate(certPath, parameters);
            return SUCCESS;
        } catch (CertPathValidatorException e) {
            var reason = e.getReason();
            if (reason == CertPathValidatorException.BasicReason.EXPIRED
                    || reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return EXPIRED;
            }
            if (reason == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
                return BAD_SIGNATURE;
            }
            if (reason == CertPathValidatorException.BasicReason.REVOKED) {
                return e.getIndex() > 0 ? CHAIN_REVOKED : REVOKED;
            }
            if (reason == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
                return REVOCATION_UNAVAILABLE;
            }
            if (reason == PKIXReason.NO_TRUST_ANCHOR) {
                return UNTRUSTED;
            }
            if (reason == PKIXReason.NOT_CA_CERT || reason == PKIXReason.NAME_CHAINING
                    || reason == PKIXReason.PATH_TOO_LONG) {
                return MALFORMED;
            }
            LOG.info("validatecert: {} for {}", e.getMessage(), leaf.getSubjectX500Principal());
            return UNKNOWN;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            LOG.info("validatecert: {} for {}", e.toString(), leaf.getSubjectX500Principal());
            return UNKNOWN;
        }
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
