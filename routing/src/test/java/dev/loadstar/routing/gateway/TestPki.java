package dev.loadstar.routing.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time (EC P-256, fast to generate) in a temporary directory that {@link #close()}
 * deletes: self-signed leaves, a CA and leaves it signs, with any validity period (an expired client certificate).
 * No key is kept in the repository.
 */
final class TestPki implements AutoCloseable {

  /** A certificate with its key, its chain (leaf first) and the PEM files holding them. */
  record Issued(X509Certificate certificate, KeyPair keys, List<X509Certificate> chain, Path certFile, Path keyFile) {

    /** The certificate file's path, as a string. */
    String cert() {
      return certFile.toString();
    }

    /** The key file's path, as a string. */
    String key() {
      return keyFile.toString();
    }
  }

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
  final Path dir;

  TestPki() {
    try {
      dir = Files.createTempDirectory("loadstar-pki");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A self-signed leaf for these DNS names (the first is the subject's common name). */
  Issued selfSigned(String... dnsNames) {
    KeyPair keys = keys();
    X509Certificate c = sign(dnsNames[0], dnsNames, keys, null, now().minus(Duration.ofHours(1)),
        now().plus(Duration.ofDays(30)), false);
    return write(dnsNames[0], c, keys, List.of(c));
  }

  /** A certificate authority named {@code name}. */
  Issued ca(String name) {
    KeyPair keys = keys();
    X509Certificate c = sign(name, new String[0], keys, null, now().minus(Duration.ofDays(1)),
        now().plus(Duration.ofDays(365)), true);
    return write(name, c, keys, List.of(c));
  }

  /** A leaf signed by {@code ca}, valid from {@code notBefore} to {@code notAfter}; its file holds leaf + CA. */
  Issued issue(Issued ca, String name, Instant notBefore, Instant notAfter, String... dnsNames) {
    KeyPair keys = keys();
    X509Certificate c = sign(name, dnsNames, keys, ca, notBefore, notAfter, false);
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(c);
    chain.addAll(ca.chain());
    return write(name, c, keys, chain);
  }

  /** A leaf signed by {@code ca}, valid now for 30 days. */
  Issued issue(Issued ca, String name, String... dnsNames) {
    return issue(ca, name, now().minus(Duration.ofHours(1)), now().plus(Duration.ofDays(30)), dnsNames);
  }

  /**
   * Replaces {@code target}'s files with {@code source}'s contents, each by an atomic rename (a reader sees the old or
   * the new file, never half of one).
   */
  void replace(Issued target, Issued source) {
    try {
      copy(source.certFile(), target.certFile());
      copy(source.keyFile(), target.keyFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void copy(Path from, Path to) throws IOException {
    Path tmp = Files.createTempFile(dir, "swap", ".pem");
    Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Instant now() {
    return Instant.now();
  }

  private static KeyPair keys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(String name, String[] dnsNames, KeyPair keys, Issued issuer,
      Instant notBefore, Instant notAfter, boolean ca) {
    try {
      X500Name subject = new X500Name("CN=" + name + ",O=Loadstar Test");
      X500Name issuerName = issuer == null ? subject
          : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
          BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
          keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      }
      if (dnsNames.length > 0) {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
          names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      KeyPair signer = issuer == null ? keys : issuer.keys();
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Issued write(String name, X509Certificate c, KeyPair keys, List<X509Certificate> chain) {
    try {
      String base = name.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + c.getSerialNumber();
      Path cert = dir.resolve(base + ".crt.pem");
      Path key = dir.resolve(base + ".key.pem");
      Files.writeString(cert, pem(chain), StandardCharsets.US_ASCII);
      Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
      return new Issued(c, keys, List.copyOf(chain), cert, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Certificates as one PEM text. */
  static String pem(List<X509Certificate> certs) {
    StringBuilder out = new StringBuilder();
    try {
      for (X509Certificate c : certs) {
        out.append("-----BEGIN CERTIFICATE-----\n")
            .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded()))
            .append("\n-----END CERTIFICATE-----\n");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  @Override
  public void close() {
    try (var files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
