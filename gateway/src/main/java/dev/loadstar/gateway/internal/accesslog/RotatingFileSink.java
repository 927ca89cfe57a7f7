package dev.loadstar.gateway.internal.accesslog;

import dev.loadstar.core.time.TimeSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Lines appended to a file that rotates when it would grow past {@code maxBytes} or once {@code intervalMillis}
 * passed since it was opened (checked when a batch is written): the file is renamed {@code <name>.<UTC time>} (with
 * {@code -1}, {@code -2}, ... when that name exists) and a new one started; only the newest {@code maxFiles} rotated
 * files are kept. A failed write closes the file; the next batch opens it again.
 */
public final class RotatingFileSink implements Sink {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private final Path path;
  private final long maxBytes;
  private final long intervalMillis;
  private final int maxFiles;
  private final TimeSource time;
  private OutputStream out;
  private long size;
  private long openedAt;

  /** A sink on {@code path}; {@code intervalMillis} 0 rotates by size only. */
  public RotatingFileSink(Path path, long maxBytes, long intervalMillis, int maxFiles, TimeSource time) {
    this.path = path.toAbsolutePath();
    this.maxBytes = maxBytes;
    this.intervalMillis = intervalMillis;
    this.maxFiles = maxFiles;
    this.time = time;
  }

  @Override
  public void write(byte[] bytes, int length) throws IOException {
    if (out == null) {
      open();
    }
    long now = time.currentTimeMillis();
    boolean full = size > 0 && size + length > maxBytes;
    boolean old = intervalMillis > 0 && size > 0 && now - openedAt >= intervalMillis;
    if (full || old) {
      rotate(now);
    }
    try {
      out.write(bytes, 0, length);
      size += length;
    } catch (IOException e) {
      closeQuietly();
      throw e;
    }
  }

  private void open() throws IOException {
    out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
    size = Files.size(path);
    openedAt = time.currentTimeMillis();
  }

  private void rotate(long now) throws IOException {
    out.close();
    out = null;
    String base = path.getFileName() + "." + STAMP.format(Instant.ofEpochMilli(now));
    Path target = path.resolveSibling(base);
    for (int i = 1; Files.exists(target); i++) {
      target = path.resolveSibling(base + "-" + i);
    }
    Files.move(path, target);
    prune();
    open();
  }

  /** Deletes the oldest rotated files beyond {@code maxFiles} (their names sort by time). */
  private void prune() throws IOException {
    List<Path> rotated = new ArrayList<>();
    String prefix = path.getFileName() + ".";
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(path.getParent(), prefix + "*")) {
      for (Path p : dir) {
        rotated.add(p);
      }
    }
    rotated.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    for (int i = 0; i < rotated.size() - maxFiles; i++) {
      Files.deleteIfExists(rotated.get(i));
    }
  }

  @Override
  public void flush() throws IOException {
    if (out != null) {
      try {
        out.flush();
      } catch (IOException e) {
        closeQuietly();
        throw e;
      }
    }
  }

  private void closeQuietly() {
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException ignored) {
      // the write already failed; the next batch opens the file again
    } finally {
      out = null;
    }
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      try {
        out.close();
      } finally {
        out = null;
      }
    }
  }

  @Override
  public String describe() {
    return path.toString();
  }
}
