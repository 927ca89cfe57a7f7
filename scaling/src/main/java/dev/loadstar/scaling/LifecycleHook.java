package dev.loadstar.scaling;

import dev.loadstar.core.config.Checks;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Application code that runs while an instance launches (before it is put in service, ASG's {@code Pending:Wait})
 * or terminates (after it has drained, ASG's {@code Terminating:Wait}), with a heartbeat timeout and a default
 * result used when the handler fails or does not answer in time.
 *
 * <p>Defaults are Auto Scaling's: heartbeat timeout 3600 s, default result {@code ABANDON}. Auto Scaling allows
 * 30-7200 s; Loadstar allows any timeout above zero up to 7200 s, because an embedded group's hooks are usually
 * in-process calls that answer in milliseconds.
 */
public final class LifecycleHook {

  /** The transition a hook runs in. */
  public enum Transition {
    /** An instance is launching ({@code autoscaling:EC2_INSTANCE_LAUNCHING}). */
    LAUNCHING("autoscaling:EC2_INSTANCE_LAUNCHING"),
    /** An instance is terminating ({@code autoscaling:EC2_INSTANCE_TERMINATING}). */
    TERMINATING("autoscaling:EC2_INSTANCE_TERMINATING");

    private final String apiName;

    Transition(String apiName) {
      this.apiName = apiName;
    }

    /** The name Auto Scaling uses for the transition. */
    public String apiName() {
      return apiName;
    }
  }

  /** A lifecycle action result. */
  public enum Result {
    /** Go on: put the instance in service, or terminate it. */
    CONTINUE,
    /** Launching: terminate the instance instead of putting it in service. Terminating: terminate it now. */
    ABANDON
  }

  /** Runs the hook's code; the returned future's value is the result (a failure means the default result). */
  @FunctionalInterface
  public interface Handler {
    /** Called on the group's Vert.x context; must not block. */
    Future<Result> handle(LifecycleActionContext context);
  }

  /** Auto Scaling's default heartbeat timeout: 3600 s. */
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(3600);
  /** The longest heartbeat timeout: 7200 s. */
  public static final Duration MAX_HEARTBEAT_TIMEOUT = Duration.ofSeconds(7200);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9\\-_/]{1,255}");

  private final String name;
  private final Transition transition;
  private final Handler handler;
  private final Duration heartbeatTimeout;
  private final Result defaultResult;

  private LifecycleHook(Builder b) {
    this.name = b.name;
    this.transition = b.transition;
    this.handler = b.handler;
    this.heartbeatTimeout = b.heartbeatTimeout;
    this.defaultResult = b.defaultResult;
  }

  /** A builder for a hook that runs while instances launch. */
  public static Builder launching(String name, Handler handler) {
    return new Builder(name, Transition.LAUNCHING, handler);
  }

  /** A builder for a hook that runs while instances terminate (after draining). */
  public static Builder terminating(String name, Handler handler) {
    return new Builder(name, Transition.TERMINATING, handler);
  }

  /** The hook name. */
  public String name() {
    return name;
  }

  /** The transition it runs in. */
  public Transition transition() {
    return transition;
  }

  /** The code it runs. */
  public Handler handler() {
    return handler;
  }

  /** How long the handler may take, restarted by each heartbeat. */
  public Duration heartbeatTimeout() {
    return heartbeatTimeout;
  }

  /** The result used when the handler fails or times out. */
  public Result defaultResult() {
    return defaultResult;
  }

  @Override
  public String toString() {
    return "LifecycleHook{" + name + " " + transition.apiName() + " heartbeat=" + heartbeatTimeout + " default="
        + defaultResult + "}";
  }

  /** Builds a {@link LifecycleHook}. */
  public static final class Builder {
    private final String name;
    private final Transition transition;
    private final Handler handler;
    private Duration heartbeatTimeout = DEFAULT_HEARTBEAT_TIMEOUT;
    private Result defaultResult = Result.ABANDON;

    private Builder(String name, Transition transition, Handler handler) {
      this.name = name;
      this.transition = transition;
      this.handler = handler;
    }

    /** Sets the heartbeat timeout (above zero, at most 7200 s; Auto Scaling's minimum of 30 s is not enforced). */
    public Builder heartbeatTimeout(Duration timeout) {
      this.heartbeatTimeout = Checks.notNull("heartbeatTimeout", timeout);
      return this;
    }

    /** Sets the result used on failure or timeout (default {@code ABANDON}). */
    public Builder defaultResult(Result result) {
      this.defaultResult = Checks.notNull("defaultResult", result);
      return this;
    }

    /** Validates and builds the hook. */
    public LifecycleHook build() {
      Checks.notNull("lifecycleHookName", name);
      if (!NAME.matcher(name).matches()) {
        throw Checks.invalid("lifecycleHookName", "\"" + name + "\"", "1-255 characters of letters, digits, -, _ and /");
      }
      Checks.notNull("handler", handler);
      if (heartbeatTimeout.isZero() || heartbeatTimeout.isNegative()
          || heartbeatTimeout.compareTo(MAX_HEARTBEAT_TIMEOUT) > 0) {
        throw Checks.invalid("heartbeatTimeout", heartbeatTimeout, "> PT0S and <= PT2H");
      }
      return new LifecycleHook(this);
    }
  }
}
