package dev.loadstar.routing;

/**
 * An {@link InspectionHook}'s decision: let the request through, or answer it with a status and body.
 */
public final class Verdict {

  private static final Verdict PASS = new Verdict(false, 0, null);

  private final boolean rejected;
  private final int status;
  private final String body;

  private Verdict(boolean rejected, int status, String body) {
    this.rejected = rejected;
    this.status = status;
    this.body = body;
  }

  /** Let the request through to the next hook, then to the target. */
  public static Verdict pass() {
    return PASS;
  }

  /** Answer with this status (100-599) and an empty body. */
  public static Verdict reject(int status) {
    return reject(status, null);
  }

  /** Answer with this status (100-599) and a plain-text body. */
  public static Verdict reject(int status, String body) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
    }
    return new Verdict(true, status, body);
  }

  /** Whether the request is rejected. */
  public boolean rejected() {
    return rejected;
  }

  /** The status of a rejection. */
  public int status() {
    return status;
  }

  /** The body of a rejection, or {@code null}. */
  public String body() {
    return body;
  }

  @Override
  public String toString() {
    return rejected ? "Verdict{reject " + status + "}" : "Verdict{pass}";
  }
}
