package org.pophealth.identity;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.pophealth.lakehouse.Lakehouse;

/**
 * How every job after identity finds a person: the crosswalk from each source record (EHR patient, payer
 * member) to its enterprise {@code person_id}. Below identity there are records, above it persons: a
 * lakehouse holding records of more than one source is refused until resolve-identity has linked them,
 * and so is one with records that arrived after the last identity run, since their evidence would count
 * for a second, partial "person".
 */
public final class PersonKeys {
  /** Record tables and their (source, record id) columns: EHR patients and payer members. */
  private static final List<String[]> RECORDS = List.of(
      new String[] {"silver.patient", "source", "id"},
      new String[] {"silver.eligibility", "source", "member_id"});

  private PersonKeys() {}

  /**
   * The crosswalk as {@code source, patient_id, person_id} (one row per source record), or null when
   * identity resolution has not run and the lakehouse holds one source only (records are then keyed
   * {@code source:patient_id}).
   *
   * @throws IllegalArgumentException (a user error, one line) naming the command to run when records of
   *     several sources are not linked, or records are missing from the crosswalk
   */
  public static Dataset<Row> crosswalk(Lakehouse lakehouse, String job) {
    Dataset<Row> records = records(lakehouse);
    boolean resolved = lakehouse.exists("gold.identity_crosswalk")
        && !lakehouse.read("gold.identity_crosswalk").isEmpty();
    if (!resolved) {
      if (records == null) {
        return null;
      }
      TreeSet<String> sources = new TreeSet<>();
      for (Row r : records.select("source").distinct().limit(50).collectAsList()) {
        sources.add(r.getString(0));
      }
      if (sources.size() > 1) {
        throw new IllegalArgumentException(job + ": the lakehouse holds records of " + sources.size()
            + " sources " + sources + " that are not linked into persons yet: run `bin/pophealth resolve-identity` first");
      }
      return null;
    }
    Dataset<Row> xw = lakehouse.read("gold.identity_crosswalk")
        .select(col("source"), col("record_id").as("patient_id"), col("person_id"));
    if (records != null) {
      long missing = records.join(xw, new String[] {"source", "patient_id"}, "left_anti").count();
      if (missing > 0) {
        throw new IllegalArgumentException(job + ": " + missing + " patient/member records arrived after the last"
            + " identity run and belong to no person: run `bin/pophealth resolve-identity` first");
      }
    }
    return xw;
  }

  /** Every source record as {@code source, patient_id}; null when no record table exists. */
  private static Dataset<Row> records(Lakehouse lakehouse) {
    List<Dataset<Row>> parts = new ArrayList<>();
    for (String[] t : RECORDS) {
      if (lakehouse.exists(t[0])) {
        parts.add(lakehouse.read(t[0]).select(col(t[1]).as("source"), col(t[2]).as("patient_id")));
      }
    }
    Dataset<Row> out = null;
    for (Dataset<Row> p : parts) {
      out = out == null ? p : out.unionByName(p);
    }
    return out == null ? null : out.distinct();
  }
}
