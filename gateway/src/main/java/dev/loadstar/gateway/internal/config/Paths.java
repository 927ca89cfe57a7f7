package dev.loadstar.gateway.internal.config;

/** Paths inside a configuration file, such as {@code targetGroups[1].healthCheck.intervalSeconds}. */
public final class Paths {

  private Paths() {
  }

  /** The path of a field of the object at {@code parent}. */
  public static String child(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  /** The path of an item of the list at {@code parent}. */
  public static String item(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
