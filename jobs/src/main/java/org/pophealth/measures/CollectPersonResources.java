package org.pophealth.measures;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.pophealth.identity.PersonKeys;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step: the FHIR resources of every person, one row per person, for the resource types a measure
 * package retrieves. EHR resources are the current versions: for types with a silver table, the
 * silver row (which decides the current version and applies deletes) joined to its raw JSON in
 * bronze through {@code content_hash}; for other types (ServiceRequest, DeviceRequest, ...) the newest
 * bronze version by the same order silver uses, dropped when it is a tombstone. Claims (silver
 * medical_claim / pharmacy_claim, when those tables exist) add FHIR evidence through
 * {@link ClaimsToFhir}, eligibility adds each member's Patient and Coverage. Person key: the
 * {@code person_id} of the identity crosswalk ({@link PersonKeys}), so every source's evidence counts for
 * the one person; {@code source:patient_id} only in a one-source lakehouse without identity results.
 */
public final class CollectPersonResources {
  private static final Logger LOG = LoggerFactory.getLogger(CollectPersonResources.class);

  /** Shape of one resource inside a person row. */
  public static final StructType RESOURCE = new StructType()
      .add("source", DataTypes.StringType)
      .add("patient_id", DataTypes.StringType)
      .add("resource_type", DataTypes.StringType)
      .add("raw", DataTypes.StringType);

  private final Lakehouse lakehouse;
  private final MeasurePackage pkg;
  private final Set<String> types;

  public CollectPersonResources(Lakehouse lakehouse, MeasurePackage pkg) {
    this.lakehouse = lakehouse;
    this.pkg = pkg;
    this.types = pkg.resourceTypes();
  }

  /** Rows: person_key, person_id, resources (array of {@link #RESOURCE}). */
  public Dataset<Row> execute() {
    Dataset<Row> bronze = lakehouse.read("bronze.fhir_resource")
        .filter(col("resource_type").isin(types.toArray()))
        .select("source", "resource_type", "resource_id", "version_id", "last_updated", "is_deleted", "raw",
            "content_hash", "export_time", "file", "line");
    List<String> silverTypes = new ArrayList<>();
    Dataset<Row> current = null;
    for (String t : types) {
      var contract = lakehouse.contracts().silverFor(t);
      if (contract.isEmpty()) {
        continue;
      }
      silverTypes.add(t);
      Dataset<Row> s = lakehouse.read(contract.get().name()).select(col("source"), col("id").as("resource_id"),
          col("content_hash"));
      Dataset<Row> b = bronze.filter(col("resource_type").equalTo(t)).filter(col("is_deleted").equalTo(false))
          .select("source", "resource_type", "resource_id", "content_hash", "raw");
      Dataset<Row> joined = s.join(b, seq("source", "resource_id", "content_hash"), "inner")
          .dropDuplicates("source", "resource_type", "resource_id")
          .select("source", "resource_type", "resource_id", "raw");
      current = current == null ? joined : current.unionByName(joined);
    }
    Dataset<Row> others = bronze.filter(col("resource_type").isin(types.stream().filter(x -> !silverTypes.contains(x)).toArray()));
    var w = Window.partitionBy("source", "resource_type", "resource_id").orderBy(
        col("export_time").desc(), col("version_id").cast("long").desc_nulls_last(),
        col("last_updated").desc_nulls_last(), col("is_deleted").desc(), col("file").desc(), col("line").desc());
    Dataset<Row> latest = others.withColumn("rn", row_number().over(w)).filter("rn = 1 AND NOT is_deleted")
        .select("source", "resource_type", "resource_id", "raw");
    current = current == null ? latest : current.unionByName(latest);
    Set<String> filteredTypes = new java.util.HashSet<>(pkg.codeFilteredTypes());
    Set<String> codes = new java.util.HashSet<>(pkg.relevantCodes());
    current = current.filter((org.apache.spark.api.java.function.FilterFunction<Row>) r ->
        MeasurePackage.mayMatter(filteredTypes, codes, r.getString(1), r.getString(3)));

    // the element that names the patient: subject (most), patient (Immunization, Claim, ...), beneficiary
    // (Coverage), for (Task: a referral's consultant report, CMS50)
    Column ref = coalesce(get_json_object(col("raw"), "$.subject.reference"),
        get_json_object(col("raw"), "$.patient.reference"), get_json_object(col("raw"), "$.beneficiary.reference"),
        get_json_object(col("raw"), "$.for.reference"));
    Dataset<Row> ehr = current.withColumn("patient_id",
            when(col("resource_type").equalTo("Patient"), col("resource_id"))
                .otherwise(regexp_extract(ref, "(?:Patient/|urn:uuid:)([^/]+)$", 1)))
        .filter(col("patient_id").isNotNull().and(col("patient_id").notEqual("")));

    Dataset<Row> ehrRows = ehr.select("source", "patient_id", "resource_type", "raw");
    ehrRows = ehrRows.unionByName(referenced(current, ehrRows));
    Dataset<Row> claims = claims();
    Dataset<Row> all = claims == null ? ehrRows : ehrRows.unionByName(claims);
    // one person, every source: the crosswalk gives each source record its person (null: one source, no identity)
    Dataset<Row> crosswalk = PersonKeys.crosswalk(lakehouse, "evaluate-measures");
    all = crosswalk == null ? all.withColumn("person_id", lit(null).cast("string"))
        : all.join(crosswalk, seq("source", "patient_id"), "left");
    return all.withColumn("person_key", coalesce(col("person_id"), concat(col("source"), lit(":"), col("patient_id"))))
        .groupBy("person_key")
        .agg(first("person_id", true).as("person_id"),
            collect_list(struct(col("source"), col("patient_id"), col("resource_type"), col("raw"))).as("resources"));
  }

  /**
   * Resources outside any patient's compartment (Location, Medication, ...) that a person's resources
   * reference, attached to that person: the logic follows such references (an encounter's location type,
   * a request's Medication code) by retrieving the type, and the retrieve sees only the person's resources.
   * Matched within the source, by type and id of relative or absolute references.
   */
  private Dataset<Row> referenced(Dataset<Row> current, Dataset<Row> personRows) {
    List<String> shared = SHARED_TYPES.stream().filter(types::contains).toList();
    if (shared.isEmpty()) {
      return personRows.limit(0);
    }
    // "reference": "Location/1" or ".../fhir/Location/1": group 1 is "Location/1"
    String pattern = "\"reference\"\\s*:\\s*\"(?:[^\"]*/)?((?:" + String.join("|", shared) + ")/[^\"/]+)\"";
    Dataset<Row> refs = personRows.filter(col("resource_type").isin(shared.toArray()).unary_$bang())
        .select(col("source"), col("patient_id"), org.apache.spark.sql.functions.explode(
            org.apache.spark.sql.functions.regexp_extract_all(col("raw"), lit(pattern), lit(1))).as("ref"))
        .select(col("source"), col("patient_id"),
            org.apache.spark.sql.functions.substring_index(col("ref"), "/", 1).as("resource_type"),
            org.apache.spark.sql.functions.substring_index(col("ref"), "/", -1).as("resource_id"))
        .distinct();
    Dataset<Row> sharedRows = current.filter(col("resource_type").isin(shared.toArray()))
        .select("source", "resource_type", "resource_id", "raw");
    return refs.join(sharedRows, seq("source", "resource_type", "resource_id"), "inner")
        .select("source", "patient_id", "resource_type", "raw");
  }

  /** Resource types no patient compartment holds, which measure logic reaches through references. */
  static final List<String> SHARED_TYPES = List.of("Location", "Medication", "Organization", "Practitioner",
      "PractitionerRole", "Device", "Substance");

  /**
   * FHIR evidence from silver claims and eligibility (members as Patient + Coverage); null when no such
   * table exists yet.
   */
  private Dataset<Row> claims() {
    StructType shape = new StructType().add("source", DataTypes.StringType).add("patient_id", DataTypes.StringType)
        .add("resource_type", DataTypes.StringType).add("raw", DataTypes.StringType);
    Dataset<Row> out = null;
    for (String table : List.of("medical_claim", "pharmacy_claim", "eligibility")) {
      if (!lakehouse.exists("silver." + table)) {
        LOG.info("silver.{} does not exist: no claims evidence from it", table);
        continue;
      }
      String kind = table;
      Dataset<Row> rows = lakehouse.read("silver." + table);
      Dataset<Row> fhir = rows.mapPartitions((org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) it -> {
        ClaimsToFhir conv = new ClaimsToFhir(FhirContexts.r4().newJsonParser());
        List<Row> buf = new ArrayList<>();
        while (it.hasNext()) {
          Row r = it.next();
          String source = ClaimsToFhir.str(r, "source");
          String member = ClaimsToFhir.str(r, "member_id");
          List<String> resources = switch (kind) {
            case "medical_claim" -> conv.medicalClaimLine(r);
            case "pharmacy_claim" -> conv.pharmacyClaimLine(r);
            default -> conv.eligibilitySpan(r);
          };
          for (String json : resources) {
            String type = json.substring(json.indexOf(':') + 2, json.indexOf('"', json.indexOf(':') + 2));
            buf.add(RowFactory.create(source, member, type, json));
          }
        }
        return buf.iterator();
      }, Encoders.row(shape));
      if (kind.equals("eligibility")) {
        // every span of a member gives the same Patient: keep one
        fhir = fhir.dropDuplicates("source", "patient_id", "resource_type", "raw");
      }
      out = out == null ? fhir : out.unionByName(fhir);
    }
    return out;
  }

  /** Column names as the Scala sequence Dataset.join takes (also EvaluateMeasures'). */
  static scala.collection.Seq<String> seq(String... cols) {
    return scala.collection.JavaConverters.asScalaBuffer(List.of(cols)).toSeq();
  }
}
