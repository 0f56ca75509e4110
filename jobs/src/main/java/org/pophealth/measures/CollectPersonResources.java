package org.pophealth.measures;

import static org.apache.spark.sql.functions.broadcast;
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
  private Dataset<Row> onlyPatients;
  private Dataset<Row> crosswalk;
  private boolean crosswalkRead;

  public CollectPersonResources(Lakehouse lakehouse, MeasurePackage pkg) {
    this.lakehouse = lakehouse;
    this.pkg = pkg;
    this.types = pkg.resourceTypes();
  }

  /**
   * Collects only the evidence of these source records (rows {@code source, patient_id}: every record of each
   * person wanted, as {@link #fingerprints} lists them); null: everyone's.
   */
  public CollectPersonResources onlyPatients(Dataset<Row> patients) {
    this.onlyPatients = patients;
    return this;
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
      Dataset<Row> silver = lakehouse.read(contract.get().name());
      Column patient = patientOf(t, silver);
      if (onlyPatients != null && patient != null) {
        // the wanted records' rows only, before the join to the raw JSON (the shared types stay whole: any
        // person may reference them)
        Dataset<Row> wanted = onlyPatients.select(col("source").as("w_source"), col("patient_id").as("w_patient"));
        silver = silver.join(broadcast(wanted), col("source").equalTo(col("w_source"))
            .and(patient.equalTo(col("w_patient"))), "left_semi");
      }
      Dataset<Row> s = silver.select(col("source"), col("id").as("resource_id"), col("content_hash"));
      Dataset<Row> b = bronze.filter(col("resource_type").equalTo(t)).filter(col("is_deleted").equalTo(false))
          .select("source", "resource_type", "resource_id", "content_hash", "raw");
      Dataset<Row> joined = s.join(b, seq("source", "resource_id", "content_hash"), "inner")
          .dropDuplicates("source", "resource_type", "resource_id")
          .select("source", "resource_type", "resource_id", "raw");
      current = current == null ? joined : current.unionByName(joined);
    }
    Dataset<Row> others = bronze.filter(col("resource_type").isin(types.stream().filter(x -> !silverTypes.contains(x)).toArray()));
    Dataset<Row> latest = newest(others).select("source", "resource_type", "resource_id", "raw");
    current = current == null ? latest : current.unionByName(latest);
    Set<String> filteredTypes = new java.util.HashSet<>(pkg.codeFilteredTypes());
    Set<String> codes = new java.util.HashSet<>(pkg.relevantCodes());
    current = current.filter((org.apache.spark.api.java.function.FilterFunction<Row>) r ->
        MeasurePackage.mayMatter(filteredTypes, codes, r.getString(1), r.getString(3)));

    Dataset<Row> ehr = current.withColumn("patient_id", patientId())
        .filter(col("patient_id").isNotNull().and(col("patient_id").notEqual("")));

    Dataset<Row> ehrRows = ehr.select("source", "patient_id", "resource_type", "raw");
    ehrRows = ehrRows.unionByName(referenced(current, ehrRows));
    Dataset<Row> claims = claims();
    Dataset<Row> all = claims == null ? ehrRows : ehrRows.unionByName(claims);
    if (onlyPatients != null) {
      all = all.join(broadcast(onlyPatients), seq("source", "patient_id"), "left_semi");
    }
    // one person, every source: the crosswalk gives each source record its person (null: one source, no identity)
    Dataset<Row> crosswalk = crosswalk();
    all = crosswalk == null ? all.withColumn("person_id", lit(null).cast("string"))
        : all.join(crosswalk, seq("source", "patient_id"), "left");
    return all.withColumn("person_key", coalesce(col("person_id"), concat(col("source"), lit(":"), col("patient_id"))))
        .groupBy("person_key")
        .agg(first("person_id", true).as("person_id"),
            collect_list(struct(col("source"), col("patient_id"), col("resource_type"), col("raw"))).as("resources"));
  }

  /**
   * What each person's evidence is gathered from, fingerprinted without reading the raw JSON of the large types.
   * {@code persons}: one row per person ({@code person_key}, {@code person_id}, {@code patients}: the person's
   * source records as {@code source, patient_id} structs, and {@code evidence}: a 64-bit hash of each resource,
   * sorted and joined). A resource is hashed by type, id and content hash: from silver for the types it holds,
   * from bronze's newest version for the others (which {@link #execute} reads the same way), and a claims or
   * eligibility row by its columns but lineage. A shared resource (Location, Medication, ...) of a type that
   * silver's reference columns name ({@code location_ids}, {@code medication_id}) is in the fingerprint of each
   * person whose rows name it; {@code shared}: one hash over the shared resources of the other types, which any
   * person's evidence may reference. Covers at least what {@link #execute} gathers (also resources whose codes no
   * measure looks at), so when the evidence changes, the fingerprint does; the one exception is a reference to
   * a Location or Medication outside silver's columns (a ServiceRequest's locationReference), which the
   * fingerprint does not follow.
   */
  public record Fingerprints(Dataset<Row> persons, String shared) {}

  /** Columns of a claims or eligibility row that say where and when it was loaded, not what it says. */
  private static final Set<String> LINEAGE = Set.of("ingest_run_id", "bronze_file", "bronze_line", "delivery_time",
      "export_time");

  public Fingerprints fingerprints() {
    List<Dataset<Row>> parts = new ArrayList<>();
    List<Dataset<Row>> shared = new ArrayList<>(); // source, resource_type, resource_id, h
    List<Dataset<Row>> refs = new ArrayList<>(); // source, patient_id, resource_type, resource_id
    Set<String> followed = new java.util.TreeSet<>(); // shared types some silver reference column names
    List<String> bronzeTypes = new ArrayList<>();
    for (String t : types) {
      var contract = lakehouse.contracts().silverFor(t);
      if (contract.isEmpty()) {
        bronzeTypes.add(t);
        continue;
      }
      Dataset<Row> silver = lakehouse.read(contract.get().name());
      Column h = org.apache.spark.sql.functions.xxhash64(lit(t), col("id"), col("content_hash")).as("h");
      Column patient = patientOf(t, silver);
      if (SHARED_TYPES.contains(t)) {
        shared.add(silver.select(col("source"), lit(t).as("resource_type"), col("id").as("resource_id"), h));
      } else if (patient == null) {
        bronzeTypes.add(t);
      } else {
        parts.add(silver.select(col("source"), patient.as("patient_id"), h));
        refs.addAll(sharedReferences(silver, patient, followed));
      }
    }
    if (!bronzeTypes.isEmpty()) {
      Dataset<Row> bronze = lakehouse.read("bronze.fhir_resource").filter(col("resource_type").isin(bronzeTypes.toArray()));
      Dataset<Row> latest = newest(bronze);
      Column h = org.apache.spark.sql.functions.xxhash64(col("resource_type"), col("resource_id"), col("content_hash"))
          .as("h");
      shared.add(latest.filter(col("resource_type").isin(SHARED_TYPES.toArray()))
          .select(col("source"), col("resource_type"), col("resource_id"), h));
      Dataset<Row> own = latest.filter(col("resource_type").isin(SHARED_TYPES.toArray()).unary_$bang());
      parts.add(own.select(col("source"), patientId().as("patient_id"), h)
          .filter(col("patient_id").isNotNull().and(col("patient_id").notEqual(""))));
    }
    // a shared resource of a type silver's reference columns name (an encounter's or procedure's Location, a
    // request's Medication) counts for each person whose rows name it; one of another type, for everyone (its
    // references are only in the raw JSON). A Location or Medication named nowhere (a deleted request's
    // Medication) counts for nobody: the evidence gathers it for nobody either, unless a reference outside
    // those columns names it (docs/ARCHITECTURE.md, measures)
    String sharedHash = "";
    if (!shared.isEmpty()) {
      Dataset<Row> sharedRows = union(shared);
      if (!refs.isEmpty()) {
        parts.add(union(refs).join(sharedRows, seq("source", "resource_type", "resource_id"))
            .select(col("source"), col("patient_id"), col("h")));
        sharedRows = sharedRows.filter(col("resource_type").isin(followed.toArray()).unary_$bang());
      }
      Row r = sharedRows.agg(org.apache.spark.sql.functions.count(lit(1)), org.apache.spark.sql.functions.sum(col("h")),
          org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.xxhash64(col("h"), lit("shared")))).first();
      sharedHash = r.getLong(0) + ":" + r.get(1) + ":" + r.get(2);
    }
    for (String table : List.of("medical_claim", "pharmacy_claim", "eligibility")) {
      if (!lakehouse.exists("silver." + table)) {
        continue;
      }
      Dataset<Row> rows = lakehouse.read("silver." + table);
      List<Column> content = new ArrayList<>();
      for (String c : rows.columns()) {
        if (!LINEAGE.contains(c)) {
          content.add(col(c));
        }
      }
      parts.add(rows.select(col("source"), col("member_id").as("patient_id"),
          org.apache.spark.sql.functions.xxhash64(lit(table),
              org.apache.spark.sql.functions.to_json(struct(content.toArray(new Column[0])))).as("h")));
    }
    Dataset<Row> all = union(parts);
    Dataset<Row> crosswalk = crosswalk();
    all = crosswalk == null ? all.withColumn("person_id", lit(null).cast("string"))
        : all.join(crosswalk, seq("source", "patient_id"), "left");
    Dataset<Row> persons = all
        .withColumn("person_key", coalesce(col("person_id"), concat(col("source"), lit(":"), col("patient_id"))))
        .groupBy("person_key")
        .agg(first("person_id", true).as("person_id"),
            org.apache.spark.sql.functions.array_sort(
                org.apache.spark.sql.functions.collect_set(struct(col("source"), col("patient_id")))).as("patients"),
            org.apache.spark.sql.functions.concat_ws(",", org.apache.spark.sql.functions.array_sort(
                collect_list(col("h").cast("string")))).as("evidence"));
    return new Fingerprints(persons, sharedHash);
  }

  /**
   * The shared resources a silver table's rows name in their reference columns ({@code location_ids},
   * {@code medication_id}: a shared type in snake case, then {@code _id} or {@code _ids}), as
   * {@code source, patient_id, resource_type, resource_id}; adds the types named to {@code followed}.
   */
  private List<Dataset<Row>> sharedReferences(Dataset<Row> silver, Column patient, Set<String> followed) {
    List<Dataset<Row>> out = new ArrayList<>();
    List<String> columns = List.of(silver.columns());
    for (String t : SHARED_TYPES) {
      if (!types.contains(t)) {
        continue;
      }
      String snake = t.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
      if (columns.contains(snake + "_id") || columns.contains(snake + "_ids")) {
        followed.add(t);
      }
      if (columns.contains(snake + "_id")) {
        out.add(silver.filter(col(snake + "_id").isNotNull()).select(col("source"), patient.as("patient_id"),
            lit(t).as("resource_type"), col(snake + "_id").as("resource_id")));
      }
      if (columns.contains(snake + "_ids")) {
        out.add(silver.select(col("source"), patient.as("patient_id"), lit(t).as("resource_type"),
            org.apache.spark.sql.functions.explode(col(snake + "_ids")).as("resource_id")));
      }
    }
    return out;
  }

  private static Dataset<Row> union(List<Dataset<Row>> parts) {
    Dataset<Row> all = parts.get(0);
    for (Dataset<Row> p : parts.subList(1, parts.size())) {
      all = all.unionByName(p);
    }
    return all;
  }

  /** The column of a silver table that names the patient (null: the type is shared, or the table names none). */
  private static Column patientOf(String type, Dataset<Row> silver) {
    if (type.equals("Patient")) {
      return col("id");
    }
    if (SHARED_TYPES.contains(type) || !List.of(silver.columns()).contains("patient_id")) {
      return null;
    }
    return col("patient_id");
  }

  /**
   * The patient a bronze row's JSON names: its id for a Patient, else the id in the reference of subject (most),
   * patient (Immunization, Claim, ...), beneficiary (Coverage) or for (Task: a referral's consultant report, CMS50).
   */
  private static Column patientId() {
    Column ref = coalesce(get_json_object(col("raw"), "$.subject.reference"),
        get_json_object(col("raw"), "$.patient.reference"), get_json_object(col("raw"), "$.beneficiary.reference"),
        get_json_object(col("raw"), "$.for.reference"));
    return when(col("resource_type").equalTo("Patient"), col("resource_id"))
        .otherwise(regexp_extract(ref, "(?:Patient/|urn:uuid:)([^/]+)$", 1));
  }

  /** The newest version of each resource in these bronze rows, by the order silver uses; gone when a tombstone. */
  private static Dataset<Row> newest(Dataset<Row> bronze) {
    var w = Window.partitionBy("source", "resource_type", "resource_id").orderBy(
        col("export_time").desc(), col("version_id").cast("long").desc_nulls_last(),
        col("last_updated").desc_nulls_last(), col("is_deleted").desc(), col("file").desc(), col("line").desc());
    return bronze.withColumn("rn", row_number().over(w)).filter("rn = 1 AND NOT is_deleted");
  }

  /** The identity crosswalk (source, patient_id, person_id), read once; null: one source, no identity results. */
  private Dataset<Row> crosswalk() {
    if (!crosswalkRead) {
      crosswalk = PersonKeys.crosswalk(lakehouse, "evaluate-measures");
      crosswalkRead = true;
    }
    return crosswalk;
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
      if (onlyPatients != null) {
        rows = rows.join(broadcast(onlyPatients.withColumnRenamed("patient_id", "member_id")),
            seq("source", "member_id"), "left_semi");
      }
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
