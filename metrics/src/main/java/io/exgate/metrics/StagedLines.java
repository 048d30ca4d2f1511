package io.exgate.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Log lines already encoded by the request threads, waiting for the writer thread. Lines are kept as
 * bytes in large reused chunks, not as records: a line costs the heap nothing once its request is
 * over, so the writer can let many gather and wake rarely (each wake-up took the CPU from the event
 * loops) without young collections copying records that wait. Bounded in lines and in bytes: a full
 * stage refuses the line and the caller counts it as dropped.
 *
 * <p>Each line is stored as its folder's index (one byte), its length (four bytes) and its bytes.
 */
final class StagedLines {
    /** Chunks are this big unless one line needs more. */
    static final int CHUNK_BYTES = 256 * 1024;
    /** Bytes staged before a request thread wakes the writer early rather than wait for its timer. */
    static final long WAKE_BYTES = 4L * CHUNK_BYTES;
    /** Whatever the line count, no more than this waits in memory: some lines carry very long headers. */
    static final long MAX_BYTES = 64L * 1024 * 1024;
    private static final int ENTRY_HEAD = 5;
    private static final int KEPT_CHUNKS = 8;
    /** Set by the writer, cleared by the one request thread that wakes it. */
    private static final VarHandle WRITER_IDLE;

    static {
        try {
            WRITER_IDLE = MethodHandles.lookup().findVarHandle(StagedLines.class, "writerIdle", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One chunk of staged lines; the writer reads it up to {@link #size}. */
    static final class Chunk {
        final byte[] bytes;
        int size;

        Chunk(int capacity) {
            bytes = new byte[capacity];
        }

        /** Hands each line of the chunk, in order, with its folder's index. */
        void forEachLine(LineSink sink) {
            for (int at = 0; at < size; ) {
                int length = (bytes[at + 1] & 0xFF) << 24 | (bytes[at + 2] & 0xFF) << 16
                        | (bytes[at + 3] & 0xFF) << 8 | (bytes[at + 4] & 0xFF);
                sink.line(bytes[at], bytes, at + ENTRY_HEAD, length);
                at += ENTRY_HEAD + length;
            }
        }
    }

    /** Receives one staged line: the folder's index and where its bytes are. */
    interface LineSink {
        void line(int folderIndex, byte[] bytes, int from, int length);
    }

    /** What {@link #add} did with a line. */
    enum Added { STAGED, STAGED_WAKE_WRITER, FULL }

    private final int maxLines;
    private final long maxBytes;
    private final ArrayDeque<Chunk> spare = new ArrayDeque<>();
    private List<Chunk> chunks = new ArrayList<>();
    private Chunk last;
    private long bytes;
    /** Read without the lock by the writer (is there anything?) and by request threads (is it asleep?). */
    private volatile int lines;
    private volatile boolean writerIdle;

    StagedLines(int maxLines, long maxBytes) {
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
    }

    /** Copies one encoded line in; refuses it when the stage is full. */
    Added add(int folderIndex, LineBytes line) {
        int size = line.size();
        boolean wake;
        synchronized (this) {
            if (lines >= maxLines || bytes + size > maxBytes) {
                return Added.FULL;
            }
            int need = ENTRY_HEAD + size;
            boolean newChunk = last == null || last.bytes.length - last.size < need;
            if (newChunk) {
                last = need > CHUNK_BYTES ? new Chunk(need) : chunk();
                chunks.add(last);
            }
            byte[] b = last.bytes;
            int at = last.size;
            b[at] = (byte) folderIndex;
            b[at + 1] = (byte) (size >>> 24);
            b[at + 2] = (byte) (size >>> 16);
            b[at + 3] = (byte) (size >>> 8);
            b[at + 4] = (byte) size;
            System.arraycopy(line.array(), 0, b, at + ENTRY_HEAD, size);
            last.size = at + need;
            bytes += size;
            wake = newChunk && bytes >= WAKE_BYTES;
            lines = lines + 1; // the volatile write that the writer's idle check pairs with
        }
        // Only the first line to find the writer asleep wakes it: every further unpark would be wasted work
        // on the request thread, and would leave a permit that ends the writer's next wait at once.
        return wake || (writerIdle && WRITER_IDLE.compareAndSet(this, true, false))
                ? Added.STAGED_WAKE_WRITER : Added.STAGED;
    }

    /** Whether so much waits that the writer should write now rather than let more gather. */
    synchronized boolean muchStaged() {
        return bytes >= WAKE_BYTES;
    }

    /** Everything staged so far, in order; the stage starts empty again. */
    synchronized List<Chunk> take() {
        if (chunks.isEmpty()) {
            return List.of();
        }
        List<Chunk> taken = chunks;
        chunks = new ArrayList<>();
        last = null;
        bytes = 0;
        lines = 0;
        return taken;
    }

    /** Gives written chunks back for reuse, keeping a few of the usual size. */
    synchronized void recycle(List<Chunk> written) {
        for (Chunk c : written) {
            if (c.bytes.length == CHUNK_BYTES && spare.size() < KEPT_CHUNKS) {
                c.size = 0;
                spare.push(c);
            }
        }
    }

    boolean isEmpty() {
        return lines == 0;
    }

    /**
     * Called by the writer before it sleeps with nothing to do, and again when it wakes. The first
     * request thread to stage a line while it is set clears it and wakes the writer: the volatile write
     * here and the one of {@code lines} in {@link #add}, each followed by a read of the other, mean that
     * one of the two always sees the other.
     */
    void writerIdle(boolean idle) {
        writerIdle = idle;
    }

    private Chunk chunk() {
        Chunk c = spare.poll();
        return c != null ? c : new Chunk(CHUNK_BYTES);
    }
}
