package org.pophealth.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Stable person ids. Each new cluster inherits the previous id held by most of its records (largest
 * overlaps first, so an id goes to at most one cluster: the one with most of its records); clusters
 * that inherit nothing get a minted id, {@code P} + 16 hex of SHA-256 of the cluster's smallest
 * (source, record id), salted when that id was ever used. So an identical re-run gives identical ids,
 * and added records leave existing people their ids. Merges and splits are reported as events.
 */
public final class AssignPersonIds {
  /** One record: its key, its new cluster, and its previous person id (null when new). */
  public record Member(String source, String recordId, long cluster, String previousId) {}

  public record Event(String type, String oldId, String newId, long records) {}

  public record Result(Map<Long, String> ids, List<Event> events, long kept, long minted) {}

  private Set<String> reserved = Set.of();

  /** Ids held elsewhere (persons outside this assignment): never minted. */
  public AssignPersonIds reserve(Set<String> ids) {
    this.reserved = ids;
    return this;
  }

  public Result execute(List<Member> members) {
    Map<Long, List<Member>> clusters = new TreeMap<>();
    Set<String> used = new HashSet<>(reserved);
    for (Member m : members) {
      clusters.computeIfAbsent(m.cluster(), k -> new ArrayList<>()).add(m);
      if (m.previousId() != null) {
        used.add(m.previousId());
      }
    }
    Map<Long, String> minKey = new HashMap<>();
    record Overlap(long cluster, String previousId, long count, String clusterKey) {}
    List<Overlap> overlaps = new ArrayList<>();
    for (Map.Entry<Long, List<Member>> e : clusters.entrySet()) {
      String key = e.getValue().stream().map(m -> m.source() + "\u0000" + m.recordId()).min(String::compareTo).orElseThrow();
      minKey.put(e.getKey(), key);
      Map<String, Long> counts = new TreeMap<>();
      for (Member m : e.getValue()) {
        if (m.previousId() != null) {
          counts.merge(m.previousId(), 1L, Long::sum);
        }
      }
      counts.forEach((id, c) -> overlaps.add(new Overlap(e.getKey(), id, c, key)));
    }
    overlaps.sort(Comparator.comparingLong(Overlap::count).reversed().thenComparing(Overlap::clusterKey)
        .thenComparing(Overlap::previousId));
    Map<Long, String> ids = new HashMap<>();
    Set<String> taken = new HashSet<>();
    for (Overlap o : overlaps) {
      if (!ids.containsKey(o.cluster()) && !taken.contains(o.previousId())) {
        ids.put(o.cluster(), o.previousId());
        taken.add(o.previousId());
      }
    }
    long kept = ids.size();
    long minted = 0;
    for (Map.Entry<Long, List<Member>> e : clusters.entrySet()) {
      if (!ids.containsKey(e.getKey())) {
        String id = mint(minKey.get(e.getKey()), 0);
        for (int salt = 1; used.contains(id) || taken.contains(id); salt++) {
          id = mint(minKey.get(e.getKey()), salt);
        }
        ids.put(e.getKey(), id);
        taken.add(id);
        minted++;
      }
    }
    Map<String, Long> moved = new TreeMap<>();
    for (Map.Entry<Long, List<Member>> e : clusters.entrySet()) {
      String now = ids.get(e.getKey());
      for (Member m : e.getValue()) {
        if (m.previousId() != null && !m.previousId().equals(now)) {
          moved.merge(m.previousId() + "\u0000" + now, 1L, Long::sum);
        }
      }
    }
    List<Event> events = new ArrayList<>();
    moved.forEach((k, n) -> {
      String[] p = k.split("\u0000");
      // the old id lives on elsewhere: its records were split off; otherwise it was merged away
      events.add(new Event(taken.contains(p[0]) ? "split" : "merge", p[0], p[1], n));
    });
    return new Result(ids, events, kept, minted);
  }

  static String mint(String key, int salt) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] h = d.digest((salt == 0 ? key : key + "\u0000" + salt).getBytes(StandardCharsets.UTF_8));
      return "P" + HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
