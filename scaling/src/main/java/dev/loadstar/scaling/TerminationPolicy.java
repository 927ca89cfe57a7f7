package dev.loadstar.scaling;

/** Which instance a scale-in terminates first (ASG's termination policies, the two that apply in process). */
public enum TerminationPolicy {
  /** The instance launched first goes first (the default). */
  OLDEST_INSTANCE("OldestInstance"),
  /** The instance launched last goes first. */
  NEWEST_INSTANCE("NewestInstance");

  private final String apiName;

  TerminationPolicy(String apiName) {
    this.apiName = apiName;
  }

  /** The name Auto Scaling uses, e.g. {@code OldestInstance}. */
  public String apiName() {
    return apiName;
  }
}
