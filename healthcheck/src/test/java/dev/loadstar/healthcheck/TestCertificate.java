package dev.loadstar.healthcheck;

import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;

/**
 * One self-signed certificate for {@code localhost}, made when a test first asks for it (once per JVM: generating the
 * key pair takes seconds on a busy machine) and trusted by nobody. No key is kept in the repository.
 */
final class TestCertificate {

  private static SelfSignedCertificate certificate;

  private TestCertificate() {
  }

  /** The certificate and its private key, for a TLS server. */
  static synchronized KeyCertOptions keyCert() {
    if (certificate == null) {
      certificate = SelfSignedCertificate.create("localhost");
    }
    return certificate.keyCertOptions();
  }
}
