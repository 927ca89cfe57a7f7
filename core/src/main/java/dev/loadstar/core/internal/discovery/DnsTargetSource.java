package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.time.Backoff;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.core.config.Durations;
import dev.loadstar.core.Target;
import dev.loadstar.core.discovery.DnsSourceOptions;
import dev.loadstar.core.discovery.DnsSourceOptions.RecordType;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.discovery.TargetSourceContext;
import dev.loadstar.core.config.Checks;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.SrvRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code dns} source: resolves A, AAAA or SRV records with Vert.x's non-blocking {@link DnsClient}, on the
 * records' TTL for SRV and every refresh interval for A and AAAA (whose TTL the client does not expose), bounded
 * by minTtl and maxTtl; retries failures with exponential backoff. An answer without records is a failure, never
 * an empty set.
 */
public final class DnsTargetSource implements TargetSource {

  /** The type name. */
  public static final String TYPE = "dns";

  private final DnsSourceOptions options;

  /** A source with validated copies of the options. */
  public DnsTargetSource(DnsSourceOptions options) {
    Checks.notNull("options", options);
    this.options = new DnsSourceOptions(options);
    validate(this.options);
  }

  private static void validate(DnsSourceOptions o) {
    Checks.notBlank("hostname", o.getHostname());
    Checks.notNull("recordType", o.getRecordType());
    if (o.getRecordType() == RecordType.SRV) {
      if (o.getPort() != null) {
        throw Checks.invalid("port", o.getPort(), "no port with recordType SRV, whose records carry the ports");
      }
    } else {
      if (o.getPort() == null) {
        throw Checks.invalid("port", "null", "1-65535 with recordType " + o.getRecordType());
      }
      Checks.range("port", o.getPort(), 1, 65535);
    }
    Checks.range("weight", o.getWeight(), 0, Target.MAX_WEIGHT);
    if (o.getZone() != null) {
      Checks.notBlank("zone", o.getZone());
    }
    if (o.getServerHost() != null) {
      Checks.notBlank("serverHost", o.getServerHost());
    }
    Checks.range("serverPort", o.getServerPort(), 1, 65535);
    Durations.positive("queryTimeout", o.getQueryTimeout());
    Durations.positive("refreshInterval", o.getRefreshInterval());
    Durations.positive("minTtl", o.getMinTtl());
    Durations.positive("maxTtl", o.getMaxTtl());
    if (o.getMaxTtl().compareTo(o.getMinTtl()) < 0) {
      throw Checks.invalid("maxTtl", Durations.format(o.getMaxTtl()),
          ">= minTtl, " + Durations.format(o.getMinTtl()));
    }
    Durations.positive("retryInitialDelay", o.getRetryInitialDelay());
    Durations.positive("retryMaxDelay", o.getRetryMaxDelay());
    if (o.getRetryMaxDelay().compareTo(o.getRetryInitialDelay()) < 0) {
      throw Checks.invalid("retryMaxDelay", Durations.format(o.getRetryMaxDelay()),
          ">= retryInitialDelay, " + Durations.format(o.getRetryInitialDelay()));
    }
  }

  /** A copy of the options. */
  public DnsSourceOptions options() {
    return new DnsSourceOptions(options);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Subscription start(TargetSourceContext context) {
    Run run = new Run(context);
    run.resolve();
    return run::close;
  }

  @Override
  public String toString() {
    return options.getRecordType() + " " + options.getHostname()
        + (options.getPort() != null ? " port " + options.getPort() : "") + " via " + server();
  }

  private String server() {
    return options.getServerHost() == null ? "the system resolver"
        : (options.getServerHost().indexOf(':') >= 0 ? "[" + options.getServerHost() + "]" : options.getServerHost())
            + ":" + options.getServerPort();
  }

  /** One resolved answer: the targets and when to ask again. */
  private record Answer(List<Target> targets, Duration refresh) {
  }

  /** Resolution for one group: a DNS client, the timer, the failure count. */
  private final class Run {
    private final TargetSourceContext context;
    private final Vertx vertx;
    private final TimeSource time;
    private final DnsClient client;
    private final Backoff backoff;
    /** Last addresses of each SRV target name, kept when a later lookup of that name fails. */
    private final Map<String, List<String>> srvTargetAddresses = new HashMap<>();
    private volatile boolean closed;
    private long timerId = -1;
    private int failures;

    Run(TargetSourceContext context) {
      this.context = context;
      this.vertx = context.vertx();
      this.time = context.time();
      DnsClientOptions clientOptions = new DnsClientOptions()
          .setQueryTimeout(options.getQueryTimeout().toMillis())
          .setRecursionDesired(true);
      if (options.getServerHost() != null) {
        clientOptions.setHost(options.getServerHost()).setPort(options.getServerPort());
      }
      this.client = vertx.createDnsClient(clientOptions);
      this.backoff = new Backoff(options.getRetryInitialDelay(), options.getRetryMaxDelay());
    }

    void resolve() {
      timerId = -1;
      if (closed) {
        return;
      }
      Future<Answer> answer;
      try {
        answer = options.getRecordType() == RecordType.SRV ? resolveSrv() : resolveAddresses();
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onComplete(ar -> {
        if (closed) {
          return;
        }
        if (ar.succeeded()) {
          failures = 0;
          context.update(ar.result().targets(), ar.result().refresh());
          schedule(ar.result().refresh());
        } else {
          failures++;
          Duration retry = backoff.delay(failures);
          context.fail(new DnsResolutionException(DnsTargetSource.this + ": " + message(ar.cause()), ar.cause()),
              retry);
          schedule(retry);
        }
      });
    }

    private void schedule(Duration delay) {
      if (!closed) {
        timerId = time.setTimer(Math.max(1, delay.toMillis()), this::resolve);
      }
    }

    private Future<Answer> resolveAddresses() {
      boolean v4 = options.getRecordType() == RecordType.A;
      Future<List<String>> query = v4 ? client.resolveA(options.getHostname())
          : client.resolveAAAA(options.getHostname());
      return query.map(addresses -> {
        if (addresses == null || addresses.isEmpty()) {
          throw new DnsResolutionException("no " + options.getRecordType() + " records", null);
        }
        Map<String, Target> targets = new LinkedHashMap<>();
        for (String address : addresses) {
          Target t = target(address, options.getPort(), options.getWeight());
          targets.putIfAbsent(t.id(), t);
        }
        Duration refresh = Durations.clamp(options.getRefreshInterval(), options.getMinTtl(), options.getMaxTtl());
        return new Answer(sorted(targets.values()), refresh);
      });
    }

    private Future<Answer> resolveSrv() {
      return client.resolveSRV(options.getHostname()).compose(records -> {
        if (records == null || records.isEmpty()) {
          return Future.failedFuture(new DnsResolutionException("no SRV records", null));
        }
        int best = records.stream().mapToInt(SrvRecord::priority).min().getAsInt();
        List<SrvRecord> chosen = records.stream().filter(r -> r.priority() == best).toList();
        long ttl = chosen.stream().mapToLong(SrvRecord::ttl).min().getAsLong();
        int maxWeight = chosen.stream().mapToInt(SrvRecord::weight).max().getAsInt();
        Set<String> names = new LinkedHashSet<>();
        for (SrvRecord r : chosen) {
          names.add(hostName(r.target()));
        }
        List<String> nameList = new ArrayList<>(names);
        List<Future<List<String>>> lookups = new ArrayList<>();
        for (String name : nameList) {
          lookups.add(lookupHost(name));
        }
        return Future.join(lookups).transform(ignored -> {
          Map<String, List<String>> resolved = new HashMap<>();
          List<String> errors = new ArrayList<>();
          for (int i = 0; i < nameList.size(); i++) {
            String name = nameList.get(i);
            Future<List<String>> f = lookups.get(i);
            if (f.succeeded() && !f.result().isEmpty()) {
              resolved.put(name, f.result());
            } else {
              errors.add(name + ": " + (f.succeeded() ? "no A or AAAA records" : message(f.cause())));
              List<String> previous = srvTargetAddresses.get(name);
              if (previous != null) {
                resolved.put(name, previous);
              }
            }
          }
          srvTargetAddresses.keySet().retainAll(names);
          srvTargetAddresses.putAll(resolved);
          if (resolved.isEmpty()) {
            return Future.failedFuture(new DnsResolutionException("no SRV target resolved: "
                + String.join("; ", errors), null));
          }
          Map<String, Target> targets = new LinkedHashMap<>();
          for (SrvRecord r : chosen) {
            List<String> addresses = resolved.get(hostName(r.target()));
            if (addresses == null) {
              continue;
            }
            for (String address : addresses) {
              Target t = target(address, r.port(), srvWeight(r.weight(), maxWeight));
              targets.putIfAbsent(t.id(), t);
            }
          }
          Duration refresh = Durations.clamp(Duration.ofSeconds(Math.max(0, ttl)), options.getMinTtl(),
              options.getMaxTtl());
          return Future.succeededFuture(new Answer(sorted(targets.values()), refresh));
        });
      });
    }

    /** Addresses of an SRV target: itself when it is an IP literal, else its A records, else its AAAA records. */
    private Future<List<String>> lookupHost(String name) {
      if (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name)) {
        return Future.succeededFuture(List.of(name));
      }
      return client.resolveA(name).transform(a -> {
        if (a.succeeded() && a.result() != null && !a.result().isEmpty()) {
          return Future.succeededFuture(a.result());
        }
        return client.resolveAAAA(name).transform(aaaa -> {
          if (aaaa.succeeded() && aaaa.result() != null && !aaaa.result().isEmpty()) {
            return Future.succeededFuture(aaaa.result());
          }
          return a.failed() ? Future.failedFuture(a.cause()) : Future.succeededFuture(List.of());
        });
      });
    }

    private Target target(String address, int port, int weight) {
      Target.Builder b = Target.builder("probe", address, port);
      String id = b.build().address();
      return Target.builder(id, address, port).weight(weight).zone(options.getZone()).build();
    }

    Future<Void> close() {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      if (timerId >= 0) {
        time.cancelTimer(timerId);
        timerId = -1;
      }
      return client.close();
    }
  }

  /** SRV weight to target weight: all zero means equal; above the target maximum, scaled down in proportion. */
  static int srvWeight(int weight, int maxWeight) {
    if (maxWeight == 0) {
      return 1;
    }
    if (maxWeight <= Target.MAX_WEIGHT) {
      return weight;
    }
    return weight == 0 ? 0 : (int) Math.max(1, Math.round(weight * (double) Target.MAX_WEIGHT / maxWeight));
  }

  private static String hostName(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  private static List<Target> sorted(java.util.Collection<Target> targets) {
    List<Target> list = new ArrayList<>(targets);
    list.sort(Comparator.comparing(Target::id));
    return List.copyOf(list);
  }

  private String message(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof io.netty.resolver.dns.DnsNameResolverTimeoutException) {
        return "no answer within the query timeout, " + Durations.format(options.getQueryTimeout());
      }
    }
    if (t instanceof DnsException d) {
      return d.code() + (d.getMessage() != null && !d.getMessage().contains(d.code().toString())
          ? " (" + d.getMessage() + ")" : "");
    }
    String m = t.getMessage();
    return m != null ? m : t.getClass().getSimpleName();
  }

  /** A failed DNS resolution, described with the query and the server. */
  static final class DnsResolutionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DnsResolutionException(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }
}
