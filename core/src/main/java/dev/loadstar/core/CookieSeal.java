package dev.loadstar.core;

/**
 * Seals short values (a target id, a target group name) into opaque, authenticated cookie values with an expiry:
 * the construction behind sticky cookies (see docs/architecture.md, "Sticky cookies"). A value cannot be read,
 * forged or altered without the keys, and a value sealed for one purpose does not open for another.
 */
public interface CookieSeal {

  /** The sealed form of {@code value}, valid until {@code expiresEpochSeconds} (at most 7 days ahead). */
  String seal(String value, long expiresEpochSeconds);

  /**
   * The value sealed in {@code sealed} if it is authentic, made for this purpose and neither expired nor claiming an
   * expiry more than 7 days after {@code nowEpochSeconds}; else {@code null}. Never throws.
   */
  String open(String sealed, long nowEpochSeconds);
}
