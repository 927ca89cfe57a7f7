package dev.loadstar.gateway.internal.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's static files (HTML, CSS, JavaScript), read once from the classpath
 * ({@code dev/loadstar/gateway/admin/dashboard/}) with their content types and an ETag each.
 */
public final class DashboardAssets {

  /**
   * One file.
   *
   * @param path the path it is served at
   * @param contentType its content type
   * @param bytes its content
   * @param etag a strong validator (quoted)
   */
  public record Asset(String path, String contentType, byte[] bytes, String etag) {
  }

  private static final String BASE = "/dev/loadstar/gateway/admin/dashboard/";
  private static final Map<String, Asset> ASSETS = load();

  private DashboardAssets() {
  }

  private static Map<String, Asset> load() {
    Map<String, Asset> out = new LinkedHashMap<>();
    Asset index = read("index.html", "text/html; charset=utf-8");
    out.put("/", index);
    out.put("/index.html", index);
    out.put("/dashboard.css", read("dashboard.css", "text/css; charset=utf-8"));
    out.put("/dashboard.js", read("dashboard.js", "text/javascript; charset=utf-8"));
    return Map.copyOf(out);
  }

  private static Asset read(String file, String type) {
    try (InputStream in = DashboardAssets.class.getResourceAsStream(BASE + file)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset missing from the classpath: " + BASE + file);
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Asset("/" + file, type, bytes, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The asset served at {@code path}, or null. */
  public static Asset get(String path) {
    return ASSETS.get(path);
  }

  /** Every path an asset is served at. */
  public static java.util.Set<String> paths() {
    return new java.util.TreeSet<>(ASSETS.keySet());
  }

  /** The content as text. */
  public static String text(Asset a) {
    return new String(a.bytes(), StandardCharsets.UTF_8);
  }
}
