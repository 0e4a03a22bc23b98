package dev.easgate.core.policy;

import dev.easgate.core.protocol.ProtocolVersion;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.codepage.CodePage;
import dev.easgate.wbxml.codepage.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The security policy the gateway hands out in Provision (MS-ASPROV 2.2.2.28 EASProvisionDoc), built once at start
 * from the {@code policy.<Element>=<value>} options over the defaults below, and validated then: an option naming
 * no EASProvisionDoc element of the Provision code page, or a value the element cannot take, stops the gateway with
 * a message naming the option.
 *
 * <p>The defaults are what a hosting provider without device management expects: no device password, nothing
 * forbidden, no filters. Emitted by default (MS-ASPROV section in brackets):
 * <ul>
 *   <li>12.0+: DevicePasswordEnabled 0 [2.2.2.25] (no password required), AlphanumericDevicePasswordRequired 0
 *       [2.2.2.20], PasswordRecoveryEnabled 0 [2.2.2.39], AttachmentsEnabled 1 [2.2.2.23],
 *       AllowSimpleDevicePassword 1 [2.2.2.12]</li>
 *   <li>12.1+: RequireStorageCardEncryption 0 [2.2.2.52], AllowStorageCard 1, AllowCamera 1, RequireDeviceEncryption 0, AllowUnsignedApplications 1,
 *       AllowUnsignedInstallationPackages 1, AllowWiFi 1, AllowTextMessaging 1, AllowPOPIMAPEmail 1,
 *       AllowBluetooth 2 (allow all), AllowIrDA 1, RequireManualSyncWhenRoaming 0, AllowDesktopSync 1,
 *       MaxCalendarAgeFilter 0 (all), AllowHTMLEmail 1, MaxEmailAgeFilter 0 (all), RequireSignedSMIMEMessages 0,
 *       RequireEncryptedSMIMEMessages 0, AllowSMIMESoftCerts 1, AllowBrowser 1, AllowConsumerEmail 1,
 *       AllowRemoteDesktop 1, AllowInternetSharing 1</li>
 * </ul>
 * The password details (MinDevicePasswordLength, MaxInactivityTimeDeviceLock, MaxDevicePasswordFailedAttempts,
 * DevicePasswordExpiration, DevicePasswordHistory, MinDevicePasswordComplexCharacters), the size limits
 * (MaxAttachmentSize, MaxEmailBodyTruncationSize, MaxEmailHTMLBodyTruncationSize) and the S/MIME algorithms are not
 * emitted unless configured; an option with an empty value is emitted as an empty element, which MS-ASPROV
 * 3.2.5.1.1 defines as "unset". The application lists (ApprovedApplicationList, UnapprovedInROMApplicationList) are
 * containers and cannot be configured.
 *
 * <p>Elements introduced in 12.1 are left out for 12.0 clients. For 2.5 clients (PolicyType MS-WAP-Provisioning-XML,
 * MS-ASPROV 2.2.2.24.2) {@link #wapProvisioningDoc()} gives a minimal document with only the password requirement
 * (SecurityPolicy 4131: 1 = no password required).
 */
public final class PolicyDocument {

    /** The values an element takes. */
    private enum Kind {
        /** 0 or 1 (MS-ASDTYPE boolean). */
        BOOLEAN(0, 1),
        /** A non-negative integer, or empty for "no limit". */
        NUMBER(0, Long.MAX_VALUE),
        /** AllowBluetooth: 0 disabled, 1 hands-free only, 2 allowed [2.2.2.2]. */
        BLUETOOTH(0, 2),
        /** MaxCalendarAgeFilter: 0 all, 4 two weeks, 5 one month, 6 three months, 7 six months [2.2.2.31]. */
        CALENDAR_FILTER(0, 7),
        /** MaxEmailAgeFilter: 0 all, 1 one day ... 5 one month [2.2.2.33]. */
        EMAIL_FILTER(0, 5),
        /** RequireSignedSMIMEAlgorithm: 0 SHA1, 1 MD5 [2.2.2.51]. */
        SIGNING_ALGORITHM(0, 1),
        /** RequireEncryptionSMIMEAlgorithm: 0 TripleDES ... 4 RC2 40-bit [2.2.2.49]. */
        ENCRYPTION_ALGORITHM(0, 4),
        /** AllowSMIMEEncryptionAlgorithmNegotiation: 0 no, 1 strong only, 2 any [2.2.2.13]. */
        NEGOTIATION(0, 2);

        final long min;
        final long max;

        Kind(long min, long max) {
            this.min = min;
            this.max = max;
        }

        boolean accepts(String value) {
            if (value.isEmpty()) {
                return this == NUMBER;
            }
            if (!value.chars().allMatch(c -> c >= '0' && c <= '9') || value.length() > 18) {
                return false;
            }
            long number = Long.parseLong(value);
            if (this == CALENDAR_FILTER && number >= 1 && number <= 3) {
                return false;
            }
            return number >= min && number <= max;
        }

        String describe() {
            return switch (this) {
                case BOOLEAN -> "0 or 1";
                case NUMBER -> "a non-negative number or empty";
                case CALENDAR_FILTER -> "0, 4, 5, 6 or 7";
                default -> "a number from " + min + " to " + max;
            };
        }
    }

    /** One configurable element: its kind and the first protocol version that knows it. */
    private record Spec(Kind kind, ProtocolVersion since) {
    }

    private static final Map<String, Spec> ELEMENTS = elements();

    private static Map<String, Spec> elements() {
        Map<String, Spec> m = new LinkedHashMap<>();
        ProtocolVersion v12 = ProtocolVersion.V12_0;
        ProtocolVersion v121 = ProtocolVersion.V12_1;
        m.put("DevicePasswordEnabled", new Spec(Kind.BOOLEAN, v12));
        m.put("AlphanumericDevicePasswordRequired", new Spec(Kind.BOOLEAN, v12));
        m.put("RequireStorageCardEncryption", new Spec(Kind.BOOLEAN, v121)); // MS-ASPROV 2.2.2.52: 12.1+
        m.put("PasswordRecoveryEnabled", new Spec(Kind.BOOLEAN, v12));
        m.put("AttachmentsEnabled", new Spec(Kind.BOOLEAN, v12));
        m.put("MinDevicePasswordLength", new Spec(Kind.NUMBER, v12));
        m.put("MaxInactivityTimeDeviceLock", new Spec(Kind.NUMBER, v12));
        m.put("MaxDevicePasswordFailedAttempts", new Spec(Kind.NUMBER, v12));
        m.put("MaxAttachmentSize", new Spec(Kind.NUMBER, v12));
        m.put("AllowSimpleDevicePassword", new Spec(Kind.BOOLEAN, v12));
        m.put("DevicePasswordExpiration", new Spec(Kind.NUMBER, v12));
        m.put("DevicePasswordHistory", new Spec(Kind.NUMBER, v12));
        m.put("AllowStorageCard", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowCamera", new Spec(Kind.BOOLEAN, v121));
        m.put("RequireDeviceEncryption", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowUnsignedApplications", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowUnsignedInstallationPackages", new Spec(Kind.BOOLEAN, v121));
        m.put("MinDevicePasswordComplexCharacters", new Spec(Kind.NUMBER, v121));
        m.put("AllowWiFi", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowTextMessaging", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowPOPIMAPEmail", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowBluetooth", new Spec(Kind.BLUETOOTH, v121));
        m.put("AllowIrDA", new Spec(Kind.BOOLEAN, v121));
        m.put("RequireManualSyncWhenRoaming", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowDesktopSync", new Spec(Kind.BOOLEAN, v121));
        m.put("MaxCalendarAgeFilter", new Spec(Kind.CALENDAR_FILTER, v121));
        m.put("AllowHTMLEmail", new Spec(Kind.BOOLEAN, v121));
        m.put("MaxEmailAgeFilter", new Spec(Kind.EMAIL_FILTER, v121));
        m.put("MaxEmailBodyTruncationSize", new Spec(Kind.NUMBER, v121));
        m.put("MaxEmailHTMLBodyTruncationSize", new Spec(Kind.NUMBER, v121));
        m.put("RequireSignedSMIMEMessages", new Spec(Kind.BOOLEAN, v121));
        m.put("RequireEncryptedSMIMEMessages", new Spec(Kind.BOOLEAN, v121));
        m.put("RequireSignedSMIMEAlgorithm", new Spec(Kind.SIGNING_ALGORITHM, v121));
        m.put("RequireEncryptionSMIMEAlgorithm", new Spec(Kind.ENCRYPTION_ALGORITHM, v121));
        m.put("AllowSMIMEEncryptionAlgorithmNegotiation", new Spec(Kind.NEGOTIATION, v121));
        m.put("AllowSMIMESoftCerts", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowBrowser", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowConsumerEmail", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowRemoteDesktop", new Spec(Kind.BOOLEAN, v121));
        m.put("AllowInternetSharing", new Spec(Kind.BOOLEAN, v121));
        for (String name : m.keySet()) {
            if (CodePage.PROVISION.tag(name) == null) {
                throw new IllegalStateException("policy element " + name + " is not on the Provision code page");
            }
        }
        return m;
    }

    /** The defaults (see the class comment). */
    static final Map<String, String> DEFAULTS = defaultValues();

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("DevicePasswordEnabled", "0");
        d.put("AlphanumericDevicePasswordRequired", "0");
        d.put("PasswordRecoveryEnabled", "0");
        d.put("RequireStorageCardEncryption", "0");
        d.put("AttachmentsEnabled", "1");
        d.put("AllowSimpleDevicePassword", "1");
        for (String allowed : List.of("AllowStorageCard", "AllowCamera", "AllowUnsignedApplications",
                "AllowUnsignedInstallationPackages", "AllowWiFi", "AllowTextMessaging", "AllowPOPIMAPEmail",
                "AllowIrDA", "AllowDesktopSync", "AllowHTMLEmail", "AllowSMIMESoftCerts", "AllowBrowser",
                "AllowConsumerEmail", "AllowRemoteDesktop", "AllowInternetSharing")) {
            d.put(allowed, "1");
        }
        d.put("AllowBluetooth", "2");
        d.put("RequireDeviceEncryption", "0");
        d.put("RequireManualSyncWhenRoaming", "0");
        d.put("MaxCalendarAgeFilter", "0");
        d.put("MaxEmailAgeFilter", "0");
        d.put("RequireSignedSMIMEMessages", "0");
        d.put("RequireEncryptedSMIMEMessages", "0");
        return Map.copyOf(d);
    }

    /** Element name to value, in Provision code page token order (so the document is always written the same). */
    private final Map<String, String> settings;

    private PolicyDocument(Map<String, String> settings) {
        this.settings = settings;
    }

    /** The default policy. */
    public static PolicyDocument defaults() {
        return of(Map.of());
    }

    /**
     * The policy from configured element names to values over the defaults.
     *
     * @throws IllegalArgumentException naming the first unknown element or invalid value
     */
    public static PolicyDocument of(Map<String, String> configured) {
        Objects.requireNonNull(configured, "configured");
        Map<String, String> merged = new TreeMap<>(Comparator.comparingInt(PolicyDocument::token));
        merged.putAll(DEFAULTS);
        for (Map.Entry<String, String> e : new TreeMap<>(configured).entrySet()) {
            String name = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().strip();
            Spec spec = ELEMENTS.get(name);
            if (spec == null) {
                Tag tag = CodePage.PROVISION.tag(name);
                throw new IllegalArgumentException("policy." + name + ": " + (tag == null
                        ? "no such element on the Provision code page (MS-ASWBXML 2.1.2.1.15)"
                        : "not a configurable EASProvisionDoc setting (MS-ASPROV 2.2.2.28)")
                        + "; known: " + String.join(", ", ELEMENTS.keySet()));
            }
            if (!spec.kind().accepts(value)) {
                throw new IllegalArgumentException("policy." + name + "='" + value + "': must be "
                        + spec.kind().describe());
            }
            merged.put(name, value);
        }
        return new PolicyDocument(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(merged)));
    }

    private static int token(String name) {
        return CodePage.PROVISION.require(name).token();
    }

    /** Element name to value as emitted to the newest clients, in document order. */
    public Map<String, String> settings() {
        return settings;
    }

    /** Whether the policy asks for a device password. */
    public boolean passwordRequired() {
        return "1".equals(settings.get("DevicePasswordEnabled"));
    }

    /** The EASProvisionDoc element for a client of {@code version} (12.0+), without elements it does not know. */
    public WbxmlElement easProvisionDoc(ProtocolVersion version) {
        WbxmlElement.Builder doc = WbxmlElement.el(CodePage.PROVISION, "EASProvisionDoc");
        List<String> names = new ArrayList<>(settings.keySet());
        for (String name : names) {
            if (version.atLeast(ELEMENTS.get(name).since())) {
                String value = settings.get(name);
                if (value.isEmpty()) {
                    doc.empty(name);
                } else {
                    doc.child(name, value);
                }
            }
        }
        return doc.build();
    }

    /**
     * The Data text for PolicyType MS-WAP-Provisioning-XML (protocol 2.5, MS-ASPROV 2.2.2.24.2): only the password
     * requirement, SecurityPolicy 4131 (0: a password is required, 1: it is not).
     */
    public String wapProvisioningDoc() {
        return "<wap-provisioningdoc><characteristic type=\"SecurityPolicy\"><parm name=\"4131\" value=\""
                + (passwordRequired() ? "0" : "1") + "\"/></characteristic></wap-provisioningdoc>";
    }

    @Override
    public String toString() {
        return settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "PolicyDocument[", "]"));
    }
}
