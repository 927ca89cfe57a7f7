package dev.loadstar.gateway.internal.config;

import dev.loadstar.gateway.config.AccessLogSettings;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Binds an HTTP listener's {@code access_logs.*} attributes (ALB's load balancer attribute names, with a path in place
 * of the S3 bucket): {@code enabled}, {@code path}, {@code rotation.max_size_mb}, {@code rotation.interval_seconds},
 * {@code rotation.max_files}, {@code queue_size}. Listeners may share a path when they share its settings.
 */
final class AccessLogBinder {

  static final String PREFIX = "access_logs.";
  static final long DEFAULT_MAX_SIZE_MB = 100;
  static final long DEFAULT_INTERVAL_SECONDS = 3600;
  static final long DEFAULT_MAX_FILES = 10;
  static final long DEFAULT_QUEUE_SIZE = 8192;

  private final Scope s;
  private final Context ctx;

  AccessLogBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

  /** The settings (null when disabled), marked invalid when a value was refused (reported). */
  Val<AccessLogSettings> settings(Obj attrs) {
    Val<Boolean> enabled = attrs.bool(PREFIX + "enabled", true);
    Val<String> path = attrs.string(PREFIX + "path");
    Val<Long> maxSize = range(attrs.integer(PREFIX + "rotation.max_size_mb", true, "a whole number 1-1048576"),
        1, 1_048_576, "1-1048576 (MiB)");
    Val<Long> interval = attrs.integer(PREFIX + "rotation.interval_seconds", true, "0 or a whole number 60-604800");
    if (interval.present() && interval.value() != 0 && (interval.value() < 60 || interval.value() > 604_800)) {
      ctx.error(interval.node(), interval.path(), interval.render() + " (expected: 0 (rotate by size only) or "
          + "60-604800 seconds)");
      interval = new Val<>(interval.path(), interval.node(), null, true);
    }
    Val<Long> maxFiles = range(attrs.integer(PREFIX + "rotation.max_files", true, "a whole number 1-1000"),
        1, 1000, "1-1000");
    Val<Long> queue = range(attrs.integer(PREFIX + "queue_size", true, "a whole number 1-1000000"),
        1, 1_000_000, "1-1000000");
    String p = path.or(AccessLogSettings.STDOUT);
    boolean invalid = enabled.invalid() || path.invalid() || maxSize.invalid() || interval.invalid()
        || maxFiles.invalid() || queue.invalid();
    if (path.present() && !p.equals(AccessLogSettings.STDOUT) && !validFile(path)) {
      invalid = true;
    }
    if (path.present() && p.equals(AccessLogSettings.STDOUT)) {
      for (Val<Long> v : java.util.List.of(maxSize, interval, maxFiles)) {
        if (v.present()) {
          ctx.error(v.node(), v.path(), v.render() + " (expected: no rotation setting with path stdout)");
          invalid = true;
        }
      }
    }
    if (invalid) {
      return new Val<>(path.path(), path.node(), null, true);
    }
    if (!enabled.or(false)) {
      return new Val<>(path.path(), path.node(), null, false);
    }
    AccessLogSettings settings = new AccessLogSettings(p, maxSize.or(DEFAULT_MAX_SIZE_MB) * 1024 * 1024,
        Duration.ofSeconds(interval.or(DEFAULT_INTERVAL_SECONDS)), maxFiles.or(DEFAULT_MAX_FILES).intValue(),
        queue.or(DEFAULT_QUEUE_SIZE).intValue());
    String key = p.equals(AccessLogSettings.STDOUT) ? p : Path.of(p).toAbsolutePath().normalize().toString();
    Scope.SharedLog first = s.accessLogs.putIfAbsent(key, new Scope.SharedLog(attrs.path(), settings));
    if (first != null && !sameOutput(first.settings(), settings)) {
      Node at = path.node() != null ? path.node() : attrs.node();
      ctx.error(at, path.path(), "\"" + p + "\" (expected: the same access_logs settings as " + first.path()
          + ", which writes to it)");
      return new Val<>(path.path(), path.node(), null, true);
    }
    return new Val<>(path.path(), path.node(), settings, false);
  }

  private static boolean sameOutput(AccessLogSettings a, AccessLogSettings b) {
    return a.maxSizeBytes() == b.maxSizeBytes() && a.rotationInterval().equals(b.rotationInterval())
        && a.maxFiles() == b.maxFiles() && a.queueSize() == b.queueSize();
  }

  private boolean validFile(Val<String> path) {
    try {
      Path f = Path.of(path.value()).toAbsolutePath();
      Path dir = f.getParent();
      if (path.value().isBlank() || dir == null || !Files.isDirectory(dir) || Files.isDirectory(f)) {
        ctx.error(path.node(), path.path(), path.render() + " (expected: stdout, or a file in an existing "
            + "directory)");
        return false;
      }
      return true;
    } catch (InvalidPathException e) {
      ctx.error(path.node(), path.path(), path.render() + " (expected: stdout, or a file path)");
      return false;
    }
  }

  private Val<Long> range(Val<Long> v, long min, long max, String expected) {
    if (v.present() && (v.value() < min || v.value() > max)) {
      ctx.error(v.node(), v.path(), v.render() + " (expected: " + expected + ")");
      return new Val<>(v.path(), v.node(), null, true);
    }
    return v;
  }
}
