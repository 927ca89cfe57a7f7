package dev.loadstar.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CookieCodecTest {

  private static final byte[] K1 = "first-secret-0123456789".getBytes(StandardCharsets.UTF_8);
  private static final byte[] K2 = "second-secret-0123456789".getBytes(StandardCharsets.UTF_8);
  private static final long NOW = 1_800_000_000L;

  @Test
  void roundTripsUntilTheExpirySecondAndNotAfter() {
    CookieCodec codec = new CookieCodec(List.of(K1), "tg:web");
    String v = codec.encode("i-0abc", NOW + 60);
    assertThat(codec.decode(v, NOW)).isEqualTo("i-0abc");
    assertThat(codec.decode(v, NOW + 60)).isEqualTo("i-0abc");
    assertThat(codec.decode(v, NOW + 61)).isNull();
    // deterministic for the same target and expiry, different otherwise
    assertThat(codec.encode("i-0abc", NOW + 60)).isEqualTo(v);
    assertThat(codec.encode("i-0abc", NOW + 61)).isNotEqualTo(v);
    assertThat(codec.encode("i-0abd", NOW + 60)).isNotEqualTo(v);
  }

  @Test
  void everyFlippedBitIsRejected() {
    CookieCodec codec = new CookieCodec(List.of(K1), "tg:web");
    byte[] raw = Base64.getUrlDecoder().decode(codec.encode("i-0abc", NOW + 60));
    for (int i = 0; i < raw.length * 8; i++) {
      byte[] copy = raw.clone();
      copy[i / 8] ^= (byte) (1 << (i % 8));
      String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(copy);
      assertThat(codec.decode(tampered, NOW)).as("bit %d", i).isNull();
    }
  }

  @Test
  void truncatedOverlongAndForeignValuesAreRejected() {
    CookieCodec codec = new CookieCodec(List.of(K1), "tg:web");
    String v = codec.encode("i-0abc", NOW + 60);
    assertThat(codec.decode(v.substring(0, v.length() - 2), NOW)).isNull();
    assertThat(codec.decode(v.substring(0, 10), NOW)).isNull();
    assertThat(codec.decode("A".repeat(1025), NOW)).isNull();
    assertThat(codec.decode(null, NOW)).isNull();
    assertThat(codec.decode("not base64 !", NOW)).isNull();
    assertThat(new CookieCodec(List.of(K1), "tg:api").decode(v, NOW)).isNull();
    assertThat(new CookieCodec(List.of(K2), "tg:web").decode(v, NOW)).isNull();
  }

  @Test
  void anyConfiguredKeyVerifiesAndTheFirstSigns() {
    String old = new CookieCodec(List.of(K1), "tg:web").encode("i-1", NOW + 60);
    CookieCodec rotated = new CookieCodec(List.of(K2, K1), "tg:web");
    assertThat(rotated.decode(old, NOW)).isEqualTo("i-1");
    String fresh = rotated.encode("i-1", NOW + 60);
    assertThat(new CookieCodec(List.of(K2), "tg:web").decode(fresh, NOW)).isEqualTo("i-1");
    assertThat(new CookieCodec(List.of(K1), "tg:web").decode(fresh, NOW)).isNull();
  }

  @Test
  void valueHidesTheTargetId() {
    String v = new CookieCodec(List.of(K1), "tg:web").encode("instance-with-a-long-id", NOW);
    byte[] raw = Base64.getUrlDecoder().decode(v);
    assertThat(new String(raw, StandardCharsets.ISO_8859_1)).doesNotContain("instance");
  }
}
