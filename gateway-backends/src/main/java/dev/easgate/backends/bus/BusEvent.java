package dev.easgate.backends.bus;

import java.util.Objects;

/** An event on a user's channel of the {@link ChangeBus}. */
public sealed interface BusEvent permits BusEvent.FolderChanged, BusEvent.DeviceParked {

    /** The user whose channel carries the event. */
    String user();

    /**
     * Something in the user's store changed.
     *
     * @param user      whose store
     * @param folderId  the folder whose items changed, or {@code null} when the publisher does not know which
     *                  (every waiting device of the user wakes for all its folders)
     * @param hierarchy whether the folder list itself changed (created, renamed, deleted folders)
     * @param publishedAtMillis when the change was published (epoch milliseconds; 0 when the publisher did not say),
     *                  for the wake latency metric from publication to the woken device's response
     * @param originDevice the id of the user's device whose own request made the change, or {@code null} (another
     *                  client, the mail server): that device's parked requests do not wake for it, since what it
     *                  wrote itself is nothing new to it
     */
    record FolderChanged(String user, String folderId, boolean hierarchy, long publishedAtMillis,
                         String originDevice) implements BusEvent {
        public FolderChanged {
            Objects.requireNonNull(user, "user");
        }

        /** A change of unknown origin. */
        public FolderChanged(String user, String folderId, boolean hierarchy, long publishedAtMillis) {
            this(user, folderId, hierarchy, publishedAtMillis, null);
        }

        /** A change of unknown origin published now. */
        public FolderChanged(String user, String folderId, boolean hierarchy) {
            this(user, folderId, hierarchy, System.currentTimeMillis());
        }

        /** Whether the device {@code deviceId} of this channel's user made the change itself. */
        public boolean madeBy(String deviceId) {
            return originDevice != null && originDevice.equals(deviceId);
        }

        /** Whether a device watching {@code watchedFolderId} must wake. */
        public boolean concerns(String watchedFolderId) {
            return folderId == null || folderId.equals(watchedFolderId);
        }
    }

    /**
     * A device parked a new Ping or long Sync on some node: any older parked request of the same device, on any
     * node, ends at once (MS-ASCMD: a newer request from a device supersedes the older one).
     *
     * @param user     the device's user
     * @param deviceId the device
     * @param parkId   unique id of the new park, so that a node does not end the park it just made
     */
    record DeviceParked(String user, String deviceId, String parkId) implements BusEvent {
        public DeviceParked {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(parkId, "parkId");
        }
    }
}
