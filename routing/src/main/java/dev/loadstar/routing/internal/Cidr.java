package dev.loadstar.routing.internal;

/**
 * An IPv4 or IPv6 CIDR block; {@link #contains} compares the leading bits without allocating.
 */
public final class Cidr {

  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses {@code address/prefix}; returns {@code null} when malformed. */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return null;
    }
    String a = text.substring(0, slash);
    byte[] addr = IpAddresses.parse(a);
    if (addr == null || a.startsWith("[") || a.indexOf('%') >= 0 || a.indexOf(':') >= 0 && addr.length == 4) {
      return null; // not a plain literal, or an IPv4-mapped IPv6 block (write it as IPv4)
    }
    String p = text.substring(slash + 1);
    if (p.isEmpty() || p.length() > 3) {
      return null;
    }
    int prefix = 0;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > addr.length * 8) {
      return null;
    }
    return new Cidr(addr, prefix);
  }

  /** The address bytes as given. */
  public byte[] network() {
    return network.clone();
  }

  /** The prefix length. */
  public int prefix() {
    return prefix;
  }

  /** Whether the address (4 or 16 bytes) lies in this block. */
  public boolean contains(byte[] address) {
    if (address == null || address.length != network.length) {
      return false;
    }
    int full = prefix >>> 3;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix & 7;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }
}
