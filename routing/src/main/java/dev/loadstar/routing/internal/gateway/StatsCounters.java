package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.Exchange;
import dev.loadstar.core.ExchangeListener;
import dev.loadstar.core.FailureKind;
import dev.loadstar.core.RequestOutcome;

import dev.loadstar.routing.ListenerStats;
import dev.loadstar.routing.RequestClassification;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The listener's counters. Request and connection counts are kept by the workers; forwards, retries and target
 * responses come from the attempt engine's events ({@link ExchangeListener}).
 */
final class StatsCounters implements ListenerStats, ExchangeListener {

  final LongAdder requests = new LongAdder();
  final LongAdder forwarded = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder hookRejections = new LongAdder();
  final LongAdder activeConnections = new LongAdder();
  final LongAdder newConnections = new LongAdder();
  final LongAdder clientTlsNegotiationErrors = new LongAdder();
  final LongAdder rejectedConnections = new LongAdder();
  private final LongAdder[] classified = new LongAdder[RequestClassification.values().length];
  private final LongAdder[] elb = new LongAdder[600];
  private final ConcurrentHashMap<String, LongAdder> byZone = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder[]> targetResponses = new ConcurrentHashMap<>();

  StatsCounters() {
    for (int i = 0; i < elb.length; i++) {
      elb[i] = new LongAdder();
    }
    for (int i = 0; i < classified.length; i++) {
      classified[i] = new LongAdder();
    }
  }

  void classified(RequestClassification c) {
    classified[c.ordinal()].increment();
  }

  @Override
  public long classifiedRequests(RequestClassification c) {
    return classified[c.ordinal()].sum();
  }

  @Override
  public long rejectedConnections() {
    return rejectedConnections.sum();
  }

  /** Counts one forward to a target in {@code zone} (nothing when it has none). */
  void forwarded(String zone) {
    forwarded.increment();
    if (zone != null) {
      LongAdder a = byZone.get(zone);
      if (a == null) {
        a = byZone.computeIfAbsent(zone, z -> new LongAdder());
      }
      a.increment();
    }
  }

  @Override
  public void attemptStarted(Exchange exchange) {
    forwarded(exchange.target().target().zone());
    if (exchange.attempt() > 1) {
      retries.increment();
    }
  }

  @Override
  public void attemptEnded(Exchange exchange, RequestOutcome outcome, FailureKind failure, int statusCode,
      long latencyNanos) {
    if (statusCode > 0) {
      targetResponse(exchange.group().name(), statusCode);
    }
  }

  @Override
  public Map<String, Long> forwardedByZone() {
    Map<String, Long> out = new TreeMap<>();
    byZone.forEach((z, a) -> out.put(z, a.sum()));
    return out;
  }

  void elb(int status) {
    if (status >= 0 && status < elb.length) {
      elb[status].increment();
    }
  }

  void targetResponse(String group, int status) {
    int statusClass = status / 100;
    if (group == null || statusClass < 1 || statusClass > 5) {
      return;
    }
    LongAdder[] byClass = targetResponses.get(group);
    if (byClass == null) {
      byClass = targetResponses.computeIfAbsent(group, g -> {
        LongAdder[] a = new LongAdder[6];
        for (int i = 0; i < a.length; i++) {
          a[i] = new LongAdder();
        }
        return a;
      });
    }
    byClass[statusClass].increment();
  }

  @Override
  public long targetResponses(String targetGroup, int statusClass) {
    LongAdder[] byClass = targetResponses.get(targetGroup);
    return byClass == null || statusClass < 1 || statusClass > 5 ? 0 : byClass[statusClass].sum();
  }

  @Override
  public long activeConnections() {
    return activeConnections.sum();
  }

  @Override
  public long newConnections() {
    return newConnections.sum();
  }

  @Override
  public long clientTlsNegotiationErrors() {
    return clientTlsNegotiationErrors.sum();
  }

  @Override
  public long requests() {
    return requests.sum();
  }

  @Override
  public long forwarded() {
    return forwarded.sum();
  }

  @Override
  public long elbResponses(int status) {
    return status >= 0 && status < elb.length ? elb[status].sum() : 0;
  }

  @Override
  public long retries() {
    return retries.sum();
  }

  @Override
  public long hookRejections() {
    return hookRejections.sum();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("ListenerStats{requests=").append(requests()).append(", forwarded=")
        .append(forwarded()).append(", retries=").append(retries());
    for (int i = 0; i < elb.length; i++) {
      long n = elb[i].sum();
      if (n > 0) {
        b.append(", elb").append(i).append('=').append(n);
      }
    }
    return b.append('}').toString();
  }
}
