package dev.loadstar.scaling;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.config.Checks;
import dev.loadstar.scaling.spi.InstanceProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The immutable settings of a {@link ScalingGroup}, with Auto Scaling's names and defaults.
 *
 * <p>Built with {@link #builder(String, LaunchTemplate)}; {@link Builder#build()} validates every field and fails
 * with {@code name: value (expected: ...)}. Where Loadstar allows shorter periods than Auto Scaling (intervals
 * below a minute, short heartbeats) it is because an embedded group reacts to in-process events.
 */
public final class ScalingGroupConfig {

  /** Auto Scaling's {@code DefaultCooldown}: 300 s. */
  public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(300);
  /** How often the provider is asked about the instances by default: 10 s. */
  public static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(10);
  /** How often policies are evaluated by default: 60 s (one CloudWatch period). */
  public static final Duration DEFAULT_MONITORING_INTERVAL = Duration.ofSeconds(60);
  /** First retry delay after a failed launch by default: 10 s. */
  public static final Duration DEFAULT_LAUNCH_BACKOFF_INITIAL = Duration.ofSeconds(10);
  /** Longest retry delay after failed launches by default: 300 s. */
  public static final Duration DEFAULT_LAUNCH_BACKOFF_MAX = Duration.ofSeconds(300);
  /** Auto Scaling's limit of policies, lifecycle hooks and target groups per group. */
  public static final int MAX_PER_GROUP = 50;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9\\-_.]{1,255}");

  private final String name;
  private final LaunchTemplate launchTemplate;
  private final InstanceProvider provider;
  private final int minSize;
  private final int maxSize;
  private final int desiredCapacity;
  private final HealthCheckType healthCheckType;
  private final Duration healthCheckGracePeriod;
  private final Duration healthCheckInterval;
  private final Duration monitoringInterval;
  private final Duration defaultCooldown;
  private final Duration defaultInstanceWarmup;
  private final TerminationPolicy terminationPolicy;
  private final boolean newInstancesProtectedFromScaleIn;
  private final Duration launchBackoffInitial;
  private final Duration launchBackoffMax;
  private final List<TargetGroup> targetGroups;
  private final List<ScalingPolicy> policies;
  private final List<LifecycleHook> lifecycleHooks;
  private final Clock clock;

  private ScalingGroupConfig(Builder b) {
    this.name = b.name;
    this.launchTemplate = b.launchTemplate;
    this.provider = b.provider;
    this.minSize = b.minSize;
    this.maxSize = b.maxSize;
    this.desiredCapacity = b.desiredCapacity == null ? b.minSize : b.desiredCapacity;
    this.healthCheckType = b.healthCheckType;
    this.healthCheckGracePeriod = b.healthCheckGracePeriod;
    this.healthCheckInterval = b.healthCheckInterval;
    this.monitoringInterval = b.monitoringInterval;
    this.defaultCooldown = b.defaultCooldown;
    this.defaultInstanceWarmup = b.defaultInstanceWarmup;
    this.terminationPolicy = b.terminationPolicy;
    this.newInstancesProtectedFromScaleIn = b.newInstancesProtectedFromScaleIn;
    this.launchBackoffInitial = b.launchBackoffInitial;
    this.launchBackoffMax = b.launchBackoffMax;
    this.targetGroups = Collections.unmodifiableList(new ArrayList<>(b.targetGroups));
    this.policies = Collections.unmodifiableList(new ArrayList<>(b.policies));
    this.lifecycleHooks = Collections.unmodifiableList(new ArrayList<>(b.lifecycleHooks));
    this.clock = b.clock;
  }

  /** A builder for a group of the given name launching from the given template. */
  public static Builder builder(String name, LaunchTemplate launchTemplate) {
    return new Builder(name, launchTemplate);
  }

  /** The group name ({@code AutoScalingGroupName}). */
  public String name() {
    return name;
  }

  /** What instances are launched from. */
  public LaunchTemplate launchTemplate() {
    return launchTemplate;
  }

  /** The provider given explicitly, or {@code null} to look the template's provider up by name. */
  public InstanceProvider provider() {
    return provider;
  }

  /** {@code MinSize}. */
  public int minSize() {
    return minSize;
  }

  /** {@code MaxSize}. */
  public int maxSize() {
    return maxSize;
  }

  /** {@code DesiredCapacity} at start (defaults to {@code MinSize}). */
  public int desiredCapacity() {
    return desiredCapacity;
  }

  /** {@code HealthCheckType} at start (default {@code PROVIDER}, ASG's {@code EC2}). */
  public HealthCheckType healthCheckType() {
    return healthCheckType;
  }

  /** {@code HealthCheckGracePeriod}: load balancer health is ignored this long after an instance goes in service (default 0, as the API). */
  public Duration healthCheckGracePeriod() {
    return healthCheckGracePeriod;
  }

  /** How often the provider is asked whether the instances are still running (default 10 s). */
  public Duration healthCheckInterval() {
    return healthCheckInterval;
  }

  /** How often policy metrics are sampled and policies evaluated (default 60 s). */
  public Duration monitoringInterval() {
    return monitoringInterval;
  }

  /** {@code DefaultCooldown}: how long policies wait after a policy-driven activity ended (default 300 s). */
  public Duration defaultCooldown() {
    return defaultCooldown;
  }

  /** {@code DefaultInstanceWarmup}: how long a new instance stays out of policy metrics (zero = off, the default). */
  public Duration defaultInstanceWarmup() {
    return defaultInstanceWarmup;
  }

  /** Which instances scale-in terminates first (default {@code OldestInstance}). */
  public TerminationPolicy terminationPolicy() {
    return terminationPolicy;
  }

  /** {@code NewInstancesProtectedFromScaleIn} (default false). */
  public boolean newInstancesProtectedFromScaleIn() {
    return newInstancesProtectedFromScaleIn;
  }

  /** Delay before the first retry after a failed launch; it doubles per consecutive failure (default 10 s). */
  public Duration launchBackoffInitial() {
    return launchBackoffInitial;
  }

  /** The longest retry delay after failed launches (default 300 s). */
  public Duration launchBackoffMax() {
    return launchBackoffMax;
  }

  /** Target groups attached at start. */
  public List<TargetGroup> targetGroups() {
    return targetGroups;
  }

  /** Scaling policies. */
  public List<ScalingPolicy> policies() {
    return policies;
  }

  /** Lifecycle hooks. */
  public List<LifecycleHook> lifecycleHooks() {
    return lifecycleHooks;
  }

  /**
   * The clock activity times are read from, or {@code null} (the default): the group then reads them from its
   * {@link dev.loadstar.core.time.TimeSource} ({@link ScalingGroup#create(io.vertx.core.Vertx, ScalingGroupConfig,
   * dev.loadstar.core.time.TimeSource)}).
   */
  public Clock clock() {
    return clock;
  }

  /** Checks {@code minSize <= desiredCapacity <= maxSize} with the standard messages. */
  public static void checkCapacity(int minSize, int desiredCapacity, int maxSize) {
    if (minSize < 0) {
      throw Checks.invalid("minSize", minSize, ">= 0");
    }
    if (maxSize < minSize) {
      throw Checks.invalid("maxSize", maxSize, ">= minSize " + minSize);
    }
    if (desiredCapacity < minSize || desiredCapacity > maxSize) {
      throw Checks.invalid("desiredCapacity", desiredCapacity,
          "minSize " + minSize + " <= desiredCapacity <= maxSize " + maxSize);
    }
  }

  @Override
  public String toString() {
    return "ScalingGroupConfig{" + name + " " + launchTemplate + " min=" + minSize + " desired=" + desiredCapacity
        + " max=" + maxSize + " " + healthCheckType.apiName() + "}";
  }

  /** Builds a {@link ScalingGroupConfig}. */
  public static final class Builder {
    private final String name;
    private final LaunchTemplate launchTemplate;
    private InstanceProvider provider;
    private int minSize;
    private int maxSize;
    private Integer desiredCapacity;
    private HealthCheckType healthCheckType = HealthCheckType.PROVIDER;
    private Duration healthCheckGracePeriod = Duration.ZERO;
    private Duration healthCheckInterval = DEFAULT_HEALTH_CHECK_INTERVAL;
    private Duration monitoringInterval = DEFAULT_MONITORING_INTERVAL;
    private Duration defaultCooldown = DEFAULT_COOLDOWN;
    private Duration defaultInstanceWarmup = Duration.ZERO;
    private TerminationPolicy terminationPolicy = TerminationPolicy.OLDEST_INSTANCE;
    private boolean newInstancesProtectedFromScaleIn;
    private Duration launchBackoffInitial = DEFAULT_LAUNCH_BACKOFF_INITIAL;
    private Duration launchBackoffMax = DEFAULT_LAUNCH_BACKOFF_MAX;
    private final List<TargetGroup> targetGroups = new ArrayList<>();
    private final List<ScalingPolicy> policies = new ArrayList<>();
    private final List<LifecycleHook> lifecycleHooks = new ArrayList<>();
    private Clock clock;

    private Builder(String name, LaunchTemplate launchTemplate) {
      this.name = name;
      this.launchTemplate = launchTemplate;
    }

    /** Uses this provider instead of looking the template's provider up by name (the caller closes it). */
    public Builder provider(InstanceProvider provider) {
      this.provider = provider;
      return this;
    }

    /** Sets {@code MinSize}, {@code DesiredCapacity} and {@code MaxSize}. */
    public Builder capacity(int minSize, int desiredCapacity, int maxSize) {
      this.minSize = minSize;
      this.desiredCapacity = desiredCapacity;
      this.maxSize = maxSize;
      return this;
    }

    /** Sets the health check type. */
    public Builder healthCheckType(HealthCheckType type) {
      this.healthCheckType = Checks.notNull("healthCheckType", type);
      return this;
    }

    /** Sets the health check grace period (>= 0). */
    public Builder healthCheckGracePeriod(Duration period) {
      this.healthCheckGracePeriod = Checks.notNull("healthCheckGracePeriod", period);
      return this;
    }

    /** Sets how often the provider is asked about the instances (> 0). */
    public Builder healthCheckInterval(Duration interval) {
      this.healthCheckInterval = Checks.notNull("healthCheckInterval", interval);
      return this;
    }

    /** Sets how often policies are evaluated (> 0). */
    public Builder monitoringInterval(Duration interval) {
      this.monitoringInterval = Checks.notNull("monitoringInterval", interval);
      return this;
    }

    /** Sets the cooldown after policy-driven activities (>= 0). */
    public Builder defaultCooldown(Duration cooldown) {
      this.defaultCooldown = Checks.notNull("defaultCooldown", cooldown);
      return this;
    }

    /** Sets the instance warmup (0-3600 s; zero = off). */
    public Builder defaultInstanceWarmup(Duration warmup) {
      this.defaultInstanceWarmup = Checks.notNull("defaultInstanceWarmup", warmup);
      return this;
    }

    /** Sets the termination policy. */
    public Builder terminationPolicy(TerminationPolicy policy) {
      this.terminationPolicy = Checks.notNull("terminationPolicy", policy);
      return this;
    }

    /** Sets whether new instances start protected from scale-in. */
    public Builder newInstancesProtectedFromScaleIn(boolean protect) {
      this.newInstancesProtectedFromScaleIn = protect;
      return this;
    }

    /** Sets the launch retry backoff: first delay and longest delay. */
    public Builder launchBackoff(Duration initial, Duration max) {
      this.launchBackoffInitial = Checks.notNull("launchBackoffInitial", initial);
      this.launchBackoffMax = Checks.notNull("launchBackoffMax", max);
      return this;
    }

    /** Attaches target groups at start. */
    public Builder targetGroups(TargetGroup... groups) {
      for (TargetGroup g : groups) {
        targetGroups.add(Checks.notNull("targetGroup", g));
      }
      return this;
    }

    /** Adds scaling policies. */
    public Builder policies(ScalingPolicy... policies) {
      for (ScalingPolicy p : policies) {
        this.policies.add(Checks.notNull("policy", p));
      }
      return this;
    }

    /** Adds lifecycle hooks. */
    public Builder lifecycleHooks(LifecycleHook... hooks) {
      for (LifecycleHook h : hooks) {
        lifecycleHooks.add(Checks.notNull("lifecycleHook", h));
      }
      return this;
    }

    /**
     * Sets a clock for activity times, apart from the group's time source.
     *
     * @deprecated give the group a {@link dev.loadstar.core.time.TimeSource} instead: it drives the timers and the
     *     activity times together
     */
    @Deprecated
    public Builder clock(Clock clock) {
      this.clock = Checks.notNull("clock", clock);
      return this;
    }

    /** Validates the settings, alone and together, and builds the configuration. */
    public ScalingGroupConfig build() {
      Checks.notNull("autoScalingGroupName", name);
      if (!NAME.matcher(name).matches()) {
        throw Checks.invalid("autoScalingGroupName", "\"" + name + "\"",
            "1-255 characters of letters, digits, -, _ and .");
      }
      Checks.notNull("launchTemplate", launchTemplate);
      checkCapacity(minSize, desiredCapacity == null ? minSize : desiredCapacity, maxSize);
      if (healthCheckGracePeriod.isNegative()) {
        throw Checks.invalid("healthCheckGracePeriod", healthCheckGracePeriod, ">= PT0S");
      }
      Checks.positive("healthCheckInterval", healthCheckInterval);
      Checks.positive("monitoringInterval", monitoringInterval);
      if (defaultCooldown.isNegative()) {
        throw Checks.invalid("defaultCooldown", defaultCooldown, ">= PT0S");
      }
      if (defaultInstanceWarmup.isNegative() || defaultInstanceWarmup.compareTo(Duration.ofSeconds(3600)) > 0) {
        throw Checks.invalid("defaultInstanceWarmup", defaultInstanceWarmup, "PT0S-PT1H");
      }
      Checks.positive("launchBackoffInitial", launchBackoffInitial);
      if (launchBackoffMax.compareTo(launchBackoffInitial) < 0) {
        throw Checks.invalid("launchBackoffMax", launchBackoffMax, ">= launchBackoffInitial " + launchBackoffInitial);
      }
      Checks.range("targetGroups", targetGroups.size(), 0, MAX_PER_GROUP);
      Checks.range("policies", policies.size(), 0, MAX_PER_GROUP);
      Checks.range("lifecycleHooks", lifecycleHooks.size(), 0, MAX_PER_GROUP);
      unique("targetGroups", targetGroups.stream().map(TargetGroup::name).toList());
      unique("policies", policies.stream().map(ScalingPolicy::name).toList());
      unique("lifecycleHooks", lifecycleHooks.stream().map(LifecycleHook::name).toList());
      return new ScalingGroupConfig(this);
    }

    private static void unique(String what, List<String> names) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < names.size(); i++) {
        if (!seen.add(names.get(i))) {
          throw Checks.invalid(what + "[" + i + "].name", "\"" + names.get(i) + "\"", "unique within the group");
        }
      }
    }
  }
}
