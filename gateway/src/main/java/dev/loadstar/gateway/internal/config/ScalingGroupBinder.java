package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.gateway.config.ScalingGroupSpec;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.LaunchTemplate;
import dev.loadstar.scaling.ScalingGroupConfig;
import dev.loadstar.scaling.ScalingPolicy;
import dev.loadstar.scaling.TerminationPolicy;
import dev.loadstar.scaling.providers.InProcessProvider;
import dev.loadstar.scaling.providers.ProcessProvider;
import dev.loadstar.scaling.spi.InstanceProvider;
import dev.loadstar.scaling.spi.InstanceProviderFactory;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Binds {@code scalingGroups[]}: capacity, launch template, zones, timers, then their policies. */
final class ScalingGroupBinder {

  private final Scope s;
  private final Context ctx;

  ScalingGroupBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

  /** The mutable inputs of a ScalingGroupConfig. */
  private static final class SgDraft {
    String name = "placeholder";
    LaunchTemplate template = LaunchTemplate.of("in-process");
    long minSize;
    long maxSize;
    Long desired;
    String healthCheckType;
    Duration grace;
    Duration healthCheckInterval;
    Duration monitoringInterval;
    Duration cooldown;
    Duration warmup;
    Duration backoffInitial;
    Duration backoffMax;
    String terminationPolicy;
    Boolean protect;
    List<PolicyBinder.PolicyDraft> policies = List.of();
    List<TargetGroup> groups = List.of();
    Function<String, TargetGroup> lookup = n -> null;
    InstanceProvider provider;

    ScalingGroupConfig build() {
      ScalingGroupConfig.Builder b = ScalingGroupConfig.builder(name, template)
          .capacity(Values.clamp(minSize), desired == null ? Values.clamp(minSize) : Values.clamp(desired), Values.clamp(maxSize));
      if (provider != null) {
        b.provider(provider);
      }
      if (healthCheckType != null) {
        b.healthCheckType(healthCheckType.equals("ELB") ? HealthCheckType.LOAD_BALANCER : HealthCheckType.PROVIDER);
      }
      if (grace != null) {
        b.healthCheckGracePeriod(grace);
      }
      if (healthCheckInterval != null) {
        b.healthCheckInterval(healthCheckInterval);
      }
      if (monitoringInterval != null) {
        b.monitoringInterval(monitoringInterval);
      }
      if (cooldown != null) {
        b.defaultCooldown(cooldown);
      }
      if (warmup != null) {
        b.defaultInstanceWarmup(warmup);
      }
      if (backoffInitial != null || backoffMax != null) {
        b.launchBackoff(backoffInitial != null ? backoffInitial : ScalingGroupConfig.DEFAULT_LAUNCH_BACKOFF_INITIAL,
            backoffMax != null ? backoffMax : ScalingGroupConfig.DEFAULT_LAUNCH_BACKOFF_MAX);
      }
      if (terminationPolicy != null) {
        b.terminationPolicy(terminationPolicy.equals("NewestInstance") ? TerminationPolicy.NEWEST_INSTANCE
            : TerminationPolicy.OLDEST_INSTANCE);
      }
      if (protect != null) {
        b.newInstancesProtectedFromScaleIn(protect);
      }
      b.targetGroups(groups.toArray(new TargetGroup[0]));
      List<ScalingPolicy> built = new ArrayList<>();
      for (PolicyBinder.PolicyDraft p : policies) {
        built.add(p.build(lookup));
      }
      b.policies(built.toArray(new ScalingPolicy[0]));
      return b.build();
    }
  }

  private static List<String> providerNames() {
    return InstanceProviderFactory.registry().names();
  }

  ScalingGroupSpec scalingGroup(Obj o, Map<String, String> names) {
    Val<String> name = o.require(o.string("name"), "a scaling group name");
    if (name.present()) {
      String first = names.putIfAbsent(name.value(), o.path());
      if (first != null) {
        ctx.error(name.node(), name.path(), name.render() + " (expected: a name no other scaling group uses; " + first
            + " has it)");
      }
    }
    Obj lt = o.object("launchTemplate");
    Val<LaunchTemplate> template = new Val<>(o.path("launchTemplate"), o.raw("launchTemplate"), null,
        o.raw("launchTemplate") != null);
    if (lt == null && o.raw("launchTemplate") == null) {
      o.missing(o.path("launchTemplate"), "an object with provider and parameters");
    }
    if (lt != null) {
      List<String> known = providerNames();
      Val<String> provider = lt.require(lt.choice("provider", known), "one of " + String.join(", ", known));
      Val<Map<String, String>> params = Values.stringMap(lt, "parameters");
      lt.rejectUnknown();
      if (provider.present() && !params.invalid()) {
        template = new Val<>(lt.path(), lt.node(), LaunchTemplate.builder(provider.value())
            .parameters(params.or(Map.of())).build(), false);
      }
    }
    Val<Long> min = o.require(o.integer("minSize", "a whole number >= 0"), "MinSize, a whole number >= 0");
    Val<Long> max = o.require(o.integer("maxSize", "a whole number >= minSize"), "MaxSize, a whole number >= minSize");
    Val<Long> desired = o.integer("desiredCapacity", "a whole number minSize-maxSize");
    List<Val<String>> groups = o.strings("targetGroups");
    List<String> groupList = new ArrayList<>();
    boolean ok = true;
    if (groups != null) {
      Set<String> seen = new HashSet<>();
      for (Val<String> g : groups) {
        if (!seen.add(g.value())) {
          ctx.error(g.node(), g.path(), g.render() + " (expected: each target group once)");
          ok = false;
        } else {
          s.groupRefs.add(g);
          groupList.add(g.value());
        }
      }
    }
    List<String> zones = availabilityZones(o, template.value());
    ok &= zones != null;
    List<PolicyBinder.PolicyDraft> policies = s.policies.policies(o, groupList);
    ok &= policies != null;
    Build<SgDraft, ScalingGroupConfig> p = new Build<>(ctx, o.path(), o.node(), SgDraft::new, SgDraft::build)
        .word("autoScalingGroupName", "name");
    if (!name.present() || !template.present() || !min.present() || !max.present()) {
      p.fail();
    }
    p.set("autoScalingGroupName", name, (d, v) -> d.name = v)
        .set("launchTemplate", template, (d, v) -> d.template = v)
        .set("minSize", min, (d, v) -> d.minSize = v, 0L)
        .set("maxSize", max, (d, v) -> d.maxSize = v, (long) Integer.MAX_VALUE)
        .set("desiredCapacity", desired, (d, v) -> d.desired = v)
        .set("healthCheckType", o.choice("healthCheckType", List.of("EC2", "ELB")), (d, v) -> d.healthCheckType = v)
        .set("healthCheckGracePeriod", Values.secondsVal(o, "healthCheckGracePeriod"), (d, v) -> d.grace = v)
        .set("healthCheckInterval", Values.secondsVal(o, "healthCheckInterval"), (d, v) -> d.healthCheckInterval = v)
        .set("monitoringInterval", Values.secondsVal(o, "monitoringInterval"), (d, v) -> d.monitoringInterval = v)
        .set("defaultCooldown", Values.secondsVal(o, "defaultCooldown"), (d, v) -> d.cooldown = v)
        .set("defaultInstanceWarmup", Values.secondsVal(o, "defaultInstanceWarmup"), (d, v) -> d.warmup = v)
        .set("launchBackoffInitial", Values.secondsVal(o, "launchBackoffInitial"), (d, v) -> d.backoffInitial = v)
        .set("launchBackoffMax", Values.secondsVal(o, "launchBackoffMax"), (d, v) -> d.backoffMax = v)
        .set("terminationPolicy", o.choice("terminationPolicy", List.of("OldestInstance", "NewestInstance")),
            (d, v) -> d.terminationPolicy = v)
        .set("newInstancesProtectedFromScaleIn", o.bool("newInstancesProtectedFromScaleIn"),
            (d, v) -> d.protect = v)
        .set("policies", new Val<>(o.path("policies"), o.raw("policies"), policies, policies == null),
            (d, v) -> d.policies = v);
    o.rejectUnknown();
    ScalingGroupConfig probe = p.build();
    if (probe == null || !ok) {
      return null;
    }
    SgDraft draft = new SgDraft();
    draft.name = name.value();
    draft.template = template.value();
    draft.minSize = min.value();
    draft.maxSize = max.value();
    draft.desired = desired.value();
    draft.healthCheckType = probe.healthCheckType() == HealthCheckType.LOAD_BALANCER ? "ELB" : "EC2";
    draft.grace = probe.healthCheckGracePeriod();
    draft.healthCheckInterval = probe.healthCheckInterval();
    draft.monitoringInterval = probe.monitoringInterval();
    draft.cooldown = probe.defaultCooldown();
    draft.warmup = probe.defaultInstanceWarmup();
    draft.backoffInitial = probe.launchBackoffInitial();
    draft.backoffMax = probe.launchBackoffMax();
    draft.terminationPolicy = probe.terminationPolicy().apiName();
    draft.protect = probe.newInstancesProtectedFromScaleIn();
    draft.policies = policies;
    List<String> attached = List.copyOf(groupList);
    LaunchTemplate t = template.value();
    String n = name.value();
    return new ScalingGroupSpec(n, t, attached, zones, (running, provider) -> {
      SgDraft d = copy(draft);
      List<TargetGroup> gs = new ArrayList<>();
      for (String g : attached) {
        TargetGroup tg = running.get(g);
        if (tg == null) {
          throw new IllegalArgumentException("targetGroups: \"" + g + "\" (expected: a running target group)");
        }
        gs.add(tg);
      }
      d.groups = gs;
      d.lookup = running::get;
      d.provider = provider;
      return d.build();
    });
  }

  /**
   * Auto Scaling's {@code AvailabilityZones}: unique, non-blank names, for a provider that launches into zones
   * ({@code in-process}, {@code process}); null when wrong (reported).
   */
  private List<String> availabilityZones(Obj o, LaunchTemplate template) {
    List<Val<String>> items = o.strings("availabilityZones");
    if (items == null) {
      return o.raw("availabilityZones") == null ? List.of() : null;
    }
    List<String> out = new ArrayList<>();
    boolean ok = true;
    for (Val<String> z : items) {
      if (z.value().isBlank()) {
        ctx.error(z.node(), z.path(), z.render() + " (expected: an availability zone name, e.g. eu-west-1a)");
        ok = false;
      } else if (out.contains(z.value())) {
        ctx.error(z.node(), z.path(), z.render() + " (expected: each zone once)");
        ok = false;
      } else {
        out.add(z.value());
      }
    }
    if (items.size() != o.raw("availabilityZones").items().size()) {
      ok = false; // an item of the wrong type, reported
    }
    List<String> zoned = List.of(InProcessProvider.NAME, ProcessProvider.NAME);
    if (!out.isEmpty() && template != null && !zoned.contains(template.provider())) {
      ctx.error(o.raw("availabilityZones"), o.path("availabilityZones"), "a list (expected: no availabilityZones "
          + "with provider " + template.provider() + ": only " + String.join(" and ", zoned)
          + " launch into zones)");
      ok = false;
    }
    return ok ? out : null;
  }

  private static SgDraft copy(SgDraft s) {
    SgDraft d = new SgDraft();
    d.name = s.name;
    d.template = s.template;
    d.minSize = s.minSize;
    d.maxSize = s.maxSize;
    d.desired = s.desired;
    d.healthCheckType = s.healthCheckType;
    d.grace = s.grace;
    d.healthCheckInterval = s.healthCheckInterval;
    d.monitoringInterval = s.monitoringInterval;
    d.cooldown = s.cooldown;
    d.warmup = s.warmup;
    d.backoffInitial = s.backoffInitial;
    d.backoffMax = s.backoffMax;
    d.terminationPolicy = s.terminationPolicy;
    d.protect = s.protect;
    d.policies = s.policies;
    return d;
  }
}
