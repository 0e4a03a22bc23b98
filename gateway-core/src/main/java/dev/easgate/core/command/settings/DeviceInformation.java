package dev.easgate.core.command.settings;

import dev.easgate.backends.state.DeviceRecord;
import dev.easgate.wbxml.WbxmlElement;

/**
 * What a device tells about itself in Settings:DeviceInformation/Set (MS-ASCMD 2.2.3.45), sent in a Settings
 * command or, from 14.1, inside the first Provision request (MS-ASPROV 2.2.2.53). The gateway keeps the model,
 * operating system and friendly name on the {@link DeviceRecord}; IMEI, phone number and operator are not kept.
 *
 * @param model        Model, or "" when not sent
 * @param os           OS, or ""
 * @param friendlyName FriendlyName, or ""
 */
public record DeviceInformation(String model, String os, String friendlyName) {

    /**
     * Reads a DeviceInformation element; {@code null} when it has no Set child (malformed). A field not sent is
     * "" and keeps the recorded value when applied.
     */
    public static DeviceInformation from(WbxmlElement deviceInformation) {
        WbxmlElement set = deviceInformation.child("Settings:Set");
        if (set == null) {
            return null;
        }
        return new DeviceInformation(text(set, "Settings:Model"), text(set, "Settings:OS"),
                text(set, "Settings:FriendlyName"));
    }

    private static String text(WbxmlElement parent, String name) {
        String value = parent.childText(name);
        return value == null ? "" : value.strip();
    }

    /** The record with these values; a value not sent keeps the recorded one. */
    public DeviceRecord applyTo(DeviceRecord device) {
        return device.withInformation(model.isEmpty() ? device.model() : model, os.isEmpty() ? device.os() : os,
                friendlyName.isEmpty() ? device.friendlyName() : friendlyName);
    }
}
