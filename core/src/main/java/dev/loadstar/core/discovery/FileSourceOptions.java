package dev.loadstar.core.discovery;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Durations;
import dev.loadstar.core.config.Params;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;

/**
 * Options of the {@code file} target source, Vert.x style; {@link TargetSource#file} validates them.
 *
 * <p>The file holds a list of targets, either as the whole document or under a {@code targets} key; each target
 * is {@code "host:port"} or an object with {@code host}, {@code port} and optionally {@code id} (default
 * {@code host:port}), {@code weight}, {@code zone} and {@code metadata}. The file's properties are polled every
 * {@link #setPollInterval pollInterval} and it is re-read when its modification time or size changes.
 */
public class FileSourceOptions {

  /** The file's format. */
  public enum Format {
    /** JSON. */
    JSON,
    /** YAML (needs {@code org.yaml:snakeyaml} on the class path). */
    YAML
  }

  /** Default poll interval: 1 s. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
  /** Default longest retry delay while the file stays unreadable or invalid: 30 s. */
  public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(30);

  private String path;
  private Format format;
  private Duration pollInterval = DEFAULT_POLL_INTERVAL;
  private Duration retryMaxDelay = DEFAULT_RETRY_MAX_DELAY;

  /** Options with the defaults (a path must still be set). */
  public FileSourceOptions() {
  }

  /** A copy of other options. */
  public FileSourceOptions(FileSourceOptions other) {
    this.path = other.path;
    this.format = other.format;
    this.pollInterval = other.pollInterval;
    this.retryMaxDelay = other.retryMaxDelay;
  }

  /** Options from JSON: keys are the setter names. Fails on a wrongly typed value or an unknown key. */
  public FileSourceOptions(JsonObject json) {
    Params p = new Params(json);
    path = p.string("path");
    String f = p.string("format");
    if (f != null) {
      try {
        format = Format.valueOf(f.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw Checks.invalid("format", Params.render(f), "json or yaml");
      }
    }
    Duration poll = p.duration("pollInterval");
    if (poll != null) {
      pollInterval = poll;
    }
    Duration retry = p.duration("retryMaxDelay");
    if (retry != null) {
      retryMaxDelay = retry;
    }
    p.rejectUnknown();
  }

  /** The JSON form. */
  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    if (path != null) {
      j.put("path", path);
    }
    if (format != null) {
      j.put("format", format.name().toLowerCase(Locale.ROOT));
    }
    j.put("pollInterval", Durations.format(pollInterval));
    j.put("retryMaxDelay", Durations.format(retryMaxDelay));
    return j;
  }

  /** The file's path. */
  public String getPath() {
    return path;
  }

  /** Sets the file's path (required). */
  public FileSourceOptions setPath(String path) {
    this.path = path;
    return this;
  }

  /** The format, or {@code null} to choose by extension ({@code .yaml}/{@code .yml}: YAML, else JSON). */
  public Format getFormat() {
    return format;
  }

  /** Sets the format ({@code null}: by extension). */
  public FileSourceOptions setFormat(Format format) {
    this.format = format;
    return this;
  }

  /** How often the file's properties are checked (default 1 s). */
  public Duration getPollInterval() {
    return pollInterval;
  }

  /** Sets how often the file's properties are checked (> 0). */
  public FileSourceOptions setPollInterval(Duration pollInterval) {
    this.pollInterval = pollInterval;
    return this;
  }

  /**
   * The longest delay between re-reads of a file that stays unreadable or invalid without changing (default
   * 30 s; the delay starts at the poll interval and doubles). A changed file is re-read at the next poll.
   */
  public Duration getRetryMaxDelay() {
    return retryMaxDelay;
  }

  /** Sets the longest retry delay (>= pollInterval). */
  public FileSourceOptions setRetryMaxDelay(Duration retryMaxDelay) {
    this.retryMaxDelay = retryMaxDelay;
    return this;
  }

  @Override
  public String toString() {
    return "FileSourceOptions" + toJson().encode();
  }
}
