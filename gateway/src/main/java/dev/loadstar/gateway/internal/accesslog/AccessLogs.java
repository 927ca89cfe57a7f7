package dev.loadstar.gateway.internal.accesslog;

import dev.loadstar.core.time.TimeSource;
import dev.loadstar.gateway.accesslog.AccessLog;
import dev.loadstar.gateway.config.AccessLogSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's open access logs, one per destination (a file, or stdout) shared by the listeners that name it, with
 * the number of listeners using each, so that a reload closes a log once no listener writes to it.
 */
public final class AccessLogs {

  private static final System.Logger LOG = System.getLogger(AccessLogs.class.getName());
  /** How long closing waits for a log's writer (an output that stays blocked must not hold the shutdown). */
  private static final long CLOSE_WAIT_SECONDS = 5;

  private record Open(AccessLog log, AccessLogSettings settings, int[] users) {
  }

  private final TimeSource time;
  private final Map<String, Open> open = new HashMap<>();

  /** Logs reading time from {@code time} (for rotation). */
  public AccessLogs(TimeSource time) {
    this.time = time;
  }

  /** The destination key of settings: the absolute path, or {@code stdout}. */
  public static String key(AccessLogSettings s) {
    return s.toStdout() ? AccessLogSettings.STDOUT : Path.of(s.path()).toAbsolutePath().normalize().toString();
  }

  /** The log for {@code settings}, opened on first use; counts one more user. */
  public synchronized AccessLog acquire(AccessLogSettings settings) {
    Open o = open.computeIfAbsent(key(settings), k -> new Open(AccessLog.open(settings, time), settings,
        new int[1]));
    o.users()[0]++;
    return o.log();
  }

  /** One user fewer of {@code settings}' log; the last one closes it (bounded wait). */
  public synchronized CompletionStage<Void> release(AccessLogSettings settings) {
    String key = key(settings);
    Open o = open.get(key);
    if (o == null || --o.users()[0] > 0) {
      return CompletableFuture.completedFuture(null);
    }
    open.remove(key);
    return bounded(o.log());
  }

  /** Closes every log. */
  public synchronized CompletionStage<Void> closeAll() {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Open o : open.values()) {
      all.add(bounded(o.log()).toCompletableFuture());
    }
    open.clear();
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
  }

  private static CompletionStage<Void> bounded(AccessLog log) {
    return log.close().toCompletableFuture().orTimeout(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)
        .exceptionally(e -> {
          LOG.log(System.Logger.Level.WARNING, "access log " + log.destination() + " not closed within "
              + CLOSE_WAIT_SECONDS + " s (its output is blocked); " + log.queued() + " records not written");
          return null;
        });
  }
}
