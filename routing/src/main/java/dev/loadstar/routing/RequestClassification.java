package dev.loadstar.routing;

/**
 * How far a request strays from the HTTP specification, in the four classes of ALB's HTTP Desync Guardian (the
 * {@code classification} field of ALB's access log). {@link DesyncMitigationMode} decides what the listener does with
 * each class.
 */
public enum RequestClassification {
  /** Complies with the HTTP specification and poses no known threat. */
  COMPLIANT("Compliant"),
  /** Does not comply but poses no known threat. */
  ACCEPTABLE("Acceptable"),
  /** Does not comply and poses a risk: servers and proxies may read it differently. */
  AMBIGUOUS("Ambiguous"),
  /** Poses a high security risk (request smuggling, header injection). */
  SEVERE("Severe");

  private final String albName;

  RequestClassification(String albName) {
    this.albName = albName;
  }

  /** The name ALB's access log uses ({@code Compliant}, {@code Acceptable}, {@code Ambiguous}, {@code Severe}). */
  public String albName() {
    return albName;
  }
}
