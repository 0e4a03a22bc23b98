package dev.easgate.core.command.validatecert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertStoreException;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.ReasonFlags;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The mapping of PKIX failures to ValidateCert's per-certificate Status (MS-ASCMD 2.2.3.177.18), and CRL DPs. */
class ValidateCertStatusTest {
    private static CertPathValidatorException failure(CertPathValidatorException.Reason reason, int index,
            Throwable cause) {
        return new CertPathValidatorException("test", cause, null, -1, reason) {
            private static final long serialVersionUID = 1L;

            @Override
            public int getIndex() {
                return index;
            }
        };
    }

    private static int status(CertPathValidatorException.Reason reason, int index) {
        return ValidateCertHandler.status(failure(reason, index, null), List.of());
    }

    @Test
    void theLeafAndTheChainGetTheirOwnStatuses() {
        assertThat(status(BasicReason.EXPIRED, 0)).isEqualTo(7);
        assertThat(status(BasicReason.NOT_YET_VALID, 0)).isEqualTo(7);
        assertThat(status(BasicReason.EXPIRED, 1)).isEqualTo(8);
        assertThat(status(BasicReason.NOT_YET_VALID, 2)).isEqualTo(8);
        assertThat(status(BasicReason.REVOKED, 0)).isEqualTo(13);
        assertThat(status(BasicReason.REVOKED, 1)).isEqualTo(15);
        assertThat(status(PKIXReason.INVALID_KEY_USAGE, 1)).isEqualTo(11);
        assertThat(status(PKIXReason.NOT_CA_CERT, 1)).isEqualTo(11);
        assertThat(status(PKIXReason.PATH_TOO_LONG, 1)).isEqualTo(11);
    }

    @Test
    void otherReasons() {
        assertThat(status(BasicReason.INVALID_SIGNATURE, 0)).isEqualTo(3);
        assertThat(status(BasicReason.ALGORITHM_CONSTRAINED, 1)).isEqualTo(3);
        assertThat(status(PKIXReason.NO_TRUST_ANCHOR, -1)).isEqualTo(4);
        assertThat(status(PKIXReason.NAME_CHAINING, 1)).isEqualTo(5);
        assertThat(status(PKIXReason.INVALID_POLICY, 0)).isEqualTo(17);
        assertThat(status(BasicReason.UNSPECIFIED, 0)).isEqualTo(17);
    }

    @Test
    void undeterminedRevocationIs14OnlyForANetworkFailure() {
        var undetermined = BasicReason.UNDETERMINED_REVOCATION_STATUS;
        assertThat(status(undetermined, 0)).isEqualTo(16);
        // the JDK's shape: a network failure as the (wrapped) cause
        assertThat(ValidateCertHandler.status(failure(undetermined, 0,
                new CertStoreException(new ConnectException("refused"))), List.of())).isEqualTo(14);
        // or suppressed, when it fell back from one source to the other
        CertPathValidatorException first = failure(undetermined, 0, null);
        first.addSuppressed(failure(undetermined, 0, new IOException("timed out")));
        assertThat(ValidateCertHandler.status(first, List.of())).isEqualTo(14);
        // our own fetch of the failing certificate's CRL could not reach the server
        List<CrlFetcher.Result> fetched = List.of(new CrlFetcher.Result(List.of(), List.of()),
                new CrlFetcher.Result(List.of(), List.of(new ConnectException("refused"))));
        assertThat(ValidateCertHandler.status(failure(undetermined, 1, null), fetched)).isEqualTo(14);
        assertThat(ValidateCertHandler.status(failure(undetermined, 0, null), fetched)).isEqualTo(16);
        // a server that answered with something that is no CRL was reached
        assertThat(ValidateCertHandler.status(failure(undetermined, 0,
                new CrlFetcher.NotACrl("HTML, not a CRL")), List.of())).isEqualTo(16);
    }

    @Test
    void distributionPointsGiveTheirHttpUris() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Principal name = new X500Principal("CN=dp test");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                Date.from(now), Date.from(now.plus(1, ChronoUnit.DAYS)), name, keys.getPublic());
        builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
            new DistributionPoint(new DistributionPointName(new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.uniformResourceIdentifier, "ldap://ldap.example.com/cn=CA?crl"),
                new GeneralName(GeneralName.uniformResourceIdentifier, "http://crl.example.com/ca.crl")})),
                new ReasonFlags(ReasonFlags.keyCompromise), null),
            new DistributionPoint(new DistributionPointName(new GeneralNames(
                new GeneralName(GeneralName.uniformResourceIdentifier, "HTTPS://crl2.example.com/ca.crl"))),
                null, new GeneralNames(new GeneralName(GeneralName.directoryName, "CN=indirect")))}));
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        assertThat(CrlFetcher.distributionPoints(certificate))
                .containsExactly("http://crl.example.com/ca.crl", "HTTPS://crl2.example.com/ca.crl");
    }
}
