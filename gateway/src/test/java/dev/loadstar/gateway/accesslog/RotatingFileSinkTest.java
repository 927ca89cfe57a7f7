package dev.loadstar.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.time.ManualTimeSource;
import dev.loadstar.gateway.internal.accesslog.RotatingFileSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log file rotates by size and by age, and keeps only the newest rotated files. */
class RotatingFileSinkTest {

  private static void write(RotatingFileSink sink, String line) throws Exception {
    byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
    sink.write(b, b.length);
    sink.flush();
  }

  private static List<String> rotated(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("access.log.")).sorted().toList();
    }
  }

  @Test
  void aFileRotatesBeforeItWouldGrowPastItsMaximumSize(@TempDir Path dir) throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Path file = dir.resolve("access.log");
    RotatingFileSink sink = new RotatingFileSink(file, 20, 0, 10, time);
    write(sink, "0123456789"); // 11 bytes
    write(sink, "abcdefgh"); // 9 more: 20, still fits
    assertThat(rotated(dir)).isEmpty();
    time.advance(Duration.ofSeconds(1));
    write(sink, "next");
    assertThat(rotated(dir)).hasSize(1);
    assertThat(Files.readString(dir.resolve(rotated(dir).get(0)))).isEqualTo("0123456789\nabcdefgh\n");
    assertThat(Files.readString(file)).isEqualTo("next\n");
    sink.close();
  }

  @Test
  void aFileRotatesOnceItIsOlderThanTheInterval(@TempDir Path dir) throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Path file = dir.resolve("access.log");
    RotatingFileSink sink = new RotatingFileSink(file, 1 << 20, 60_000, 10, time);
    write(sink, "first");
    time.advance(Duration.ofSeconds(59));
    write(sink, "second");
    assertThat(rotated(dir)).isEmpty();
    time.advance(Duration.ofSeconds(1));
    write(sink, "third");
    assertThat(rotated(dir)).hasSize(1);
    assertThat(Files.readString(file)).isEqualTo("third\n");
    sink.close();
  }

  @Test
  void onlyTheNewestRotatedFilesAreKept(@TempDir Path dir) throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Path file = dir.resolve("access.log");
    RotatingFileSink sink = new RotatingFileSink(file, 5, 0, 2, time);
    for (int i = 0; i < 5; i++) {
      write(sink, "line" + i); // 6 bytes: every write after the first rotates
      time.advance(Duration.ofSeconds(1));
    }
    List<String> kept = rotated(dir);
    assertThat(kept).hasSize(2);
    assertThat(Files.readString(dir.resolve(kept.get(0)))).isEqualTo("line2\n");
    assertThat(Files.readString(dir.resolve(kept.get(1)))).isEqualTo("line3\n");
    assertThat(Files.readString(file)).isEqualTo("line4\n");
    sink.close();
  }
}
