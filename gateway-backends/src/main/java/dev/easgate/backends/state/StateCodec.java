package dev.easgate.backends.state;

import dev.easgate.backends.mail.Folder;
import dev.easgate.backends.mail.FolderType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of the state records, shared by the stores that keep them as bytes (Redis hash fields, the
 * on-disk store's blobs): a format byte, then the fields in declaration order (strings as length and UTF-8, enums
 * by name so that reordering constants cannot change stored meaning, instants as seconds and nanoseconds with a
 * presence byte when nullable). A new format gets a new first byte and the reader keeps reading the old ones.
 * Malformed bytes are an {@link IllegalStateException}.
 */
public final class StateCodec {
    private static final byte DEVICE_V1 = 1;
    private static final byte HIERARCHY_V1 = 1;
    private static final byte COLLECTION_V1 = 1;
    /** V1 and then the claim (holder, since, id); a state without a claim is still written as V1. */
    private static final byte COLLECTION_V2 = 2;

    private StateCodec() {
    }

    public static byte[] device(DeviceRecord device) {
        return write(out -> {
            out.writeByte(DEVICE_V1);
            string(out, device.key().user());
            string(out, device.key().deviceId());
            string(out, device.deviceType());
            string(out, device.userAgent());
            string(out, device.protocolVersion());
            string(out, device.model());
            string(out, device.os());
            string(out, device.friendlyName());
            out.writeLong(device.policyKey());
            out.writeLong(device.pendingPolicyKey());
            string(out, device.wipe().name());
            instant(out, device.firstSeen());
            instant(out, device.lastSync());
            instant(out, device.lastPing());
        });
    }

    public static DeviceRecord device(byte[] bytes) {
        return read(bytes, in -> {
            format(in, DEVICE_V1, "device record");
            return new DeviceRecord(new DeviceKey(string(in), string(in)), string(in), string(in), string(in),
                    string(in), string(in), string(in), in.readLong(), in.readLong(),
                    DeviceRecord.WipeState.valueOf(string(in)), instant(in), instant(in), instant(in));
        });
    }

    public static byte[] hierarchy(HierarchyState state) {
        return write(out -> {
            out.writeByte(HIERARCHY_V1);
            string(out, state.syncKey());
            string(out, state.previousKey());
            out.writeInt(state.folders().size());
            for (Folder folder : state.folders()) {
                string(out, folder.id());
                string(out, folder.parentId());
                string(out, folder.name());
                string(out, folder.type().name());
            }
            bytes(out, state.previousResponse());
        });
    }

    public static HierarchyState hierarchy(byte[] bytes) {
        return read(bytes, in -> {
            format(in, HIERARCHY_V1, "hierarchy state");
            String syncKey = string(in);
            String previousKey = string(in);
            int count = count(in);
            List<Folder> folders = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                folders.add(new Folder(string(in), string(in), string(in), FolderType.valueOf(string(in))));
            }
            return new HierarchyState(syncKey, folders, previousKey, bytes(in));
        });
    }

    public static byte[] collection(CollectionState state) {
        return write(out -> {
            CollectionState.Claim claim = state.claim();
            out.writeByte(claim == null ? COLLECTION_V1 : COLLECTION_V2);
            string(out, state.syncKey());
            out.writeLong(state.watermark());
            string(out, state.previousKey());
            out.writeInt(state.known().size());
            for (Map.Entry<String, Long> known : state.known().entrySet()) {
                string(out, known.getKey());
                out.writeLong(known.getValue());
            }
            bytes(out, state.previousResponse());
            bytes(out, state.options());
            if (claim != null) {
                string(out, claim.holder());
                instant(out, claim.since());
                string(out, claim.id());
            }
        });
    }

    public static CollectionState collection(byte[] bytes) {
        return read(bytes, in -> {
            byte format = in.readByte();
            if (format != COLLECTION_V1 && format != COLLECTION_V2) {
                throw new IllegalStateException("unknown collection state format " + format);
            }
            String syncKey = string(in);
            long watermark = in.readLong();
            String previousKey = string(in);
            int count = count(in);
            Map<String, Long> known = new HashMap<>(count * 2);
            for (int i = 0; i < count; i++) {
                known.put(string(in), in.readLong());
            }
            byte[] previousResponse = bytes(in);
            byte[] options = bytes(in);
            CollectionState.Claim claim = format == COLLECTION_V2
                    ? new CollectionState.Claim(string(in), instant(in), string(in)) : null;
            return new CollectionState(syncKey, watermark, known, previousKey, previousResponse, options, claim);
        });
    }

    // ---- primitives ---------------------------------------------------------------------------------------------

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            T value = reader.read(in);
            if (in.available() != 0) {
                throw new IllegalStateException("stored state has " + in.available() + " unexpected trailing bytes");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalStateException("stored state is truncated or corrupt: " + e, e);
        }
    }

    private static void format(DataInputStream in, byte expected, String what) throws IOException {
        byte format = in.readByte();
        if (format != expected) {
            throw new IllegalStateException("unknown " + what + " format " + format);
        }
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        bytes(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    private static void bytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value.length);
        out.write(value);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        return in.readNBytes(count(in));
    }

    private static int count(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > in.available()) {
            throw new IOException("bad length " + count);
        }
        return count;
    }

    private static void instant(DataOutputStream out, Instant value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeLong(value.getEpochSecond());
            out.writeInt(value.getNano());
        }
    }

    private static Instant instant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }
}
