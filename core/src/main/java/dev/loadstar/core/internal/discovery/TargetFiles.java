package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.config.Params;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.loadstar.core.Target;
import dev.loadstar.core.discovery.FileSourceOptions.Format;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses target files: JSON with Jackson's streaming parser (so every error carries a line and column), YAML
 * through {@link YamlTargetFiles} when SnakeYAML is on the class path. The document is a list of targets or an
 * object with a {@code targets} list and nothing else.
 */
public final class TargetFiles {

  static final String EXPECTED_DOCUMENT = "a list of targets, or an object with a targets list; [] for none";

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private TargetFiles() {
  }

  /** Whether YAML files can be read (SnakeYAML is on the class path). */
  public static boolean yamlAvailable() {
    try {
      Class.forName("org.yaml.snakeyaml.Yaml", false, TargetFiles.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Parses the text of {@code file} in the given format. */
  public static List<Target> parse(String file, String text, Format format) {
    if (text.isBlank()) {
      throw new TargetFileException(file, 0, 0, "the file is empty (expected: " + EXPECTED_DOCUMENT + ")", null);
    }
    return format == Format.YAML ? YamlTargetFiles.parse(file, text) : parseJson(file, text);
  }

  /** Entries of a target list with the position where each starts (1-based). */
  record Located(List<Object> entries, List<int[]> positions, String path) {

    /** Parses the entries; an invalid one fails with its own line and column. */
    List<Target> targets(String file) {
      try {
        return TargetParser.parseList(entries, path);
      } catch (InvalidTargetException e) {
        int[] at = positions.get(e.index());
        throw new TargetFileException(file, at[0], at[1], e.getMessage(), e);
      }
    }
  }

  private static List<Target> parseJson(String file, String text) {
    try (JsonParser p = JSON.createParser(text)) {
      JsonToken first = p.nextToken();
      Located located;
      if (first == JsonToken.START_ARRAY) {
        located = readEntries(p, "");
      } else if (first == JsonToken.START_OBJECT) {
        located = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          JsonLocation keyAt = p.currentTokenLocation();
          JsonToken value = p.nextToken();
          if (!"targets".equals(key)) {
            throw at(file, keyAt, key + ": " + Params.render(readValue(p))
                + " (expected: only a targets key)");
          }
          if (value != JsonToken.START_ARRAY) {
            JsonLocation valueAt = p.currentTokenLocation();
            throw at(file, valueAt, "targets: " + Params.render(readValue(p)) + " (expected: a list of targets)");
          }
          located = readEntries(p, "targets");
        }
        if (located == null) {
          throw at(file, p.currentTokenLocation(), "{} (expected: " + EXPECTED_DOCUMENT + ")");
        }
      } else {
        JsonLocation at = p.currentTokenLocation();
        throw at(file, at, Params.render(readValue(p)) + " (expected: " + EXPECTED_DOCUMENT + ")");
      }
      if (p.nextToken() != null) {
        throw at(file, p.currentTokenLocation(), "unexpected content after the targets");
      }
      return located.targets(file);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new TargetFileException(file, at != null ? at.getLineNr() : 0, at != null ? at.getColumnNr() : 0,
          e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new TargetFileException(file, 0, 0, e.toString(), e);
    }
  }

  private static Located readEntries(JsonParser p, String path) throws IOException {
    List<Object> entries = new ArrayList<>();
    List<int[]> positions = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      JsonLocation at = p.currentTokenLocation();
      positions.add(new int[] {at.getLineNr(), at.getColumnNr()});
      entries.add(readValue(p));
    }
    return new Located(entries, positions, path);
  }

  /** The current value as Vert.x JSON types (objects, arrays, strings, numbers, booleans, null). */
  private static Object readValue(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      return null;
    }
    switch (t) {
      case START_OBJECT: {
        JsonObject o = new JsonObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          o.put(key, readValue(p));
        }
        return o;
      }
      case START_ARRAY: {
        JsonArray a = new JsonArray();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(readValue(p));
        }
        return a;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      default:
        return null;
    }
  }

  private static TargetFileException at(String file, JsonLocation at, String message) {
    return new TargetFileException(file, at.getLineNr(), at.getColumnNr(), message, null);
  }
}
