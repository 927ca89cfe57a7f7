package dev.loadstar.core;

import dev.loadstar.core.config.Checks;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * A target group's sticky-session settings ({@code stickiness.*} attributes).
 *
 * <p>Immutable. Cookies are opaque and authenticated with the {@link StickinessKeys}; groups configured with the
 * same keys (e.g. replicas of one application) honour each other's cookies.
 */
public final class Stickiness {

  /** ALB's {@code stickiness.type}. */
  public enum Type {
    /** Stickiness is off ({@code stickiness.enabled=false}). */
    NONE("none"),
    /** The balancer issues its own cookie naming the target ({@code lb_cookie}). */
    LB_COOKIE("lb_cookie"),
    /** Stickiness follows a cookie the application sets ({@code app_cookie}). */
    APP_COOKIE("app_cookie");

    private final String apiName;

    Type(String apiName) {
      this.apiName = apiName;
    }

    /** The attribute value, e.g. {@code lb_cookie}. */
    public String apiName() {
      return apiName;
    }
  }

  /** ALB's default cookie duration: one day. */
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(86_400);
  /** The longest cookie duration ALB allows: seven days. */
  public static final Duration MAX_DURATION = Duration.ofSeconds(604_800);
  /** Name of the balancer-issued cookie for {@code lb_cookie} stickiness. */
  public static final String LB_COOKIE_NAME = "LSALB";
  /** Name of the balancer-issued cookie that follows the application's cookie for {@code app_cookie}. */
  public static final String APP_COOKIE_NAME = "LSALBAPP";

  private static final Stickiness NONE = new Stickiness(Type.NONE, DEFAULT_DURATION, null, null);

  private final Type type;
  private final Duration duration;
  private final String appCookieName;
  private final StickinessKeys keys;

  private Stickiness(Type type, Duration duration, String appCookieName, StickinessKeys keys) {
    this.type = type;
    this.duration = duration;
    this.appCookieName = appCookieName;
    this.keys = keys;
  }

  /** Stickiness off (the default). */
  public static Stickiness disabled() {
    return NONE;
  }

  /** {@code lb_cookie} stickiness with ALB's default duration (86400 s). */
  public static Stickiness lbCookie() {
    return lbCookie(DEFAULT_DURATION);
  }

  /** {@code lb_cookie} stickiness; {@code stickiness.lb_cookie.duration_seconds} 1-604800. */
  public static Stickiness lbCookie(Duration duration) {
    checkDuration("stickiness.lb_cookie.duration_seconds", duration);
    return new Stickiness(Type.LB_COOKIE, duration, null, null);
  }

  /** {@code app_cookie} stickiness following the application's cookie {@code cookieName}. */
  public static Stickiness appCookie(String cookieName, Duration duration) {
    Checks.notBlank("stickiness.app_cookie.cookie_name", cookieName);
    if (cookieName.startsWith("AWSALB") || cookieName.startsWith(LB_COOKIE_NAME)) {
      throw Checks.invalid("stickiness.app_cookie.cookie_name", cookieName,
          "a name not starting with AWSALB, AWSALBAPP, AWSALBTG or " + LB_COOKIE_NAME);
    }
    for (int i = 0; i < cookieName.length(); i++) {
      char c = cookieName.charAt(i);
      if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        throw Checks.invalid("stickiness.app_cookie.cookie_name", cookieName, "a cookie name token (RFC 6265)");
      }
    }
    checkDuration("stickiness.app_cookie.duration_seconds", duration);
    return new Stickiness(Type.APP_COOKIE, duration, cookieName, null);
  }

  private static void checkDuration(String name, Duration d) {
    Checks.notNull(name, d);
    if (d.getNano() != 0 || d.getSeconds() < 1 || d.getSeconds() > MAX_DURATION.getSeconds()) {
      String seconds = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9))
          .stripTrailingZeros().toPlainString();
      throw Checks.invalid(name, seconds, "1-" + MAX_DURATION.getSeconds());
    }
  }

  /** The same settings with the given keys for authenticating cookies. */
  public Stickiness withKeys(StickinessKeys keys) {
    return new Stickiness(type, duration, appCookieName, Checks.notNull("stickiness.keys", keys));
  }

  /** The stickiness type. */
  public Type type() {
    return type;
  }

  /** Whether stickiness is on. */
  public boolean enabled() {
    return type != Type.NONE;
  }

  /** How long a cookie stays valid. */
  public Duration duration() {
    return duration;
  }

  /** The application's cookie name for {@code app_cookie}, else {@code null}. */
  public String appCookieName() {
    return appCookieName;
  }

  /** The keys that sign and verify cookies, or {@code null} when the group generates a random key. */
  public StickinessKeys keys() {
    return keys;
  }

  @Override
  public String toString() {
    return type == Type.NONE ? "Stickiness{off}" : "Stickiness{" + type.apiName() + ", " + duration.getSeconds() + "s"
        + (appCookieName != null ? ", cookie=" + appCookieName : "") + "}";
  }
}
