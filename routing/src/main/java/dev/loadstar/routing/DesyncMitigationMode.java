package dev.loadstar.routing;

import dev.loadstar.core.config.Checks;

/**
 * What a listener does with requests by their {@link RequestClassification} (ALB's
 * {@code routing.http.desync_mitigation_mode}). Requests the listener cannot forward faithfully whatever the mode
 * (header injection, body framing it cannot read, a path it cannot normalise, an invalid Host) are refused in every
 * mode; see docs/architecture.md, "Request validation and desync mitigation".
 */
public enum DesyncMitigationMode {
  /** Forwards every request the listener can forward faithfully, whatever its class. */
  MONITOR("monitor"),
  /** Refuses severe requests (400); forwards ambiguous ones but closes the client connection after the response. */
  DEFENSIVE("defensive"),
  /** Refuses every request that is not compliant (400). */
  STRICTEST("strictest");

  private final String albName;

  DesyncMitigationMode(String albName) {
    this.albName = albName;
  }

  /** The attribute value ALB uses ({@code monitor}, {@code defensive}, {@code strictest}). */
  public String albName() {
    return albName;
  }

  /** The mode named as ALB names it, any case. */
  public static DesyncMitigationMode fromAlbName(String name) {
    for (DesyncMitigationMode m : values()) {
      if (m.albName.equalsIgnoreCase(name)) {
        return m;
      }
    }
    throw Checks.invalid("desyncMitigationMode", "\"" + name + "\"", "monitor, defensive or strictest");
  }

  /** Whether a request of this class is refused (400). */
  public boolean refuses(RequestClassification c) {
    switch (this) {
      case MONITOR:
        return false;
      case DEFENSIVE:
        return c == RequestClassification.SEVERE;
      default:
        return c != RequestClassification.COMPLIANT;
    }
  }

  /** Whether the client connection is closed after the response to a forwarded request of this class. */
  public boolean closesAfter(RequestClassification c) {
    return this == DEFENSIVE && c == RequestClassification.AMBIGUOUS;
  }
}
