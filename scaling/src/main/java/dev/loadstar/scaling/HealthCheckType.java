package dev.loadstar.scaling;

/** How a scaling group decides that an instance is unhealthy (ASG's {@code HealthCheckType}). */
public enum HealthCheckType {
  /** Only the provider's status: an instance that is not running is unhealthy (ASG's {@code EC2}). */
  PROVIDER("EC2"),
  /** The provider's status, and also an {@code unhealthy} target in any attached target group (ASG's {@code ELB}). */
  LOAD_BALANCER("ELB");

  private final String apiName;

  HealthCheckType(String apiName) {
    this.apiName = apiName;
  }

  /** The name Auto Scaling uses for this type ({@code EC2} or {@code ELB}). */
  public String apiName() {
    return apiName;
  }
}
