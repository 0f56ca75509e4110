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
 * rows get the demographics of their Patient (top-level, or contained in the EOB).
 */
public final class ReadPayerFhir {
  private final Lakehouse lakehouse;
  private final String source;

  public ReadPayerFhir(Lakehouse lakehouse, String source) {
    this.lakehouse = lakehouse;
    this.source = source;
  }

  /** Claims rows derived from the source's payer FHIR; empty when it has none. */
  public JavaRDD<ClaimRecord> execute() {
    Dataset<Row> latest = lakehouse.read("bronze.fhir_resource")
        .filter(col("source").equalTo(source)
            .and(col("resource_type").isin("ExplanationOfBenefit", "Coverage", "Patient")))
        .withColumn("rk", functions.row_number().over(Window.partitionBy("resource_type", "resource_id")
            .orderBy(col("export_time").desc(), col("is_deleted").desc(), col("file").desc(), col("line").desc())))
        .filter(col("rk").equalTo(1).and(functions.not(col("is_deleted"))))
        .select("resource_type", "resource_id", "raw", "file", "line", "ingest_run_id");
    JavaRDD<Row> rows = latest.toJavaRDD();
    JavaRDD<ClaimRecord> claims = rows.filter(r -> r.getString(0).equals("ExplanationOfBenefit"))
        .flatMap(r -> ConvertEobToClaims.eob(r.getString(2), r.getString(3), r.getLong(4), r.getString(5)).iterator());
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
    return claims.union(eligibility);
  }

  /** True when the source has any payer resource in bronze. */
  public boolean any() {
    return lakehouse.read("bronze.fhir_resource").filter(col("source").equalTo(source)
        .and(col("resource_type").isin("ExplanationOfBenefit", "Coverage"))).limit(1).count() > 0;
  }

}
