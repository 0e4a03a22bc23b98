package dev.easgate.core.command.itemops;

import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The multipart ItemOperations response (MS-ASCMD 2.2.1.10.1): a 32-bit little-endian part count, then an
 * (offset, length) pair of 32-bit little-endian integers per part, then the parts; part 0 is the WBXML response,
 * whose ItemOperations:Part elements name the parts holding the data.
 */
final class MultipartResponse {
    static final String CONTENT_TYPE = "application/vnd.ms-sync.multipart";

    private MultipartResponse() {
    }

    static byte[] encode(WbxmlElement response, List<byte[]> dataParts) {
        byte[] wbxml = WbxmlEncoder.encode(response);
        int parts = 1 + dataParts.size();
        long total = 4L + 8L * parts + wbxml.length;
        for (byte[] part : dataParts) {
            total += part.length;
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("multipart response too large");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(parts);
        int offset = 4 + 8 * parts;
        out.putInt(offset).putInt(wbxml.length);
        offset += wbxml.length;
        for (byte[] part : dataParts) {
            out.putInt(offset).putInt(part.length);
            offset += part.length;
        }
        out.put(wbxml);
        for (byte[] part : dataParts) {
            out.put(part);
        }
        return out.array();
    }
}
