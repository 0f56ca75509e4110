package org.pophealth.identity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * Rule data for comparisons, read from {@code measures/identity/} through {@link ReferenceData}: nickname
 * groups and address stop words.
 */
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
    ReferenceData folder = ReferenceData.packaged("identity");
    Map<String, List<Integer>> groups = new HashMap<>();
    int group = 0;
    for (ReferenceRow row : folder.table("nicknames.csv").rows()) {
      group++;
      add(groups, row.text("name"), group);
      for (String n : row.list("nicknames", "|")) {
        add(groups, n, group);
      }
    }
    Map<String, int[]> out = new HashMap<>();
    groups.forEach((k, v) -> out.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
    Set<String> stop = new HashSet<>();
    for (ReferenceRow row : folder.table("address_stopwords.csv").rows()) {
      stop.add(row.text("token"));
    }
    return new ReferenceLists(out, stop);
  }

  private static void add(Map<String, List<Integer>> groups, String name, int group) {
    String n = name.trim().toLowerCase(java.util.Locale.ROOT);
    if (!n.isEmpty()) {
      groups.computeIfAbsent(n, k -> new ArrayList<>()).add(group);
    }
  }
}
