package org.pophealth.ingest.claims;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

import org.pophealth.lakehouse.Lakehouse;
import scala.Tuple2;

/**
 * Job step: the latest version of every ExplanationOfBenefit, Coverage and Patient of a source in
 * bronze.fhir_resource (tombstones applied) → claims rows ({@link ConvertEobToClaims}); eligibility
 * rows get the demographics of their Patient (top-level, or contained in the EOB). CMS BCDA's
 * partially adjudicated claims ({@code Claim}, each joined to the latest {@code ClaimResponse} whose
 * {@code request} names it) become medical lines with {@code adjudication_status = partial}.
 */
public final class ReadPayerFhir {
  private final Lakehouse lakehouse;
  private final String source;
  private final java.util.Set<java.sql.Timestamp> excludedExports;
  private final java.sql.Timestamp onlyExport;

  public ReadPayerFhir(Lakehouse lakehouse, String source) {
    this(lakehouse, source, java.util.Set.of(), null);
  }

  private ReadPayerFhir(Lakehouse lakehouse, String source, java.util.Set<java.sql.Timestamp> excludedExports,
      java.sql.Timestamp onlyExport) {
    this.lakehouse = lakehouse;
    this.source = source;
    this.excludedExports = excludedExports;
    this.onlyExport = onlyExport;
  }

  /** The same, leaving out the resources of these exports (held deliveries): their earlier versions stay. */
  public ReadPayerFhir excluding(java.util.Set<java.sql.Timestamp> exports) {
    return new ReadPayerFhir(lakehouse, source, java.util.Set.copyOf(exports), onlyExport);
  }

  /**
   * The same, reading only the resources of one export (one delivery, measured by the delivery gates; an
   * export ingested again is the same delivery).
   */
  public ReadPayerFhir onlyExport(java.sql.Timestamp exportTime) {
    return new ReadPayerFhir(lakehouse, source, excludedExports, exportTime);
  }

  /** Claims rows derived from the source's payer FHIR; empty when it has none. */
  public JavaRDD<ClaimRecord> execute() {
    Dataset<Row> resources = lakehouse.read("bronze.fhir_resource")
        .filter(col("source").equalTo(source)
            .and(col("resource_type").isin("ExplanationOfBenefit", "Coverage", "Patient", "Claim", "ClaimResponse")));
    if (!excludedExports.isEmpty()) {
      resources = resources.filter(functions.not(col("export_time").isin(excludedExports.toArray())));
    }
    if (onlyExport != null) {
      resources = resources.filter(col("export_time").equalTo(onlyExport));
    }
    Dataset<Row> latest = resources
        .withColumn("rk", functions.row_number().over(Window.partitionBy("resource_type", "resource_id")
            .orderBy(col("export_time").desc(), col("is_deleted").desc(), col("file").desc(), col("line").desc())))
        .filter(col("rk").equalTo(1).and(functions.not(col("is_deleted"))))
        .select("resource_type", "resource_id", "raw", "file", "line", "ingest_run_id");
    JavaRDD<Row> rows = latest.toJavaRDD();
    JavaRDD<ClaimRecord> claims = rows.filter(r -> r.getString(0).equals("ExplanationOfBenefit"))
        .flatMap(r -> ConvertEobToClaims.eob(r.getString(2), r.getString(3), r.getLong(4), r.getString(5)).iterator());
    // CMS BCDA partially adjudicated claims: each Claim with the latest ClaimResponse that names it
    JavaPairRDD<String, Tuple2<String, String>> responses = rows.filter(r -> r.getString(0).equals("ClaimResponse"))
        .mapToPair(r -> new Tuple2<>(String.valueOf(ConvertEobToClaims.responseRequestId(r.getString(2))),
            new Tuple2<>(ConvertEobToClaims.responseOrder(r.getString(2)), r.getString(2))))
        .reduceByKey((a, b) -> a._1().compareTo(b._1()) >= 0 ? a : b);
    JavaRDD<ClaimRecord> pac = rows.filter(r -> r.getString(0).equals("Claim"))
        .mapToPair(r -> new Tuple2<>(r.getString(1), r))
        .leftOuterJoin(responses)
        .flatMap(t -> {
          Row r = t._2()._1();
          String response = t._2()._2().isPresent() ? t._2()._2().get()._2() : null;
          return ConvertEobToClaims.partiallyAdjudicated(r.getString(2), response, r.getString(3), r.getLong(4),
              r.getString(5)).iterator();
        });
    // a partially adjudicated Claim names its beneficiary by MBI; BCDA's EOBs and Coverages by Patient id:
    // the member becomes the id of the Patient that carries that MBI, when the delivery has one
    JavaPairRDD<String, String> patientByMbi = rows.filter(r -> r.getString(0).equals("Patient"))
        .flatMapToPair(r -> ConvertEobToClaims.mbis(r.getString(2)).stream()
            .map(m -> new Tuple2<>(m, r.getString(1))).iterator())
        .reduceByKey((a, b) -> a.compareTo(b) <= 0 ? a : b);
    pac = pac.mapToPair(c -> new Tuple2<>(c.fields().getOrDefault("member_id", ""), c))
        .leftOuterJoin(patientByMbi)
        .map(t -> {
          ClaimRecord c = t._2()._1();
          if (!t._2()._2().isPresent()) {
            return c;
          }
          Map<String, String> f = new TreeMap<>(c.fields());
          f.put("member_id", t._2()._2().get());
          return new ClaimRecord(c.table(), c.format(), c.file(), c.line(), c.raw(), f, c.parseError(), c.parseCode(),
              c.ingestRunId());
        });
    JavaRDD<ClaimRecord> coverages = rows.flatMap(r -> {
      List<ClaimRecord> out = new ArrayList<>();
      if (r.getString(0).equals("Coverage")) {
        out.addAll(ConvertEobToClaims.coverageLine(r.getString(2), r.getString(3), r.getLong(4), r.getString(5)));
      } else if (r.getString(0).equals("ExplanationOfBenefit")) {
        out.addAll(ConvertEobToClaims.containedCoverages(r.getString(2), r.getString(3), r.getLong(4),
            r.getString(5)));
      }
      return out.iterator();
    });
    JavaPairRDD<String, Map<String, String>> patients = rows.filter(r -> r.getString(0).equals("Patient"))
        .mapToPair(r -> new Tuple2<>(r.getString(1), ConvertEobToClaims.patientLine(r.getString(2))));
    JavaRDD<ClaimRecord> eligibility = coverages
        .mapToPair(c -> new Tuple2<>(c.fields().getOrDefault("member_id", ""), c))
        .leftOuterJoin(patients)
        .map(t -> {
          ClaimRecord c = t._2()._1();
          if (!t._2()._2().isPresent() || c.fields().containsKey("birth_date")) {
            return c;
          }
          Map<String, String> f = new TreeMap<>(t._2()._2().get());
          f.putAll(c.fields());
          return new ClaimRecord(c.table(), c.format(), c.file(), c.line(), c.raw(), f, null, c.ingestRunId());
        });
    return claims.union(pac).union(eligibility);
  }

  /** True when the source has any payer resource in bronze. */
  public boolean any() {
    return lakehouse.read("bronze.fhir_resource").filter(col("source").equalTo(source)
        .and(col("resource_type").isin("ExplanationOfBenefit", "Coverage", "Claim"))).limit(1).count() > 0;
  }

}
