package org.pophealth.risk;

import static org.apache.spark.sql.functions.*;

import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code score-risk --payment-year Y}: CMS-HCC V24, V28 and the payment year's blend for every person,
 * into {@code gold.risk_score} and, one row per factor, {@code gold.risk_factor}.
 *
 * <p>Diagnoses: {@code silver.event} rows of kind diagnosis dated in Y-1, from risk-adjustment-eligible
 * sources only (professional claims with an eligible CPT/HCPCS on the claim; institutional bill types
 * 11x/41x; outpatient bill types 12x, 13x, 43x, 71x, 73x, 76x, 77x, 85x with an eligible CPT/HCPCS; EHR
 * encounter diagnoses only with {@link #includeEhrDiagnoses}), their ICD-10-CM codings. Codes that are not
 * ICD-10-CM shaped go to ops.quarantine. Demographics: silver.eligibility when the table exists, else
 * silver.patient with defaults (community, non-dual, OREC 0); long-term institutional residence (segment INS)
 * from nursing-facility claims, ESRD dialysis, kidney transplant and functioning graft status from the
 * eligibility's Medicare status code and dialysis / transplant claims ({@code measures/risk/member_status.yaml}): a
 * member in one of these statuses gets the rows of its ESRD model (ESRD-V24, ESRD-V24-TRANSPLANT, ESRD-V24-GRAFT)
 * and a BLEND (payment) row from that model; {@code payment_model} says which. Persons are scored with {@link ScoreMember}
 * per partition. Both gold tables are replaced for the payment year, so a re-run writes the same rows.
 */
public final class ScoreRisk {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreRisk.class);
  static final String ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm";

  public record Result(
      int paymentYear, long persons, long scored, long notScored, long diagnosisEvents, long eligibleDiagnosisEvents,
      long icd10Diagnoses, long invalidCodes, long personsWithHcc, double meanPaymentScore, long top1, long top5,
      long rising, boolean eligibilityTable, boolean ehrDiagnosesIncluded, long institutional, long esrdDialysis,
      long esrdNotDialysis, long esrdTransplant, long esrdGraft, boolean esrdModelScored, double seconds) {}

  private final Lakehouse lh;
  private final int paymentYear;
  private boolean includeEhr;
  private double risingPercent = 5.0;

  public ScoreRisk(Lakehouse lakehouse, int paymentYear) {
    this.lh = lakehouse;
    this.paymentYear = paymentYear;
    RiskReference.forPaymentYear(paymentYear); // unknown year: IllegalArgumentException before any Spark work
  }

  /** Count EHR encounter diagnoses (clinical triage); off for payment scores. */
  public ScoreRisk includeEhrDiagnoses(boolean on) {
    this.includeEhr = on;
    return this;
  }

  public ScoreRisk risingPercent(double percent) {
    this.risingPercent = percent;
    return this;
  }

  public Result execute() {
    long t0 = System.nanoTime();
    // persons, not records: refused on unlinked multi-source data (person_key comes from silver.event.person_id)
    org.pophealth.identity.PersonKeys.crosswalk(lh, "score-risk");
    var spark = lh.spark();
    PaymentYearTables tables = RiskReference.forPaymentYear(paymentYear);
    LocalDate from = LocalDate.of(paymentYear - 1, 1, 1);
    LocalDate to = LocalDate.of(paymentYear - 1, 12, 31);
    Dataset<Row> events = lh.read("silver.event")
        .withColumn("person_key", coalesce(col("person_id"), concat_ws(":", col("source"), col("patient_id"))));

    // claims with a risk-adjustment-eligible CPT/HCPCS on them
    Dataset<Row> cpt = spark.createDataset(new ArrayList<>(tables.eligibleCptHcpcs()), Encoders.STRING()).toDF("cpt");
    Dataset<Row> cptClaims = events.filter("event_kind = 'procedure' AND claim_id IS NOT NULL")
        .select(col("source"), col("claim_id"), explode(col("codes")).as("c"))
        .select(col("source"), col("claim_id"), trim(upper(col("c.code"))).as("cpt"))
        .join(broadcast(cpt), "cpt")
        .select(col("source").as("cs"), col("claim_id").as("cc"), lit(true).as("has_cpt"))
        .distinct();

    Dataset<Row> dx = events
        .filter(col("event_kind").equalTo("diagnosis")
            .and(col("event_date").between(lit(from.toString()).cast("date"), lit(to.toString()).cast("date"))))
        .join(cptClaims, col("source").equalTo(col("cs")).and(col("claim_id").equalTo(col("cc"))), "left");
    Column bt2 = billTypePrefix();
    Column hasCpt = coalesce(col("has_cpt"), lit(false));
    Column eligible = when(col("claim_type").isNull(), lit(includeEhr).and(col("encounter_id").isNotNull()))
        .when(col("claim_type").equalTo("professional"), hasCpt)
        .when(col("claim_type").equalTo("institutional").and(bt2.isin("11", "41")), lit(true))
        .when(col("claim_type").equalTo("institutional")
            .and(bt2.isin("12", "13", "43", "71", "73", "76", "77", "85")), hasCpt)
        .otherwise(lit(false));
    dx = dx.withColumn("eligible", eligible);
    Dataset<Row> eligibleDx = dx.filter("eligible");
    Dataset<Row> icd = eligibleDx
        .select(col("person_key"), col("source"), col("event_id"), col("claim_id"), col("source_resource_type"),
            col("source_resource_id"), col("ingest_run_id"), explode(col("codes")).as("c"))
        .filter(col("c.system").equalTo(ICD10CM).and(col("c.code").isNotNull()))
        .withColumn("raw_code", col("c.code"))
        .withColumn("code", upper(trim(regexp_replace(col("c.code"), "\\.", ""))))
        .withColumn("valid", col("code").rlike("^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$"))
        .cache();
    Row ic = icd.agg(count(lit(1)), sum(when(col("valid"), 0).otherwise(1))).head();
    long icdCount = ic.getLong(0);
    long invalidCount = ic.isNullAt(1) ? 0 : ic.getLong(1);
    Dataset<Row> invalid = icd.filter("NOT valid");
    if (invalidCount > 0) {
      quarantine(invalid.select(
          sha2(concat_ws("|", lit("score-risk"), lit(paymentYear), col("event_id"), col("raw_code")), 256).as("row_key"),
          col("source"), lit("score-risk").as("stage"), lit("invalid-icd10").as("reason_code"),
          lit("ICD-10-CM coding is not an ICD-10-CM code (letter, digit, alphanumeric, up to 4 more)").as("reason"),
          col("source_resource_type").as("resource_type"), col("source_resource_id").as("resource_id"),
          col("raw_code").as("raw"), lit("silver.event").as("file"), col("ingest_run_id")));
    }
    Dataset<Row> dxPerPerson = icd.filter("valid")
        .select("person_key", "code", "event_id", "claim_id").distinct()
        .groupBy("person_key")
        .agg(sort_array(collect_list(struct(col("code"), col("event_id"), col("claim_id")))).as("dx"));

    Dataset<Row> members = demographics(events);
    boolean eligibilityTable = hasEligibility();
    Dataset<Row> joined = members.join(dxPerPerson, "person_key", "left").cache();
    Column bad = col("sex").isNull().or(col("birth_date").isNull())
        .or(col("birth_date").gt(lit(LocalDate.of(paymentYear, 2, 1).toString()).cast("date")));
    Row pc = joined.agg(count(lit(1)), sum(when(bad, 1).otherwise(0)),
        sum(when(col("esrd_status").equalTo("dialysis"), 1).otherwise(0)),
        sum(when(col("esrd_status").equalTo("esrd"), 1).otherwise(0)),
        sum(when(col("esrd_status").equalTo("transplant"), 1).otherwise(0)),
        sum(when(col("esrd_status").equalTo("graft"), 1).otherwise(0))).head();
    long esrdDialysis = pc.isNullAt(2) ? 0 : pc.getLong(2);
    long esrdOther = pc.isNullAt(3) ? 0 : pc.getLong(3);
    long esrdTransplant = pc.isNullAt(4) ? 0 : pc.getLong(4);
    long esrdGraft = pc.isNullAt(5) ? 0 : pc.getLong(5);
    long persons = pc.getLong(0);
    long notScored = pc.isNullAt(1) ? 0 : pc.getLong(1);
    Dataset<Row> unscorable = joined.filter(bad);
    if (notScored > 0) {
      quarantine(unscorable.select(
          sha2(concat_ws("|", lit("score-risk-person"), lit(paymentYear), col("person_key")), 256).as("row_key"),
          col("source"), lit("score-risk").as("stage"), lit("missing-demographics").as("reason_code"),
          lit("person not scored: sex (male/female) or birth date missing, or born after February 1 of the payment year")
              .as("reason"),
          lit("Patient").as("resource_type"), col("patient_id").as("resource_id"), lit(null).cast("string").as("raw"),
          lit("silver.patient").as("file"), lit("score-risk-PY" + paymentYear).as("ingest_run_id")));
    }
    Dataset<Row> scorable = joined.filter(not(bad));

    int year = paymentYear;
    StructType outSchema = ScoreRows.schema();
    Dataset<Row> scores = scorable.mapPartitions(
        (MapPartitionsFunction<Row, Row>) rows -> ScoreRows.score(year, rows), Encoders.row(outSchema)).cache();

    Dataset<Row> scoreRows = tiers(scores.drop("factors")).cache();
    lh.replaceWhere("gold.risk_score", scoreRows.withColumn("payment_year", lit(paymentYear)),
        "payment_year = " + paymentYear);
    Dataset<Row> factors = scores.filter(col("model").notEqual(ScoreMember.BLEND))
        .select(col("person_key"), col("model"), col("segment"), explode(col("factors")).as("f"))
        .select(lit(paymentYear).as("payment_year"), col("person_key"), col("model"), col("segment"), col("f.*"));
    lh.replaceWhere("gold.risk_factor", factors, "payment_year = " + paymentYear);

    Object[] paying = tables.weights().entrySet().stream().filter(e -> e.getValue() > 0)
        .map(java.util.Map.Entry::getKey).toArray();
    Row agg = scoreRows.agg(
        sum(when(col("model").equalTo(ScoreMember.BLEND), 1).otherwise(0)),
        avg(when(col("model").equalTo(ScoreMember.BLEND), col("payment_score"))),
        sum(when(col("tier_top_1pct"), 1).otherwise(0)), sum(when(col("tier_top_5pct"), 1).otherwise(0)),
        sum(when(col("tier_rising"), 1).otherwise(0)),
        countDistinct(when(col("model").isin(paying).and(col("hcc_count").gt(0)), col("person_key"))),
        sum(when(col("model").equalTo(ScoreMember.BLEND).and(col("segment").equalTo("INS")), 1).otherwise(0))).head();
    long withHcc = agg.getLong(5);
    Row dc = dx.agg(count(lit(1)), sum(when(col("eligible"), 1).otherwise(0))).head();
    long diagnosisEvents = dc.getLong(0);
    long eligibleEvents = dc.isNullAt(1) ? 0 : dc.getLong(1);
    scores.unpersist();
    scoreRows.unpersist();
    joined.unpersist();
    icd.unpersist();
    Result r = new Result(paymentYear, persons, agg.isNullAt(0) ? 0 : agg.getLong(0), notScored, diagnosisEvents, eligibleEvents, icdCount,
        invalidCount, withHcc, agg.isNullAt(1) ? 0 : agg.getDouble(1), agg.isNullAt(2) ? 0 : agg.getLong(2),
        agg.isNullAt(3) ? 0 : agg.getLong(3), agg.isNullAt(4) ? 0 : agg.getLong(4), eligibilityTable, includeEhr,
        agg.isNullAt(6) ? 0 : agg.getLong(6), esrdDialysis, esrdOther, esrdTransplant, esrdGraft,
        !tables.esrdModels().isEmpty(),
        (System.nanoTime() - t0) / 1e9);
    LOG.info("score-risk PY{}: {} persons, {} scored, {} not scored, {} diagnosis events ({} eligible), {} ICD-10-CM"
        + " codings, {} invalid", paymentYear, persons, r.scored(), notScored, diagnosisEvents, eligibleEvents, icdCount,
        invalidCount);
    return r;
  }

  /** One row per person: key, demographics (eligibility first, else patient), flags. */
  private Dataset<Row> demographics(Dataset<Row> events) {
    Dataset<Row> personIds = events.filter("person_id IS NOT NULL")
        .select(col("source").as("ps"), col("patient_id").as("pp"), col("person_id").as("pid")).distinct();
    Dataset<Row> patients = lh.read("silver.patient")
        .select(col("source"), col("id").as("patient_id"), col("gender"), col("birth_date"));
    Dataset<Row> base;
    RiskReference.DialysisRule dialysis = RiskReference.dialysisRule();
    if (hasEligibility()) {
      Dataset<Row> el = lh.spark().read().format("delta").load(eligibilityPath());
      Column dual = when(col("dual_status_code").isin("01", "03", "05", "06"), "partial")
          .when(col("dual_status_code").isin("02", "04", "08"), "full").otherwise("non");
      var latest = Window.partitionBy("source", "member_id")
          .orderBy(col("enrollment_start_date").desc_nulls_last(), col("enrollment_end_date").desc_nulls_last());
      var all = Window.partitionBy("source", "member_id");
      Dataset<Row> e = el
          .withColumn("first_start", min("enrollment_start_date").over(all))
          .withColumn("rn", row_number().over(latest)).filter("rn = 1")
          .select(col("source").as("es"), col("member_id").as("em"), col("gender").as("egender"),
              col("birth_date").cast("date").as("ebirth"),
              when(col("original_reason_entitlement_code").cast("string").isin("0", "1", "2", "3"),
                  col("original_reason_entitlement_code").cast("int")).otherwise(0).as("orec"),
              dual.as("dual_status"),
              coalesce(col("first_start").cast("date").gt(lit(LocalDate.of(paymentYear - 1, 1, 1).toString()).cast("date")),
                  lit(false)).as("new_enrollee"),
              coalesce(trim(col("medicare_status_code")).isin(dialysis.medicareStatusCodes().toArray()), lit(false))
                  .as("esrd"));
      // members in eligibility, and patients that have no eligibility row
      Dataset<Row> fromEl = e.join(patients, e.col("es").equalTo(patients.col("source"))
              .and(e.col("em").equalTo(patients.col("patient_id"))), "left")
          .select(col("es").as("source"), col("em").as("patient_id"), coalesce(col("egender"), col("gender")).as("gender"),
              coalesce(col("ebirth"), col("birth_date")).as("birth_date"), col("orec"), col("dual_status"),
              col("new_enrollee"), lit("eligibility").as("demographics_source"), col("esrd"));
      Dataset<Row> rest = patients.join(e, patients.col("source").equalTo(e.col("es"))
              .and(patients.col("patient_id").equalTo(e.col("em"))), "left_anti")
          .select(col("source"), col("patient_id"), col("gender"), col("birth_date"), lit(0).as("orec"),
              lit("non").as("dual_status"), lit(false).as("new_enrollee"), lit("patient").as("demographics_source"),
              lit(false).as("esrd"));
      base = fromEl.unionByName(rest);
    } else {
      base = patients.select(col("source"), col("patient_id"), col("gender"), col("birth_date"), lit(0).as("orec"),
          lit("non").as("dual_status"), lit(false).as("new_enrollee"), lit("patient").as("demographics_source"),
          lit(false).as("esrd"));
    }
    Dataset<Row> keyed = base.join(personIds, base.col("source").equalTo(personIds.col("ps"))
            .and(base.col("patient_id").equalTo(personIds.col("pp"))), "left")
        .withColumn("person_id", col("pid"))
        .withColumn("person_key", coalesce(col("pid"), concat_ws(":", col("source"), col("patient_id"))))
        .withColumn("sex", when(lower(col("gender")).isin("male", "m"), "M")
            .when(lower(col("gender")).isin("female", "f"), "F"));
    // one demographics row per person: eligibility first, complete rows first, then by source and id
    var pick = Window.partitionBy("person_key").orderBy(
        col("demographics_source").asc(), col("sex").isNull(), col("birth_date").isNull(), col("source"),
        col("patient_id"));
    return keyed.withColumn("rn", row_number().over(pick)).filter("rn = 1")
        .select("person_key", "person_id", "source", "patient_id", "sex", "birth_date", "orec", "dual_status",
            "new_enrollee", "demographics_source", "esrd")
        .join(longTermInstitutional(events), "person_key", "left")
        .withColumn("institutional", coalesce(col("lti"), lit(false))).drop("lti")
        .join(onDialysis(events, dialysis), "person_key", "left")
        .join(transplants(events), "person_key", "left")
        .withColumn("graft_months", monthIndex(LocalDate.of(paymentYear - 1, 12, 31), col("transplant_date")))
        // dialysis after the transplant months (graft failure) wins over the transplant
        .withColumn("after_transplant", col("transplant_date").isNotNull().and(col("last_dialysis").isNull()
            .or(monthIndex(col("last_dialysis"), col("transplant_date")).leq(Member.TRANSPLANT_MONTHS))))
        .withColumn("esrd_status", when(col("esrd").and(col("after_transplant")),
                when(col("graft_months").leq(Member.TRANSPLANT_MONTHS), "transplant").otherwise("graft"))
            .when(col("esrd").and(col("last_dialysis").isNotNull()), "dialysis")
            .when(col("esrd"), "esrd"))
        .withColumn("graft_months", when(col("esrd_status").isin("transplant", "graft"), col("graft_months")))
        .drop("esrd", "last_dialysis", "transplant_date", "after_transplant");
  }

  /** The month of {@code date} counted from the month of {@code from}, the month of {@code from} being month 1. */
  private static Column monthIndex(Column date, Column from) {
    return year(date).multiply(12).plus(month(date)).minus(year(from).multiply(12).plus(month(from))).plus(1);
  }

  private static Column monthIndex(LocalDate date, Column from) {
    return monthIndex(lit(date.toString()).cast("date"), from);
  }

  /**
   * The latest kidney transplant of each person, dated in the data year or before ({@code member_status.yaml}
   * {@code kidney_transplant}): a claim event with a transplant CPT / ICD-10-PCS coding, or any event of a claim
   * whose MS-DRG (silver.medical_claim) is a kidney transplant DRG: (person_key, transplant_date).
   */
  private Dataset<Row> transplants(Dataset<Row> events) {
    RiskReference.TransplantRule rule = RiskReference.transplantRule();
    LocalDate end = LocalDate.of(paymentYear - 1, 12, 31);
    Column coded = rule.codes().isEmpty() ? lit(false)
        : exists(col("codes"), c -> upper(trim(c.getField("code"))).isin(rule.codes().toArray()));
    Dataset<Row> claimEvents = events.filter(col("claim_id").isNotNull()
        .and(col("event_date").leq(lit(end.toString()).cast("date"))));
    String claims = lh.root() + "/silver/medical_claim";
    Column transplant = coded;
    if (!rule.msDrgs().isEmpty() && DeltaTable.isDeltaTable(lh.spark(), claims)) {
      Dataset<Row> drg = lh.spark().read().format("delta").load(claims)
          .filter(trim(col("ms_drg_code")).isin(rule.msDrgs().toArray()))
          .select(col("source").as("ds"), col("claim_id").as("dc"), lit(true).as("drg")).distinct();
      claimEvents = claimEvents.join(broadcast(drg),
          col("source").equalTo(col("ds")).and(col("claim_id").equalTo(col("dc"))), "left");
      transplant = transplant.or(coalesce(col("drg"), lit(false)));
    }
    return claimEvents.filter(transplant).groupBy("person_key").agg(max("event_date").as("transplant_date"));
  }

  /**
   * Persons with a dialysis claim in the final {@code recent_days} of the data year ({@code member_status.yaml}):
   * (person_key, last_dialysis = the latest such claim's date).
   */
  private Dataset<Row> onDialysis(Dataset<Row> events, RiskReference.DialysisRule rule) {
    LocalDate end = LocalDate.of(paymentYear - 1, 12, 31);
    Column bt2 = billTypePrefix();
    Column service = lit(false);
    if (!rule.billTypePrefixes().isEmpty()) {
      service = service.or(coalesce(bt2.isin(rule.billTypePrefixes().toArray()), lit(false)));
    }
    if (!rule.codes().isEmpty()) {
      service = service.or(exists(col("codes"), c -> upper(trim(c.getField("code"))).isin(rule.codes().toArray())));
    }
    return events
        .filter(col("claim_id").isNotNull().and(service)
            .and(col("event_date").between(lit(end.minusDays(rule.recentDays() - 1).toString()).cast("date"),
                lit(end.toString()).cast("date"))))
        .groupBy("person_key").agg(max("event_date").as("last_dialysis"));
  }

  /**
   * Persons whose nursing-facility claims of the data year span {@code min_days} and reach into its last
   * {@code recent_days} ({@code measures/risk/member_status.yaml}): (person_key, lti = true).
   */
  private Dataset<Row> longTermInstitutional(Dataset<Row> events) {
    RiskReference.InstitutionalRule rule = RiskReference.institutionalRule();
    LocalDate end = LocalDate.of(paymentYear - 1, 12, 31);
    Column bt2 = billTypePrefix();
    Column facility = lit(false);
    if (!rule.placesOfService().isEmpty()) {
      facility = facility.or(coalesce(col("place_of_service").isin(rule.placesOfService().toArray()), lit(false)));
    }
    if (!rule.billTypePrefixes().isEmpty()) {
      facility = facility.or(coalesce(bt2.isin(rule.billTypePrefixes().toArray()), lit(false)));
    }
    return events
        .filter(col("claim_id").isNotNull().and(facility)
            .and(col("event_date").between(lit(LocalDate.of(paymentYear - 1, 1, 1).toString()).cast("date"),
                lit(end.toString()).cast("date"))))
        .groupBy("person_key").agg(min("event_date").as("first"), max("event_date").as("last"))
        .filter(datediff(col("last"), col("first")).geq(rule.minDays())
            .and(col("last").gt(lit(end.minusDays(rule.recentDays()).toString()).cast("date"))))
        .select(col("person_key"), lit(true).as("lti"));
  }

  /** The first two digits of the claim's type of bill, a leading 0 dropped (0111 and 111 are both 11). */
  private static Column billTypePrefix() {
    return substring(regexp_replace(col("bill_type"), "^0", ""), 1, 2);
  }

  private String eligibilityPath() {
    return lh.root() + "/silver/eligibility";
  }

  private boolean hasEligibility() {
    return DeltaTable.isDeltaTable(lh.spark(), eligibilityPath());
  }

  /** Tier flags and the change against the prior payment year, on BLEND rows. */
  private Dataset<Row> tiers(Dataset<Row> scores) {
    Dataset<Row> blend = scores.filter(col("model").equalTo(ScoreMember.BLEND));
    Dataset<Row> prior = lh.read("gold.risk_score")
        .filter(col("payment_year").equalTo(paymentYear - 1).and(col("model").equalTo(ScoreMember.BLEND)))
        .select(col("person_key").as("prior_key"), col("payment_score").as("prior_payment_score"));
    Dataset<Row> withPrior = blend.join(prior, col("person_key").equalTo(col("prior_key")), "left").drop("prior_key")
        .withColumn("score_change", round(col("payment_score").minus(col("prior_payment_score")), 3));
    Row c = withPrior.agg(count(lit(1)), count(col("prior_payment_score"))).head();
    long n = c.getLong(0);
    long nTop1 = (long) Math.ceil(n * 0.01);
    long nTop5 = (long) Math.ceil(n * 0.05);
    long nPrior = c.getLong(1);
    long nRising = (long) Math.ceil(nPrior * risingPercent / 100.0);
    var byScore = Window.orderBy(col("payment_score").desc(), col("person_key"));
    var byChange = Window.orderBy(col("score_change").desc_nulls_last(), col("person_key"));
    Dataset<Row> ranked = withPrior
        .withColumn("rank_score", row_number().over(byScore))
        .withColumn("rank_change", row_number().over(byChange))
        .withColumn("tier_top_1pct", col("rank_score").leq(nTop1))
        .withColumn("tier_top_5pct", col("rank_score").leq(nTop5))
        .withColumn("tier_rising", col("score_change").gt(0).and(col("rank_change").leq(nRising)))
        .drop("rank_score", "rank_change");
    Dataset<Row> others = scores.filter(col("model").notEqual(ScoreMember.BLEND))
        .withColumn("prior_payment_score", lit(null).cast(DataTypes.DoubleType))
        .withColumn("score_change", lit(null).cast(DataTypes.DoubleType))
        .withColumn("tier_top_1pct", lit(false)).withColumn("tier_top_5pct", lit(false))
        .withColumn("tier_rising", lit(false));
    return others.unionByName(ranked);
  }

  private void quarantine(Dataset<Row> rows) {
    Dataset<Row> q = rows.withColumn("export_time", lit(LocalDate.of(paymentYear, 1, 1).toString()).cast("timestamp"))
        .withColumn("line", lit(0L));
    lh.insertNew("ops.quarantine", q, "t.stage = 'score-risk'");
  }

  /** Builds the rows (plain Java per partition). */
  static final class ScoreRows {
    private ScoreRows() {}

    static StructType schema() {
      StructType factor = new StructType()
          .add("variable", DataTypes.StringType).add("factor_kind", DataTypes.StringType)
          .add("coefficient", DataTypes.DoubleType).add("hcc", DataTypes.IntegerType)
          .add("hcc_label", DataTypes.StringType)
          .add("dx_codes", DataTypes.createArrayType(DataTypes.StringType))
          .add("event_ids", DataTypes.createArrayType(DataTypes.StringType))
          .add("claim_ids", DataTypes.createArrayType(DataTypes.StringType));
      return new StructType()
          .add("person_key", DataTypes.StringType).add("person_id", DataTypes.StringType)
          .add("source", DataTypes.StringType).add("patient_id", DataTypes.StringType)
          .add("model", DataTypes.StringType).add("segment", DataTypes.StringType)
          .add("age", DataTypes.IntegerType).add("sex", DataTypes.StringType).add("orec", DataTypes.IntegerType)
          .add("dual_status", DataTypes.StringType).add("demographics_source", DataTypes.StringType)
          .add("raw_score", DataTypes.DoubleType).add("normalized_score", DataTypes.DoubleType)
          .add("payment_score", DataTypes.DoubleType).add("hcc_count", DataTypes.IntegerType)
          .add("hccs", DataTypes.createArrayType(DataTypes.StringType))
          .add("diagnosis_count", DataTypes.IntegerType)
          .add("payment_model", DataTypes.StringType)
          .add("factors", DataTypes.createArrayType(factor));
    }

    static Iterator<Row> score(int paymentYear, Iterator<Row> in) {
      ScoreMember scorer = new ScoreMember(RiskReference.forPaymentYear(paymentYear));
      String blendModels = String.join("+", scorer.tables().weights().entrySet().stream()
          .filter(e -> e.getValue() > 0).map(java.util.Map.Entry::getKey).sorted().toList());
      List<Row> out = new ArrayList<>();
      while (in.hasNext()) {
        Row r = in.next();
        Member m = new Member(r.getAs("person_key"), ((String) r.getAs("sex")).charAt(0),
            ((java.sql.Date) r.getAs("birth_date")).toLocalDate(), (Integer) r.getAs("orec"),
            Member.DualStatus.parse(r.getAs("dual_status")), (Boolean) r.getAs("institutional"),
            (Boolean) r.getAs("new_enrollee"));
        List<Diagnosis> dx = new ArrayList<>();
        List<Row> dxRows = r.isNullAt(r.fieldIndex("dx")) ? List.of() : r.getList(r.fieldIndex("dx"));
        for (Row d : dxRows) {
          dx.add(new Diagnosis(d.getString(0), d.getString(1), d.getString(2)));
        }
        int age = m.ageFeb1(paymentYear);
        List<ModelScore> scores = new ArrayList<>(scorer.scoreAll(m, dx));
        String paymentModel = blendModels;
        String status = r.getAs("esrd_status");
        Member esrd = status == null ? m : switch (status) {
          case "dialysis" -> m.withEsrd(Member.EsrdStatus.DIALYSIS, null);
          case "transplant", "graft" -> m.afterTransplant((Integer) r.getAs("graft_months"), null);
          default -> m;
        };
        String esrdModel = scorer.esrdModel(esrd);
        if (esrdModel != null) {
          // CMS pays a member in ESRD dialysis, transplant or graft status on that ESRD model, not the CMS-HCC blend
          scores.remove(scores.size() - 1);
          ModelScore pays = scorer.score(esrdModel, esrd, dx);
          scores.add(pays);
          scores.add(new ModelScore(ScoreMember.BLEND, pays.segment(), pays.raw(), pays.normalized(), pays.payment(),
              List.of(), List.of()));
          paymentModel = pays.model();
        }
        for (ModelScore s : scores) {
          List<Row> factors = new ArrayList<>();
          ModelTables t = s.model().equals(ScoreMember.BLEND) ? null : scorer.tables().model(s.model());
          for (Factor f : s.factors()) {
            factors.add(RowFactory.create(f.variable(), f.kind(), f.coefficient(), f.hcc(),
                f.hcc() == null ? null : t.label(f.hcc()), f.dxCodes().toArray(new String[0]),
                f.eventIds().toArray(new String[0]), f.claimIds().toArray(new String[0])));
          }
          String[] hccs = s.hccs().stream().map(h -> "HCC" + h).toArray(String[]::new);
          out.add(RowFactory.create(r.getAs("person_key"), r.getAs("person_id"), r.getAs("source"),
              r.getAs("patient_id"), s.model(), s.segment(), age, String.valueOf(m.sex()), m.orec(),
              r.getAs("dual_status"), r.getAs("demographics_source"), s.raw(), s.normalized(), s.payment(),
              hccs.length, hccs, dx.size(), s.model().equals(ScoreMember.BLEND) ? paymentModel : null,
              factors.toArray(new Row[0])));
        }
      }
      return out.iterator();
    }
  }
}
