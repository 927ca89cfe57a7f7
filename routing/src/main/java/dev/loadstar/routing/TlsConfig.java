package dev.loadstar.routing;

import dev.loadstar.core.config.Checks;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The TLS settings of a listener that terminates TLS: an HTTPS {@link HttpListener} (ALB's {@code HTTPS} listener)
 * or a TLS {@link TcpListener} (NLB's {@code TLS} listener). Immutable; {@link Builder#build()} checks that every
 * file is a readable PEM file.
 *
 * <p>Certificates are PEM files (a certificate chain, leaf first, and its private key). The first is the default
 * certificate (ALB's listener {@code Certificates}); with several, the one whose names match the client's SNI host
 * name is chosen (ALB's certificate list), else the default. The files are re-read every
 * {@link #certificateReloadInterval()}: a change is applied to new handshakes without dropping connections.
 */
public final class TlsConfig {

  /** How often certificate files are checked for changes unless told otherwise: 10 s. */
  public static final Duration DEFAULT_CERTIFICATE_RELOAD_INTERVAL = Duration.ofSeconds(10);

  /** The smallest reload interval: 100 ms. */
  public static final Duration MIN_CERTIFICATE_RELOAD_INTERVAL = Duration.ofMillis(100);

  /** A certificate chain and its private key, as PEM files. */
  public static final class Certificate {
    private final String certificatePath;
    private final String privateKeyPath;

    private Certificate(String certificatePath, String privateKeyPath) {
      this.certificatePath = certificatePath;
      this.privateKeyPath = privateKeyPath;
    }

    /** The PEM file holding the certificate chain, leaf first. */
    public String certificatePath() {
      return certificatePath;
    }

    /** The PEM file holding the private key (PKCS#8, PKCS#1 RSA or SEC1 EC). */
    public String privateKeyPath() {
      return privateKeyPath;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Certificate && ((Certificate) o).certificatePath.equals(certificatePath)
          && ((Certificate) o).privateKeyPath.equals(privateKeyPath);
    }

    @Override
    public int hashCode() {
      return Objects.hash(certificatePath, privateKeyPath);
    }

    @Override
    public String toString() {
      return certificatePath + " + " + privateKeyPath;
    }
  }

  /** How client certificates are handled (ALB's {@code MutualAuthentication.Mode}). */
  public enum MutualAuthenticationMode {
    /** No client certificate is asked for ({@code off}, the default). */
    OFF("off"),
    /**
     * A client certificate is asked for but not verified; the chain a client presents is forwarded to targets in
     * {@code X-Amzn-Mtls-Clientcert} ({@code passthrough}).
     */
    PASSTHROUGH("passthrough"),
    /**
     * A client certificate is required and must chain to the trust store and be within its validity period, or the
     * handshake fails; the leaf's details are forwarded to targets in {@code X-Amzn-Mtls-Clientcert-*} headers
     * ({@code verify}).
     */
    VERIFY("verify");

    private final String albName;

    MutualAuthenticationMode(String albName) {
      this.albName = albName;
    }

    /** ALB's name: {@code off}, {@code passthrough} or {@code verify}. */
    public String albName() {
      return albName;
    }

    /** The mode with this ALB name (case-insensitive). */
    public static MutualAuthenticationMode fromName(String name) {
      Checks.notNull("mutualAuthentication.mode", name);
      for (MutualAuthenticationMode m : values()) {
        if (m.albName.equals(name.toLowerCase(Locale.ROOT))) {
          return m;
        }
      }
      throw Checks.invalid("mutualAuthentication.mode", "\"" + name + "\"", "one of off, passthrough, verify");
    }
  }

  private final List<Certificate> certificates;
  private final SecurityPolicy securityPolicy;
  private final MutualAuthenticationMode mutualAuthenticationMode;
  private final String trustStorePath;
  private final Duration certificateReloadInterval;

  private TlsConfig(Builder b) {
    this.certificates = List.copyOf(b.certificates);
    this.securityPolicy = b.securityPolicy;
    this.mutualAuthenticationMode = b.mutualAuthenticationMode;
    this.trustStorePath = b.trustStorePath;
    this.certificateReloadInterval = b.certificateReloadInterval;
  }

  /** A builder: security policy {@link SecurityPolicy#DEFAULT}, mutual authentication off. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The certificates (ALB's {@code Certificates} and listener certificate list): the first is the default, the
   * others are chosen by SNI.
   */
  public List<Certificate> certificates() {
    return certificates;
  }

  /** The TLS versions and cipher suites accepted from clients (ALB's {@code SslPolicy}). */
  public SecurityPolicy securityPolicy() {
    return securityPolicy;
  }

  /** How client certificates are handled (ALB's {@code MutualAuthentication.Mode}; default {@code off}). */
  public MutualAuthenticationMode mutualAuthenticationMode() {
    return mutualAuthenticationMode;
  }

  /**
   * The PEM bundle of CA certificates client certificates must chain to in {@code verify} mode (ALB's trust store,
   * {@code MutualAuthentication.TrustStoreArn}), else null.
   */
  public String trustStorePath() {
    return trustStorePath;
  }

  /** How often the certificate, key and trust store files are checked for changes (default 10 s). */
  public Duration certificateReloadInterval() {
    return certificateReloadInterval;
  }

  /** Every file the settings name: certificates and keys in order, then the trust store, if any. */
  public List<String> files() {
    List<String> out = new ArrayList<>();
    for (Certificate c : certificates) {
      out.add(c.certificatePath);
      out.add(c.privateKeyPath);
    }
    if (trustStorePath != null) {
      out.add(trustStorePath);
    }
    return out;
  }

  @Override
  public String toString() {
    return "TlsConfig{" + certificates + ", " + securityPolicy.albName() + ", mutualAuthentication="
        + mutualAuthenticationMode.albName() + (trustStorePath == null ? "" : ", trustStore=" + trustStorePath) + "}";
  }

  /** Builds a {@link TlsConfig}. */
  public static final class Builder {
    private final List<Certificate> certificates = new ArrayList<>();
    private SecurityPolicy securityPolicy = SecurityPolicy.DEFAULT;
    private MutualAuthenticationMode mutualAuthenticationMode = MutualAuthenticationMode.OFF;
    private String trustStorePath;
    private Duration certificateReloadInterval = DEFAULT_CERTIFICATE_RELOAD_INTERVAL;

    private Builder() {
    }

    /**
     * Adds a certificate: a PEM file with the chain (leaf first) and a PEM file with its private key. The first one
     * added is the default certificate; the others are chosen by SNI.
     */
    public Builder certificate(String certificatePath, String privateKeyPath) {
      certificates.add(new Certificate(Checks.notNull("certificatePath", certificatePath),
          Checks.notNull("privateKeyPath", privateKeyPath)));
      return this;
    }

    /** Sets the security policy (ALB's {@code SslPolicy}; default {@code ELBSecurityPolicy-TLS13-1-2-2021-06}). */
    public Builder securityPolicy(SecurityPolicy policy) {
      this.securityPolicy = Checks.notNull("securityPolicy", policy);
      return this;
    }

    /** Sets the security policy by ALB's name, e.g. {@code ELBSecurityPolicy-TLS13-1-3-2021-06}. */
    public Builder securityPolicy(String albName) {
      this.securityPolicy = SecurityPolicy.fromName(albName);
      return this;
    }

    /** Sets how client certificates are handled (ALB's {@code MutualAuthentication.Mode}; default off). */
    public Builder mutualAuthentication(MutualAuthenticationMode mode) {
      this.mutualAuthenticationMode = Checks.notNull("mutualAuthentication.mode", mode);
      return this;
    }

    /** Sets the PEM bundle of CA certificates trusted in {@code verify} mode (ALB's trust store). */
    public Builder trustStorePath(String path) {
      this.trustStorePath = path;
      return this;
    }

    /** Sets how often the files are checked for changes (at least 100 ms; default 10 s). */
    public Builder certificateReloadInterval(Duration interval) {
      this.certificateReloadInterval = Checks.notNull("certificateReloadInterval", interval);
      return this;
    }

    /** Validates the settings (each file must be a readable PEM file of the right kind) and builds them. */
    public TlsConfig build() {
      if (certificates.isEmpty()) {
        throw Checks.invalid("certificates", "[]", "at least one certificate and private key (PEM files)");
      }
      for (int i = 0; i < certificates.size(); i++) {
        Certificate c = certificates.get(i);
        checkCertificates("certificates[" + i + "].certificatePath", c.certificatePath);
        checkPem("certificates[" + i + "].privateKeyPath", c.privateKeyPath, "PRIVATE KEY-----",
            "a readable PEM file with a private key");
      }
      if (mutualAuthenticationMode == MutualAuthenticationMode.VERIFY) {
        if (trustStorePath == null) {
          throw Checks.invalid("mutualAuthentication.trustStorePath", "null",
              "a PEM bundle of CA certificates with mode verify");
        }
        checkCertificates("mutualAuthentication.trustStorePath", trustStorePath);
      } else if (trustStorePath != null) {
        throw Checks.invalid("mutualAuthentication.trustStorePath", "\"" + trustStorePath + "\"",
            "null with mode " + mutualAuthenticationMode.albName() + " (a trust store is used by verify only)");
      }
      if (certificateReloadInterval.compareTo(MIN_CERTIFICATE_RELOAD_INTERVAL) < 0) {
        throw Checks.invalid("certificateReloadInterval", certificateReloadInterval, ">= 100 ms");
      }
      return new TlsConfig(this);
    }

    private static byte[] read(String field, String path, String expected) {
      try {
        return Files.readAllBytes(Path.of(path));
      } catch (IOException | RuntimeException e) {
        throw Checks.invalid(field, "\"" + path + "\"", expected);
      }
    }

    private static void checkPem(String field, String path, String marker, String expected) {
      String text = new String(read(field, path, expected), StandardCharsets.US_ASCII);
      if (!text.contains("-----BEGIN ") || !text.contains(marker)) {
        throw Checks.invalid(field, "\"" + path + "\"", expected);
      }
    }

    private static void checkCertificates(String field, String path) {
      String expected = "a readable PEM file of X.509 certificates";
      byte[] bytes = read(field, path, expected);
      checkPem(field, path, "CERTIFICATE-----", expected);
      try {
        if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes)).isEmpty()) {
          throw Checks.invalid(field, "\"" + path + "\"", expected);
        }
      } catch (CertificateException e) {
        throw Checks.invalid(field, "\"" + path + "\"", expected);
      }
    }
  }
}
