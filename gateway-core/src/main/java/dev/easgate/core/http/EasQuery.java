package dev.easgate.core.http;

import dev.easgate.core.protocol.EasCommand;
import dev.easgate.core.protocol.ProtocolVersion;
import java.util.Map;
import java.util.Objects;

/**
 * The request line of an EAS request in either form (MS-ASHTTP 2.2.1.1.1): plain
 * {@code ?Cmd=Sync&User=u&DeviceId=d&DeviceType=t} or base64-encoded.
 *
 * @param command    the command
 * @param user       the User parameter ("" when the base64 form leaves it out)
 * @param deviceId   the DeviceId
 * @param deviceType the DeviceType
 * @param version    the protocol version (from the base64 form; {@code null} in the plain form, where it comes
 *                   from the MS-ASProtocolVersion header)
 * @param policyKey  the policy key carried by the base64 form, or {@code null} (the plain form uses the
 *                   X-MS-PolicyKey header)
 * @param parameters command parameters: AttachmentName, CollectionId, ItemId, LongId, Occurrence, SaveInSent
 *                   ("T"/"F"), AcceptMultiPart ("T"/"F")
 */
public record EasQuery(EasCommand command, String user, String deviceId, String deviceType,
                       ProtocolVersion version, Long policyKey, Map<String, String> parameters) {
    public EasQuery {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(deviceType, "deviceType");
        parameters = Map.copyOf(parameters);
    }

    /** A command parameter or {@code null}. */
    public String parameter(String name) {
        return parameters.get(name);
    }

    /** This query with one more command parameter (e.g. one the plain form carries in a header). */
    public EasQuery withParameter(String name, String value) {
        java.util.Map<String, String> more = new java.util.HashMap<>(parameters);
        more.put(name, value);
        return new EasQuery(command, user, deviceId, deviceType, version, policyKey, more);
    }

    /** Whether SaveInSent was set (plain: {@code SaveInSent=T}; base64: Options bit 0x01). */
    public boolean saveInSent() {
        return "T".equalsIgnoreCase(parameters.get("SaveInSent"));
    }
}
