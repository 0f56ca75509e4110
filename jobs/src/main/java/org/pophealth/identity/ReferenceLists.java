package org.pophealth.identity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rule data for comparisons, loaded from {@code measures/identity/}: nickname groups and address stop words. */
public final class ReferenceLists implements Serializable {
  private static final long serialVersionUID = 1L;
  private static volatile ReferenceLists instance;

  private final Map<String, int[]> nicknameGroups;
  private final Set<String> addressStopwords;

  private ReferenceLists(Map<String, int[]> nicknameGroups, Set<String> addressStopwords) {
    this.nicknameGroups = nicknameGroups;
    this.addressStopwords = addressStopwords;
  }

  public static ReferenceLists get() {
    ReferenceLists r = instance;
    if (r == null) {
      synchronized (ReferenceLists.class) {
        if (instance == null) {
          instance = load();
        }
        r = instance;
      }
    }
    return r;
  }

  /** True when the two (normalised) given names share a nickname group. */
  public boolean nicknames(String a, String b) {
    int[] ga = nicknameGroups.get(a);
    int[] gb = nicknameGroups.get(b);
    if (ga == null || gb == null) {
      return false;
    }
    for (int x : ga) {
      for (int y : gb) {
        if (x == y) {
          return true;
        }
      }
    }
    return false;
  }

  public Set<String> addressStopwords() {
    return addressStopwords;
  }

  private static ReferenceLists load() {
    Map<String, List<Integer>> groups = new HashMap<>();
    int group = 0;
    for (String[] row : rows("measures/identity/nicknames.csv")) {
      group++;
      add(groups, row[0], group);
      if (row.length > 1) {
        for (String n : row[1].split("\\|")) {
          add(groups, n, group);
        }
      }
    }
    Map<String, int[]> out = new HashMap<>();
    groups.forEach((k, v) -> out.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
    Set<String> stop = new HashSet<>();
    for (String[] row : rows("measures/identity/address_stopwords.csv")) {
      stop.add(row[0]);
    }
    return new ReferenceLists(out, stop);
  }

  private static void add(Map<String, List<Integer>> groups, String name, int group) {
    String n = name.trim().toLowerCase(java.util.Locale.ROOT);
    if (!n.isEmpty()) {
      groups.computeIfAbsent(n, k -> new ArrayList<>()).add(group);
    }
  }

  /** Data rows of a CSV resource: comment lines (#) and the header skipped. */
  private static List<String[]> rows(String resource) {
    InputStream in = ReferenceLists.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(resource + " is not on the classpath");
    }
    List<String[]> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      boolean header = true;
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        if (header) {
          header = false;
          continue;
        }
        out.add(line.split(",", -1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
