package dev.loadstar.routing.internal.gateway;

import dev.loadstar.routing.TlsConfig.MutualAuthenticationMode;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * ALB's mutual-TLS request headers. Whatever {@code X-Amzn-Mtls-*} headers a client sent are removed first, on every
 * listener, so a target can trust those it gets. Then, for a client that presented a certificate:
 * <ul>
 *   <li>{@code passthrough}: {@code X-Amzn-Mtls-Clientcert}, the whole chain as presented (leaf first), PEM,
 *   URL-encoded;</li>
 *   <li>{@code verify}: the verified leaf's {@code X-Amzn-Mtls-Clientcert-Serial-Number} (hexadecimal),
 *   {@code -Issuer} and {@code -Subject} (RFC 2253), {@code -Validity}
 *   ({@code NotBefore=2023-09-21T01:50:17Z;NotAfter=2024-09-20T01:50:17Z}) and {@code -Leaf} (PEM, URL-encoded).</li>
 * </ul>
 * URL encoding keeps letters, digits, {@code -_.~} and ALB's safe characters {@code +=/}; everything else is
 * {@code %XX}.
 */
final class ClientCertificates {

  static final String PREFIX = "x-amzn-mtls-";
  static final String CLIENT_CERT = "X-Amzn-Mtls-Clientcert";
  static final String SERIAL = "X-Amzn-Mtls-Clientcert-Serial-Number";
  static final String ISSUER = "X-Amzn-Mtls-Clientcert-Issuer";
  static final String SUBJECT = "X-Amzn-Mtls-Clientcert-Subject";
  static final String VALIDITY = "X-Amzn-Mtls-Clientcert-Validity";
  static final String LEAF = "X-Amzn-Mtls-Clientcert-Leaf";
  private static final DateTimeFormatter INSTANT = DateTimeFormatter.ISO_INSTANT;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private ClientCertificates() {
  }

  /** Removes the client's {@code X-Amzn-Mtls-*} headers and adds the listener's for this request's connection. */
  static void apply(MultiMap headers, HttpServerRequest req, MutualAuthenticationMode mode) {
    removeClientSupplied(headers);
    if (mode == MutualAuthenticationMode.OFF || !req.isSSL()) {
      return;
    }
    Certificate[] chain = peerChain(req.sslSession());
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
      return;
    }
    try {
      if (mode == MutualAuthenticationMode.PASSTHROUGH) {
        StringBuilder pem = new StringBuilder();
        for (Certificate c : chain) {
          pem.append(pem(c));
        }
        headers.set(CLIENT_CERT, urlEncode(pem.toString()));
      } else {
        X509Certificate leaf = (X509Certificate) chain[0];
        headers.set(SERIAL, hex(leaf.getSerialNumber().toByteArray()));
        headers.set(ISSUER, leaf.getIssuerX500Principal().getName(X500Principal.RFC2253));
        headers.set(SUBJECT, leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
        headers.set(VALIDITY, "NotBefore=" + INSTANT.format(leaf.getNotBefore().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
            + ";NotAfter=" + INSTANT.format(leaf.getNotAfter().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        headers.set(LEAF, urlEncode(pem(leaf)));
      }
    } catch (CertificateEncodingException e) {
      // a certificate the handshake accepted always encodes; should it not, the target gets no details
    }
  }

  private static void removeClientSupplied(MultiMap headers) {
    List<String> found = null;
    for (Map.Entry<String, String> e : headers) { // entries, not names(): names() builds a sorted set per request
      String name = e.getKey();
      if (name.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
        if (found == null) {
          found = new ArrayList<>(2);
        }
        found.add(name);
      }
    }
    if (found != null) {
      found.forEach(headers::remove);
    }
  }

  private static Certificate[] peerChain(SSLSession session) {
    if (session == null) {
      return new Certificate[0];
    }
    try {
      return session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return new Certificate[0]; // passthrough: the client presented none
    }
  }

  /** The serial number in hexadecimal, upper case, without leading zero bytes. */
  static String hex(byte[] bytes) {
    int start = 0;
    while (start < bytes.length - 1 && bytes[start] == 0) {
      start++;
    }
    char[] out = new char[(bytes.length - start) * 2];
    for (int i = start; i < bytes.length; i++) {
      out[(i - start) * 2] = HEX[(bytes[i] >> 4) & 0xf];
      out[(i - start) * 2 + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /** A certificate as PEM, 64 characters a line, ending with a newline. */
  static String pem(Certificate c) throws CertificateEncodingException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded());
    return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
  }

  /** Percent-encodes all but letters, digits, {@code -_.~} and {@code +=/}. */
  static String urlEncode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + bytes.length / 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-_.~+=/".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }
}
