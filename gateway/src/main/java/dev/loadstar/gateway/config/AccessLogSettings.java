package dev.loadstar.gateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how an HTTP listener's access log is written ({@code access_logs.*} listener attributes).
 *
 * @param path {@value #STDOUT} or a file path
 * @param maxSizeBytes a file rotates before it would grow past this size
 * @param rotationInterval a file rotates once it is this old (zero: by size only)
 * @param maxFiles rotated files kept (the oldest are deleted)
 * @param queueSize records waiting for the writer thread; when full, records are dropped and counted
 */
public record AccessLogSettings(String path, long maxSizeBytes, Duration rotationInterval, int maxFiles,
    int queueSize) {

  /** The path that means standard output. */
  public static final String STDOUT = "stdout";

  /** Checks the parts. */
  public AccessLogSettings {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(rotationInterval, "rotationInterval");
  }

  /** Whether the log goes to standard output. */
  public boolean toStdout() {
    return path.equals(STDOUT);
  }
}
