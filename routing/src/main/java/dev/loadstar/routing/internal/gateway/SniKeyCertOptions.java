package dev.loadstar.routing.internal.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * A listener's certificates as Vert.x key material: the first is the default (no SNI, or no certificate names the
 * requested host), the others are chosen by the client's SNI host name: an exact name first, then a wildcard
 * ({@code *.example.com} covers one label), the earliest certificate winning a tie. A certificate's names are its
 * DNS subject alternative names, or its subject's common name when it has none. Immutable; built from the files'
 * contents, so a reload compares unequal only when a file changed.
 */
final class SniKeyCertOptions implements KeyCertOptions {

  private final List<PemKeyCertOptions> certificates;
  private final List<List<String>> names;

  /** Key material from PEM contents, as {@code [chain, key, chain, key, ...]}; fails on an unreadable chain. */
  SniKeyCertOptions(List<byte[]> chainsAndKeys) throws CertificateException {
    List<PemKeyCertOptions> certs = new ArrayList<>();
    List<List<String>> allNames = new ArrayList<>();
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    for (int i = 0; i < chainsAndKeys.size(); i += 2) {
      byte[] chain = chainsAndKeys.get(i);
      certs.add(new PemKeyCertOptions().addCertValue(Buffer.buffer(chain))
          .addKeyValue(Buffer.buffer(chainsAndKeys.get(i + 1))));
      X509Certificate leaf = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(chain));
      allNames.add(names(leaf));
    }
    this.certificates = List.copyOf(certs);
    this.names = List.copyOf(allNames);
  }

  /**
   * Fails unless every private key belongs to its certificate (a file pair read while only one of them was replaced
   * would otherwise be served, and every handshake with it would fail). Blocking: parses the keys.
   */
  void checkKeysMatchCertificates(Vertx vertx) throws Exception {
    for (int i = 0; i < certificates.size(); i++) {
      X509KeyManager km = null;
      for (KeyManager m : certificates.get(i).getKeyManagerFactory(vertx).getKeyManagers()) {
        if (m instanceof X509KeyManager) {
          km = (X509KeyManager) m;
        }
      }
      if (km == null || !matches(km)) {
        throw new CertificateException("certificates[" + i + "]: the private key does not belong to the certificate");
      }
    }
  }

  private static boolean matches(X509KeyManager km) throws Exception {
    for (String type : List.of("RSA", "EC", "RSASSA-PSS", "EdDSA")) {
      String[] aliases = km.getServerAliases(type, null);
      if (aliases == null) {
        continue;
      }
      for (String alias : aliases) {
        PrivateKey key = km.getPrivateKey(alias);
        X509Certificate[] chain = km.getCertificateChain(alias);
        if (key == null || chain == null || chain.length == 0) {
          continue;
        }
        String algorithm = signatureAlgorithm(key.getAlgorithm());
        if (algorithm == null) {
          return true; // a key type this check cannot sign with: the handshake will tell
        }
        byte[] probe = "loadstar key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature sign = Signature.getInstance(algorithm);
        sign.initSign(key);
        sign.update(probe);
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance(algorithm);
        verify.initVerify(chain[0].getPublicKey());
        verify.update(probe);
        return verify.verify(signature);
      }
    }
    return false;
  }

  private static String signatureAlgorithm(String keyAlgorithm) {
    switch (keyAlgorithm) {
      case "RSA":
        return "SHA256withRSA";
      case "EC":
        return "SHA256withECDSA";
      case "Ed25519":
      case "EdDSA":
        return "Ed25519";
      default:
        return null;
    }
  }

  /** The host names a certificate serves, lower case. */
  static List<String> names(X509Certificate cert) throws CertificateParsingException {
    List<String> out = new ArrayList<>();
    Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
    if (alternatives != null) {
      for (List<?> a : alternatives) {
        if (a.size() == 2 && a.get(0) instanceof Integer && (Integer) a.get(0) == 2) {
          out.add(a.get(1).toString().toLowerCase(Locale.ROOT));
        }
      }
    }
    if (out.isEmpty()) {
      try {
        for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            out.add(rdn.getValue().toString().toLowerCase(Locale.ROOT));
          }
        }
      } catch (InvalidNameException e) {
        // no usable common name: the certificate serves as the default only
      }
    }
    return out;
  }

  /** The index of the certificate for an SNI host name, or -1 for the default. */
  int select(String serverName) {
    if (serverName == null) {
      return -1;
    }
    String host = serverName.toLowerCase(Locale.ROOT);
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).contains(host)) {
        return i;
      }
    }
    int dot = host.indexOf('.');
    if (dot > 0) {
      String wildcard = "*" + host.substring(dot);
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).contains(wildcard)) {
          return i;
        }
      }
    }
    return -1;
  }

  @Override
  public KeyCertOptions copy() {
    return this; // immutable
  }

  @Override
  public KeyManagerFactory getKeyManagerFactory(Vertx vertx) throws Exception {
    return certificates.get(0).getKeyManagerFactory(vertx);
  }

  @Override
  public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) throws Exception {
    Map<Integer, KeyManagerFactory> factories = new HashMap<>();
    for (int i = 0; i < certificates.size(); i++) {
      factories.put(i, certificates.get(i).getKeyManagerFactory(vertx));
    }
    // null: Vert.x uses the default certificate
    return serverName -> factories.get(select(serverName));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SniKeyCertOptions && ((SniKeyCertOptions) o).certificates.equals(certificates);
  }

  @Override
  public int hashCode() {
    return certificates.hashCode();
  }
}
