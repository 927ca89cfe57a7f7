package dev.loadstar.core;

/**
 * A hand-driven {@link RegisteredTarget} for selector-level tests: weight, in-flight count and latency are set by
 * the test.
 */
final class FakeTarget implements RegisteredTarget {

  private final Target target;
  private volatile double weight;
  private volatile int inFlight;
  private volatile long latencyNanos;

  FakeTarget(String id, int weight) {
    this.target = Target.builder(id, "127.0.0.1", 8080).weight(weight).build();
    this.weight = weight;
  }

  static FakeTarget of(String id) {
    return new FakeTarget(id, 1);
  }

  FakeTarget inFlight(int n) {
    this.inFlight = n;
    return this;
  }

  FakeTarget latencyNanos(long nanos) {
    this.latencyNanos = nanos;
    return this;
  }

  FakeTarget selectionWeight(double w) {
    this.weight = w;
    return this;
  }

  String id() {
    return target.id();
  }

  @Override
  public Target target() {
    return target;
  }

  @Override
  public TargetGroup group() {
    return null;
  }

  @Override
  public TargetHealth health() {
    return TargetHealth.HEALTHY;
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  @Override
  public double selectionWeight() {
    return weight;
  }

  @Override
  public long latencyEwmaNanos() {
    return latencyNanos;
  }

  @Override
  public long requestCount() {
    return 0;
  }

  @Override
  public long failureCount() {
    return 0;
  }

  @Override
  public boolean tryStartRequest() {
    inFlight++;
    return true;
  }

  @Override
  public void endRequest(RequestOutcome outcome, long latencyNanos) {
    inFlight--;
  }

  @Override
  public boolean isActive() {
    return true;
  }

  @Override
  public String toString() {
    return target.id();
  }
}
