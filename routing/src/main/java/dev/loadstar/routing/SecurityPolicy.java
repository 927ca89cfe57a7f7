package dev.loadstar.routing;

import dev.loadstar.core.config.Checks;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * ALB's security policies for HTTPS listeners (and NLB's for TLS listeners): the TLS versions and cipher suites a
 * listener accepts from clients. Cipher suites are listed by their IANA (JDK) names; ALB's documentation gives the
 * OpenSSL names of the same suites ({@code ECDHE-RSA-AES128-GCM-SHA256} is
 * {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}). Policies that allow TLS 1.0 or 1.1 are not offered: the JDK
 * disables those versions.
 */
public enum SecurityPolicy {

  /** {@code ELBSecurityPolicy-TLS13-1-2-2021-06} (ALB's default): TLS 1.3 and 1.2, forward-secret and RSA key exchange. */
  TLS13_1_2_2021_06("ELBSecurityPolicy-TLS13-1-2-2021-06", List.of("TLSv1.3", "TLSv1.2"), List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
      "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256",
      "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_CBC_SHA256")),

  /** {@code ELBSecurityPolicy-TLS13-1-2-Res-2021-06}: TLS 1.3 and 1.2, AEAD forward-secret suites only. */
  TLS13_1_2_RES_2021_06("ELBSecurityPolicy-TLS13-1-2-Res-2021-06", List.of("TLSv1.3", "TLSv1.2"), List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")),

  /** {@code ELBSecurityPolicy-TLS13-1-3-2021-06}: TLS 1.3 only. */
  TLS13_1_3_2021_06("ELBSecurityPolicy-TLS13-1-3-2021-06", List.of("TLSv1.3"), List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")),

  /** {@code ELBSecurityPolicy-FS-1-2-Res-2020-10}: TLS 1.2 only, AEAD forward-secret suites only. */
  FS_1_2_RES_2020_10("ELBSecurityPolicy-FS-1-2-Res-2020-10", List.of("TLSv1.2"), List.of(
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));

  /** The policy a listener uses unless told otherwise: {@link #TLS13_1_2_2021_06}, as ALB. */
  public static final SecurityPolicy DEFAULT = TLS13_1_2_2021_06;

  private final String albName;
  private final List<String> protocols;
  private final List<String> cipherSuites;

  SecurityPolicy(String albName, List<String> protocols, List<String> cipherSuites) {
    this.albName = albName;
    this.protocols = protocols;
    this.cipherSuites = cipherSuites;
  }

  /** ALB's name of the policy, e.g. {@code ELBSecurityPolicy-TLS13-1-2-2021-06}. */
  public String albName() {
    return albName;
  }

  /** The TLS versions accepted, by their JDK names ({@code TLSv1.3}, {@code TLSv1.2}). */
  public List<String> protocols() {
    return protocols;
  }

  /** The cipher suites accepted, by their IANA (JDK) names, in the server's order of preference. */
  public List<String> cipherSuites() {
    return cipherSuites;
  }

  /**
   * The policy with this ALB name (case-insensitive); fails with {@code securityPolicy: "name" (expected: one of
   * ...)}.
   */
  public static SecurityPolicy fromName(String name) {
    Checks.notNull("securityPolicy", name);
    for (SecurityPolicy p : values()) {
      if (p.albName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    StringJoiner all = new StringJoiner(", ", "one of ", "");
    for (SecurityPolicy p : values()) {
      all.add(p.albName);
    }
    throw Checks.invalid("securityPolicy", "\"" + name + "\"", all.toString());
  }
}
