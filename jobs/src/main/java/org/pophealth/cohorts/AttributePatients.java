package org.pophealth.cohorts;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.lakehouse.Lakehouse;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gold.attribution}: each person's primary-care provider and organisation as of a date. A
 * primary-care visit is an EHR ambulatory encounter or a claim line coded with a code of
 * {@code primary_care_visits.csv}, by a practitioner whose qualification (when recorded) is in
 * {@code primary_care_specialties.csv}; one visit per (person, provider, organisation, date). The
 * plurality of visits in the look-back window (12 months) wins, else in the fallback window (24); ties
 * go to the most recent visit, then the smaller provider key. The table is rewritten for the date only
 * when the result differs, so an unchanged attribution keeps its Delta version.
 */
public final class AttributePatients {
  private static final Logger LOG = LoggerFactory.getLogger(AttributePatients.class);
  static final String TABLE = "gold.attribution";

  private final Lakehouse lakehouse;
  private final LocalDate asOf;
  private int lookbackMonths = 12;
  private int fallbackMonths = 24;
  private String rulesDir;

  public AttributePatients(Lakehouse lakehouse, LocalDate asOf) {
    this.lakehouse = lakehouse;
    this.asOf = asOf;
  }

  /** Look-back and fallback windows in months (12 and 24 by default). */
  public AttributePatients windows(int lookback, int fallback) {
    if (lookback < 1 || fallback < lookback) {
      throw new IllegalArgumentException("attribution windows must satisfy 1 <= lookback_months <= fallback_months: "
          + lookback + ", " + fallback);
    }
    this.lookbackMonths = lookback;
    this.fallbackMonths = fallback;
    return this;
  }

  /** Directory with primary_care_visits.csv and primary_care_specialties.csv; null: the packaged ones. */
  public AttributePatients rulesDir(String dir) {
    this.rulesDir = dir;
    return this;
  }

  public record Result(long persons, long visits, long lookbackPersons, long fallbackPersons, long ties,
      boolean written, long version, double seconds) {}

  public Result execute() {
    long t0 = System.nanoTime();
    SparkSession spark = lakehouse.spark();
    ReferenceData rules = ReferenceData.packaged("attribution").overriddenBy(rulesDir, "attribution rules");
    Map<String, List<String>> systems = CohortReference.codeSystems(
        ReferenceData.packaged(LoadCohortDefinitions.FOLDER).table("code_systems.csv"));
    List<Row> codes = new ArrayList<>();
    for (ReferenceRow l : rules.table("primary_care_visits.csv").rows()) {
      for (String uri : CohortReference.uris(systems, l, l.text("system"))) {
        codes.add(RowFactory.create(uri, l.text("code")));
      }
    }
    List<Row> specialties = new ArrayList<>();
    for (ReferenceRow l : rules.table("primary_care_specialties.csv").rows()) {
      specialties.add(RowFactory.create(l.text("code")));
    }
    spark.createDataFrame(codes, new StructType().add("system", DataTypes.StringType).add("code", DataTypes.StringType))
        .createOrReplaceTempView("attr_code");
    String specialtyList = specialties.isEmpty() ? "CAST(NULL AS STRING)" : String.join(",",
        specialties.stream().map(r -> "'" + r.getString(0).replace("'", "''") + "'").toList());
    lakehouse.read("silver.event").createOrReplaceTempView("attr_event");
    lakehouse.read("silver.practitioner").createOrReplaceTempView("attr_practitioner");
    lakehouse.read("silver.organization").createOrReplaceTempView("attr_organization");
    String asOfSql = "DATE'" + asOf + "'";
    Dataset<Row> visits = spark.sql("""
        WITH ev AS (
          SELECT * FROM attr_event
          WHERE event_kind IN ('encounter', 'procedure') AND event_date <= %1$s
            AND event_date > add_months(%1$s, -%2$d)
            AND coalesce(encounter_class, 'AMB') NOT IN ('EMER', 'IMP', 'ACUTE')),
        hit AS (
          SELECT DISTINCT e.event_id FROM (SELECT event_id, explode(codes) AS x FROM ev) e
          JOIN attr_code c ON c.system = e.x.system AND c.code = e.x.code),
        pc AS (
          SELECT e.* FROM ev e JOIN hit h ON h.event_id = e.event_id
          LEFT JOIN attr_practitioner p ON p.source = e.source AND p.id = e.practitioner_id
          WHERE p.qualification_codes IS NULL OR size(p.qualification_codes) = 0
             OR exists(p.qualification_codes, q -> array_contains(array(%3$s), q.code)))
        SELECT coalesce(person_id, concat(source, ':', patient_id)) AS person_key, person_id,
               coalesce(practitioner_npi, CASE WHEN practitioner_id IS NOT NULL THEN concat(source, ':', practitioner_id) END) AS provider_key,
               practitioner_npi, source, practitioner_id,
               coalesce(organization_npi, CASE WHEN organization_id IS NOT NULL THEN concat(source, ':', organization_id) END) AS organization_key,
               organization_npi, organization_id, event_date
        FROM pc
        """.formatted(asOfSql, fallbackMonths, specialtyList));
    visits.createOrReplaceTempView("attr_visit");
    Dataset<Row> attributed = spark.sql("""
        WITH pairs AS (
          SELECT person_key, max(person_id) AS person_id, provider_key, organization_key,
                 max(practitioner_npi) AS provider_npi, max(organization_npi) AS organization_npi,
                 min(named_struct('s', source, 'id', practitioner_id)) AS pr,
                 min(named_struct('s', source, 'id', organization_id)) AS org,
                 count(DISTINCT CASE WHEN event_date > add_months(%1$s, -%2$d) THEN event_date END) AS v_short,
                 max(CASE WHEN event_date > add_months(%1$s, -%2$d) THEN event_date END) AS last_short,
                 count(DISTINCT event_date) AS v_long, max(event_date) AS last_long
          FROM attr_visit GROUP BY person_key, provider_key, organization_key),
        windowed AS (
          SELECT *, CASE WHEN max(v_short) OVER (PARTITION BY person_key) > 0 THEN %2$d ELSE %3$d END AS lookback_months
          FROM pairs),
        cand AS (
          SELECT *, CASE WHEN lookback_months = %2$d THEN v_short ELSE v_long END AS visits,
                    CASE WHEN lookback_months = %2$d THEN last_short ELSE last_long END AS last_visit
          FROM windowed),
        ranked AS (
          SELECT *, row_number() OVER (PARTITION BY person_key ORDER BY visits DESC, last_visit DESC,
                      provider_key ASC NULLS LAST, organization_key ASC NULLS LAST) AS rn,
                    lead(visits) OVER (PARTITION BY person_key ORDER BY visits DESC, last_visit DESC,
                      provider_key ASC NULLS LAST, organization_key ASC NULLS LAST) AS next_visits,
                    lead(last_visit) OVER (PARTITION BY person_key ORDER BY visits DESC, last_visit DESC,
                      provider_key ASC NULLS LAST, organization_key ASC NULLS LAST) AS next_last,
                    count(*) OVER (PARTITION BY person_key) AS candidates
          FROM cand WHERE visits > 0)
        ,
        pr_npi AS (
          SELECT npi, min(nullif(concat_ws(' ', given_names[0], family_name), '')) AS name
          FROM attr_practitioner WHERE npi IS NOT NULL GROUP BY npi),
        org_npi AS (SELECT npi, min(name) AS name FROM attr_organization WHERE npi IS NOT NULL GROUP BY npi),
        -- a claim billed under a practitioner's NPI names no organisation: the one the practitioner sees
        -- patients at most in the EHR (then the smaller id) stands in
        pr_org AS (
          SELECT npi, org.s AS s, org.id AS id FROM (
            SELECT practitioner_npi AS npi, named_struct('s', source, 'id', organization_id) AS org,
                   row_number() OVER (PARTITION BY practitioner_npi ORDER BY count(*) DESC, source, organization_id) AS k
            FROM attr_event WHERE claim_id IS NULL AND practitioner_npi IS NOT NULL AND organization_id IS NOT NULL
            GROUP BY practitioner_npi, source, organization_id) WHERE k = 1)
        SELECT %1$s AS as_of, r.person_key, r.person_id, r.provider_key, r.provider_npi,
               coalesce(CASE WHEN p.id IS NOT NULL THEN nullif(concat_ws(' ', p.given_names[0], p.family_name), '') END,
                        pn.name) AS provider_name,
               r.organization_key, r.organization_npi, coalesce(o.name, onpi.name, po.name) AS organization_name,
               CAST(r.visits AS INT) AS visits, r.last_visit, r.lookback_months, CAST(r.candidates AS INT) AS candidates,
               CASE WHEN r.next_visits = r.visits AND r.next_last = r.last_visit THEN 'provider_key'
                    WHEN r.next_visits = r.visits THEN 'most_recent' END AS tie_break
        FROM ranked r
        LEFT JOIN attr_practitioner p ON p.source = r.pr.s AND p.id = r.pr.id
        LEFT JOIN attr_organization o ON o.source = r.org.s AND o.id = r.org.id
        LEFT JOIN pr_npi pn ON pn.npi = r.provider_npi
        LEFT JOIN org_npi onpi ON onpi.npi = r.organization_npi
        LEFT JOIN pr_org pro ON pro.npi = r.organization_npi AND o.id IS NULL AND onpi.npi IS NULL
        LEFT JOIN attr_organization po ON po.source = pro.s AND po.id = pro.id
        WHERE r.rn = 1
        """.formatted(asOfSql, lookbackMonths, fallbackMonths));
    Dataset<Row> fresh = lakehouse.conform(attributed, TABLE).localCheckpoint();
    Dataset<Row> existing = lakehouse.conform(lakehouse.read(TABLE).filter("as_of = " + asOfSql), TABLE);
    boolean same = fresh.exceptAll(existing).isEmpty() && existing.exceptAll(fresh).isEmpty();
    if (!same) {
      lakehouse.replaceWhere(TABLE, fresh, "as_of = " + asOfSql);
    }
    Row c = fresh.selectExpr("count(*)", "coalesce(sum(visits), 0)",
        "coalesce(sum(CASE WHEN lookback_months = " + lookbackMonths + " THEN 1 ELSE 0 END), 0)",
        "coalesce(sum(CASE WHEN tie_break IS NOT NULL THEN 1 ELSE 0 END), 0)").head();
    long persons = c.getLong(0);
    long shortPersons = c.getLong(2);
    Result r = new Result(persons, c.getLong(1), shortPersons, persons - shortPersons, c.getLong(3), !same,
        lakehouse.version(TABLE), (System.nanoTime() - t0) / 1e9);
    LOG.info("attribution as of {}: {} persons ({} in {} months, {} in {}), {} ties, {}", asOf, persons, shortPersons,
        lookbackMonths, persons - shortPersons, fallbackMonths, r.ties(), same ? "unchanged" : "written");
    return r;
  }
}
