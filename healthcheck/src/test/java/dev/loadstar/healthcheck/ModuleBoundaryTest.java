package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The module uses core's public API only: no reference to another module's {@code internal} package. */
class ModuleBoundaryTest {

  private static final Pattern OTHER_INTERNAL = Pattern.compile("dev\\.loadstar\\.(?!healthcheck\\.)\\w+\\.internal");

  @Test
  void mainCodeReferencesNoOtherModulesInternalPackage() throws IOException {
    Path main = Path.of("src", "main", "java");
    assertThat(main).isDirectory();
    List<String> crossings;
    try (Stream<Path> files = Files.walk(main)) {
      crossings = files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
        try {
          return Files.readAllLines(p).stream().filter(l -> OTHER_INTERNAL.matcher(l).find())
              .map(l -> main.relativize(p) + ": " + l.trim());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
    assertThat(crossings).isEmpty();
  }
}
