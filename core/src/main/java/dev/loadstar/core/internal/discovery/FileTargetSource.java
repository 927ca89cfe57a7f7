package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.time.Backoff;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.core.config.Durations;
import dev.loadstar.core.Target;
import dev.loadstar.core.discovery.FileSourceOptions;
import dev.loadstar.core.discovery.FileSourceOptions.Format;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.discovery.TargetSourceContext;
import dev.loadstar.core.config.Checks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The {@code file} source: polls the file's properties on a Vert.x timer and re-reads it (off the event loop)
 * when its modification time or size changed, or, while it is unreadable or invalid, after an exponential
 * backoff. An invalid file keeps the last good targets; an explicitly empty list is applied.
 */
public final class FileTargetSource implements TargetSource {

  /** The type name. */
  public static final String TYPE = "file";

  private final String path;
  private final Format format;
  private final Duration pollInterval;
  private final Duration retryMaxDelay;

  /** A source with validated options. */
  public FileTargetSource(FileSourceOptions options) {
    Checks.notNull("options", options);
    this.path = Checks.notBlank("path", options.getPath());
    Format f = options.getFormat();
    if (f == null) {
      String lower = path.toLowerCase(Locale.ROOT);
      f = lower.endsWith(".yaml") || lower.endsWith(".yml") ? Format.YAML : Format.JSON;
    }
    if (f == Format.YAML && !TargetFiles.yamlAvailable()) {
      throw Checks.invalid("format", "yaml" + (options.getFormat() == null ? " (from the file name " + path + ")" : ""),
          "json, or add org.yaml:snakeyaml to the class path to read YAML");
    }
    this.format = f;
    this.pollInterval = Durations.positive("pollInterval", options.getPollInterval());
    Durations.positive("retryMaxDelay", options.getRetryMaxDelay());
    if (options.getRetryMaxDelay().compareTo(pollInterval) < 0) {
      throw Checks.invalid("retryMaxDelay", Durations.format(options.getRetryMaxDelay()),
          ">= pollInterval, " + Durations.format(pollInterval));
    }
    this.retryMaxDelay = options.getRetryMaxDelay();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Subscription start(TargetSourceContext context) {
    Run run = new Run(context);
    run.poll();
    return run::close;
  }

  @Override
  public String toString() {
    return format.name().toLowerCase(Locale.ROOT) + " file " + path;
  }

  /** Polling for one group. */
  private final class Run {
    private static final String MISSING = "missing";

    private final TargetSourceContext context;
    private final Vertx vertx;
    private final TimeSource time;
    private final Backoff backoff = new Backoff(pollInterval, retryMaxDelay);
    private volatile boolean closed;
    private long timerId = -1;
    private String lastSignature;
    private boolean failing;
    private int failures;
    private long retryAtNanos;

    Run(TargetSourceContext context) {
      this.context = context;
      this.vertx = context.vertx();
      this.time = context.time();
    }

    void poll() {
      timerId = -1;
      if (closed) {
        return;
      }
      vertx.fileSystem().props(path).onComplete(ar -> {
        if (closed) {
          return;
        }
        boolean retryDue = failing && time.nanoTime() - retryAtNanos >= 0;
        if (ar.failed()) {
          if (!MISSING.equals(lastSignature) || retryDue || !failing) {
            lastSignature = MISSING;
            failed(new TargetFileException(path, 0, 0, "cannot read the file: " + describe(ar.cause()),
                ar.cause()));
          } else {
            schedule(pollInterval);
          }
          return;
        }
        FileProps props = ar.result();
        String signature = props.lastModifiedTime() + "/" + props.size();
        if (!signature.equals(lastSignature) || retryDue) {
          read(signature);
        } else {
          schedule(pollInterval);
        }
      });
    }

    private void read(String signature) {
      vertx.executeBlocking(() -> parse(), false).onComplete(ar -> {
        if (closed) {
          return;
        }
        lastSignature = signature;
        if (ar.succeeded()) {
          failing = false;
          failures = 0;
          context.update(ar.result(), pollInterval);
          schedule(pollInterval);
        } else {
          failed(ar.cause());
        }
      });
    }

    private List<Target> parse() {
      String text;
      try {
        text = Files.readString(Path.of(path), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new TargetFileException(path, 0, 0, "cannot read the file: " + describe(e), e);
      }
      return TargetFiles.parse(path, text, format);
    }

    private void failed(Throwable cause) {
      failing = true;
      failures++;
      Duration retry = backoff.delay(failures);
      retryAtNanos = time.nanoTime() + retry.toNanos();
      context.fail(cause, retry);
      schedule(pollInterval);
    }

    private void schedule(Duration delay) {
      if (!closed) {
        timerId = time.setTimer(Math.max(1, delay.toMillis()), this::poll);
      }
    }

    Future<Void> close() {
      closed = true;
      if (timerId >= 0) {
        time.cancelTimer(timerId);
        timerId = -1;
      }
      return Future.succeededFuture();
    }
  }

  private static String describe(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c && c.getMessage() != null
        && c.getMessage().equals(String.valueOf(c.getCause()))) {
      c = c.getCause();
    }
    if (c instanceof java.nio.file.NoSuchFileException || (c.getCause() instanceof java.nio.file.NoSuchFileException)) {
      return "no such file";
    }
    if (c instanceof java.nio.file.AccessDeniedException
        || c.getCause() instanceof java.nio.file.AccessDeniedException) {
      return "access denied";
    }
    return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
  }
}
