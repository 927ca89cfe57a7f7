package dev.loadstar.core.discovery;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny authoritative DNS server for tests: a Vert.x UDP socket on 127.0.0.1 answering A, AAAA and SRV queries
 * from records the test sets (and changes) at any time; unknown names get NXDOMAIN. It can be stopped and
 * started again on the same port.
 */
final class TestDnsServer {

  static final int TYPE_A = 1;
  static final int TYPE_AAAA = 28;
  static final int TYPE_SRV = 33;

  /** One SRV record's data. */
  record Srv(int priority, int weight, int port, String target) {
  }

  /** The records of one name and type, with their TTL. */
  private record RecordSet(int ttl, List<byte[]> rdata) {
  }

  private final Vertx vertx;
  private final Map<String, Map<Integer, RecordSet>> zone = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private DatagramSocket socket;
  private int port;

  TestDnsServer(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Binds to 127.0.0.1 on an ephemeral port (first start) or the port it had (restart). */
  TestDnsServer start() {
    socket = vertx.createDatagramSocket();
    socket.handler(this::answer);
    socket.listen(port, "127.0.0.1").await();
    port = socket.localAddress().port();
    return this;
  }

  /** Closes the socket: queries go unanswered until {@link #start()}. */
  void stop() {
    if (socket != null) {
      socket.close().await();
      socket = null;
    }
  }

  int port() {
    return port;
  }

  int queries() {
    return queries.get();
  }

  /** Sets the A records of a name. */
  void a(String name, int ttl, String... addresses) {
    set(name, TYPE_A, ttl, addresses);
  }

  /** Sets the AAAA records of a name. */
  void aaaa(String name, int ttl, String... addresses) {
    set(name, TYPE_AAAA, ttl, addresses);
  }

  /** Sets the SRV records of a name. */
  void srv(String name, int ttl, Srv... records) {
    List<byte[]> rdata = new ArrayList<>();
    for (Srv r : records) {
      Buffer b = Buffer.buffer();
      b.appendUnsignedShort(r.priority()).appendUnsignedShort(r.weight()).appendUnsignedShort(r.port());
      appendName(b, r.target());
      rdata.add(b.getBytes());
    }
    zone.computeIfAbsent(key(name), k -> new ConcurrentHashMap<>()).put(TYPE_SRV, new RecordSet(ttl, rdata));
  }

  /** Removes a name entirely: queries for it get NXDOMAIN. */
  void remove(String name) {
    zone.remove(key(name));
  }

  private void set(String name, int type, int ttl, String... addresses) {
    List<byte[]> rdata = new ArrayList<>();
    for (String a : addresses) {
      try {
        rdata.add(InetAddress.getByName(a).getAddress());
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(a, e);
      }
    }
    zone.computeIfAbsent(key(name), k -> new ConcurrentHashMap<>()).put(type, new RecordSet(ttl, rdata));
  }

  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private void answer(DatagramPacket packet) {
    queries.incrementAndGet();
    Buffer q = packet.data();
    if (q.length() < 12) {
      return;
    }
    int id = q.getUnsignedShort(0);
    int flags = q.getUnsignedShort(2);
    // Question: labels, then type and class.
    int pos = 12;
    StringBuilder name = new StringBuilder();
    while (pos < q.length()) {
      int len = q.getUnsignedByte(pos++);
      if (len == 0) {
        break;
      }
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(q.getString(pos, pos + len));
      pos += len;
    }
    int qtype = q.getUnsignedShort(pos);
    int questionEnd = pos + 4;
    Map<Integer, RecordSet> records = zone.get(key(name.toString()));
    RecordSet set = records == null ? null : records.get(qtype);
    int rcode = records == null ? 3 : 0; // NXDOMAIN for unknown names
    int answers = set == null ? 0 : set.rdata().size();

    Buffer r = Buffer.buffer();
    r.appendUnsignedShort(id);
    r.appendUnsignedShort(0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode); // QR, AA, RD, RA, RCODE
    r.appendUnsignedShort(1).appendUnsignedShort(answers).appendUnsignedShort(0).appendUnsignedShort(0);
    r.appendBuffer(q.getBuffer(12, questionEnd));
    for (int i = 0; i < answers; i++) {
      byte[] rdata = set.rdata().get(i);
      r.appendUnsignedShort(0xC00C); // the question's name
      r.appendUnsignedShort(qtype).appendUnsignedShort(1).appendUnsignedInt(set.ttl());
      r.appendUnsignedShort(rdata.length).appendBytes(rdata);
    }
    DatagramSocket s = socket;
    if (s != null) {
      s.send(r, packet.sender().port(), packet.sender().host());
    }
  }

  private static void appendName(Buffer b, String name) {
    for (String label : key(name).split("\\.")) {
      b.appendUnsignedByte((short) label.length()).appendString(label);
    }
    b.appendUnsignedByte((short) 0);
  }
}
