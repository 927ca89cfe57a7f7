package dev.loadstar.gateway.accesslog;

import dev.loadstar.core.time.TimeSource;
import dev.loadstar.gateway.config.AccessLogSettings;
import dev.loadstar.gateway.internal.accesslog.Entry;
import dev.loadstar.gateway.internal.accesslog.RotatingFileSink;
import dev.loadstar.gateway.internal.accesslog.Sink;
import dev.loadstar.gateway.internal.accesslog.StreamSink;
import dev.loadstar.routing.RequestLog;
import dev.loadstar.routing.RequestRecord;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An access log in ALB's format ({@link AccessLogFormat}), written off the event loops: {@link #log} copies the
 * record and offers it to a bounded queue (never waiting); one writer thread formats and writes batches to standard
 * output, a stream or a rotating file. When the queue is full (the output is blocked or too slow) the record is
 * dropped and counted ({@link #dropped}); a failed write (a full disk) drops its batch and counts it too. Requests
 * never wait for the log.
 */
public final class AccessLog implements RequestLog {

  /** Why a record was dropped. */
  public enum Drop {
    /** The queue was full. */
    QUEUE_FULL,
    /** Writing it failed. */
    WRITE_ERROR
  }

  private static final System.Logger LOG = System.getLogger(AccessLog.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final int BATCH = 512;
  private static final Entry POISON = new Entry(null, null, null, null, 0, null, 0, 0, 0, 0, 0, 0, 0, null, null,
      null, null, null, null, null, null, null, null, 0, null, List.of(), null, null, List.of(), List.of(), null,
      null, null);

  private final Sink sink;
  private final ArrayBlockingQueue<Entry> queue;
  private final Map<String, LongAdder[]> drops = new ConcurrentHashMap<>();
  private final LongAdder written = new LongAdder();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Thread writer;
  private volatile boolean closing;
  private long lastErrorLogMillis;

  private AccessLog(Sink sink, int queueSize) {
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize: " + queueSize + " (expected: >= 1)");
    }
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.writer = new Thread(this::run, "loadstar-access-log-" + THREADS.incrementAndGet());
    writer.setDaemon(true);
    writer.start();
  }

  /** A log as {@code settings} say: standard output, or a file that rotates. */
  public static AccessLog open(AccessLogSettings settings, TimeSource time) {
    if (settings.toStdout()) {
      return toStream(new FileOutputStream(FileDescriptor.out), "stdout", settings.queueSize());
    }
    return new AccessLog(new RotatingFileSink(Path.of(settings.path()), settings.maxSizeBytes(),
        settings.rotationInterval().toMillis(), settings.maxFiles(), time), settings.queueSize());
  }

  /** A log written to {@code out} (not closed by {@link #close()}), holding at most {@code queueSize} records. */
  public static AccessLog toStream(OutputStream out, String name, int queueSize) {
    return new AccessLog(new StreamSink(out, name, false), queueSize);
  }

  /** Copies the record and queues it; drops it (counted) when the queue is full or the log is closed. */
  @Override
  public void log(RequestRecord record) {
    Entry e = Entry.of(record);
    if (closing || !queue.offer(e)) {
      count(e.listener(), Drop.QUEUE_FULL, 1);
    }
  }

  private void count(String listener, Drop why, long n) {
    drops.computeIfAbsent(listener == null ? "" : listener, k -> new LongAdder[] {new LongAdder(), new LongAdder()})
        [why.ordinal()].add(n);
  }

  /** Records of {@code listener} dropped for {@code why}. */
  public long dropped(String listener, Drop why) {
    LongAdder[] d = drops.get(listener);
    return d == null ? 0 : d[why.ordinal()].sum();
  }

  /** Records dropped, for every listener and reason. */
  public long dropped() {
    long n = 0;
    for (LongAdder[] d : drops.values()) {
      n += d[0].sum() + d[1].sum();
    }
    return n;
  }

  /** Records written. */
  public long written() {
    return written.sum();
  }

  /** Records waiting for the writer. */
  public int queued() {
    return queue.size();
  }

  /** What the log writes to ({@code stdout} or the file's path). */
  public String destination() {
    return sink.describe();
  }

  /**
   * Stops taking records, writes those queued, closes the file and completes; the writer thread is a daemon, so an
   * output that stays blocked never keeps the process alive (bound the wait on the returned stage).
   */
  public CompletionStage<Void> close() {
    if (!closing) {
      closing = true;
      queue.offer(POISON); // wakes an idle writer; a full queue keeps it busy and it sees the flag
    }
    return closed;
  }

  private void run() {
    List<Entry> batch = new ArrayList<>(BATCH);
    StringBuilder text = new StringBuilder(64 * 1024);
    try {
      while (true) {
        Entry first = queue.poll(1, TimeUnit.SECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, BATCH - 1);
          write(batch, text);
          batch.clear();
        }
        if (queue.isEmpty()) {
          flush();
          if (closing) {
            break;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        sink.close();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "access log " + sink.describe() + ": close failed: " + e);
      }
      closed.complete(null);
    }
  }

  private void write(List<Entry> batch, StringBuilder text) {
    text.setLength(0);
    int n = 0;
    for (Entry e : batch) {
      if (e == POISON) {
        continue;
      }
      AccessLogFormat.format(e, text);
      text.append('\n');
      n++;
    }
    if (n == 0) {
      return;
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    try {
      sink.write(bytes, bytes.length);
      written.add(n);
    } catch (IOException | RuntimeException e) {
      for (Entry x : batch) {
        if (x != POISON) {
          count(x.listener(), Drop.WRITE_ERROR, 1);
        }
      }
      failed(e);
    }
  }

  private void flush() {
    try {
      sink.flush();
    } catch (IOException | RuntimeException e) {
      failed(e);
    }
  }

  /** Logs a write failure at most once a minute (a full disk fails every batch). */
  private void failed(Exception e) {
    long now = System.currentTimeMillis();
    if (now - lastErrorLogMillis >= 60_000) {
      lastErrorLogMillis = now;
      LOG.log(System.Logger.Level.WARNING, "access log " + sink.describe() + ": write failed, records dropped "
          + "and counted (AccessLogDroppedCount): " + e);
    }
  }
}
