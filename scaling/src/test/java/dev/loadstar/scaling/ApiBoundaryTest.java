package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's boundaries: its code names no other module's {@code internal} package, and its public types show no
 * {@code internal} type in a public or protected signature.
 */
class ApiBoundaryTest {

  private static final Pattern FOREIGN_INTERNAL = Pattern.compile("dev\\.loadstar\\.(?!scaling\\.)[a-z]+\\.internal\\b");

  @Test
  void mainSourcesNameNoOtherModulesInternalPackage() throws IOException {
    List<String> crossings = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = FOREIGN_INTERNAL.matcher(lines.get(i));
          if (m.find()) {
            crossings.add(f + ":" + (i + 1) + ": " + lines.get(i).trim());
          }
        }
      }
    }
    assertThat(crossings).isEmpty();
  }

  @Test
  void publicSignaturesOfPublicTypesUseNoInternalType() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> c : publicApiClasses()) {
      List<Type> types = new ArrayList<>();
      if (c.getGenericSuperclass() != null) {
        types.add(c.getGenericSuperclass());
      }
      types.addAll(List.of(c.getGenericInterfaces()));
      for (Field f : c.getDeclaredFields()) {
        if (exposed(f.getModifiers())) {
          types.add(f.getGenericType());
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (exposed(k.getModifiers())) {
          types.addAll(List.of(k.getGenericParameterTypes()));
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        if (exposed(m.getModifiers()) && !m.isSynthetic()) {
          types.add(m.getGenericReturnType());
          types.addAll(List.of(m.getGenericParameterTypes()));
          types.addAll(List.of(m.getGenericExceptionTypes()));
        }
      }
      for (Type t : types) {
        List<Class<?>> named = new ArrayList<>();
        collect(t, named);
        for (Class<?> n : named) {
          if (n.getPackageName().contains(".internal")) {
            leaks.add(c.getName() + " shows " + n.getName());
          }
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  /** The public classes of the module outside {@code internal} packages (nested ones too). */
  private static List<Class<?>> publicApiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(ScalingGroup.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace('/', '.').replace('\\', '.');
        name = name.substring(0, name.length() - ".class".length());
        if (name.contains(".internal.") || name.endsWith("package-info") || name.equals("module-info")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, ApiBoundaryTest.class.getClassLoader());
        if (Modifier.isPublic(c.getModifiers()) && (c.getEnclosingClass() == null
            || Modifier.isPublic(c.getEnclosingClass().getModifiers()))) {
          out.add(c);
        }
      }
    }
    assertThat(out).as("public API classes").contains(ScalingGroup.class, ScalingGroupConfig.class,
        dev.loadstar.scaling.spi.ProviderInstance.class);
    return out;
  }

  private static boolean exposed(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void collect(Type t, List<Class<?>> out) {
    if (t instanceof Class<?> c) {
      out.add(c.isArray() ? c.getComponentType() : c);
    } else if (t instanceof ParameterizedType p) {
      collect(p.getRawType(), out);
      for (Type a : p.getActualTypeArguments()) {
        collect(a, out);
      }
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        collect(b, out);
      }
      for (Type b : w.getLowerBounds()) {
        collect(b, out);
      }
    } else if (t instanceof GenericArrayType g) {
      collect(g.getGenericComponentType(), out);
    } else if (t instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        collect(b, out);
      }
    }
  }
}
