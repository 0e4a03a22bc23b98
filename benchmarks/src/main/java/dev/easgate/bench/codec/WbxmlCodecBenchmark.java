package dev.easgate.bench.codec;

import dev.easgate.wbxml.WbxmlDecoder;
import dev.easgate.wbxml.WbxmlElement;
import dev.easgate.wbxml.WbxmlEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and encoding a 50-email Sync response and a Ping request. Each document is encoded once per trial into a
 * heap {@code byte[]} and into a pooled direct {@link ByteBuf}; decode benchmarks read one of them (the buffer's
 * reader index is reset before every operation), encode benchmarks write into a reused buffer cleared before every
 * operation or into a new array.
 *
 * <p>Scores are operations per second; multiply by the document size printed at setup (or run {@link CodecReport})
 * for MB/s. Run with {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class WbxmlCodecBenchmark {

    private final WbxmlDecoder decoder = WbxmlDecoder.DEFAULT;

    private WbxmlElement sync;
    private byte[] syncBytes;
    private ByteBuf syncBuf;

    private WbxmlElement ping;
    private byte[] pingBytes;
    private ByteBuf pingBuf;

    private ByteBuf out;

    @Setup(Level.Trial)
    public void setUp() {
        sync = Documents.syncResponse();
        syncBytes = WbxmlEncoder.encode(sync);
        syncBuf = directCopy(syncBytes);
        ping = Documents.pingRequest();
        pingBytes = WbxmlEncoder.encode(ping);
        pingBuf = directCopy(pingBytes);
        out = PooledByteBufAllocator.DEFAULT.directBuffer(syncBytes.length);
        if (!decoder.decode(syncBytes).equals(sync) || !decoder.decode(pingBytes).equals(ping)) {
            throw new IllegalStateException("the documents do not round-trip");
        }
        System.out.printf("%nsync response: %d bytes, ping request: %d bytes%n", syncBytes.length, pingBytes.length);
    }

    private static ByteBuf directCopy(byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        buf.writeBytes(bytes);
        return buf;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        syncBuf.release();
        pingBuf.release();
        out.release();
    }

    @Benchmark
    public WbxmlElement decodeSyncResponseArray() {
        return decoder.decode(syncBytes);
    }

    @Benchmark
    public WbxmlElement decodeSyncResponseByteBuf() {
        syncBuf.readerIndex(0);
        return decoder.decode(syncBuf);
    }

    @Benchmark
    public ByteBuf encodeSyncResponseByteBuf() {
        out.clear();
        WbxmlEncoder.encode(sync, out);
        return out;
    }

    @Benchmark
    public byte[] encodeSyncResponseArray() {
        return WbxmlEncoder.encode(sync);
    }

    @Benchmark
    public WbxmlElement decodePing() {
        pingBuf.readerIndex(0);
        return decoder.decode(pingBuf);
    }

    @Benchmark
    public ByteBuf encodePing() {
        out.clear();
        WbxmlEncoder.encode(ping, out);
        return out;
    }
}
