package org.pophealth.cohorts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pophealth.io.CsvLines;
import org.pophealth.lakehouse.Lakehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code publish}: for each cohort's latest build, writes under {@code <dir>/<cohort>/<publication>/}
 * one folder per audience with exactly the columns that audience may see ({@code list.csv},
 * {@code list.parquet}; aggregate audiences get {@code summary.csv} with small cells suppressed), and
 * for the publication a FHIR Group ({@code group.json}), a FHIR List in priority order
 * ({@code list.json}) and the change file against the previous publication ({@code changes.csv}).
 * Person details and attribution are read at the Delta versions the build recorded, so publishing
 * the same publication again writes the same files. Appends an {@code ops.publication} row (action
 * publish). Keeps the outreach worklist ({@code ops.worklist}, {@link UpdateWorklist}) in step: the lists show
 * each person's item (assignee, status, attempts, last attempt, next contact) and leave out persons held back by
 * a re-offer period; with {@code due} first in the cohort's priority, items whose next contact date has come
 * are listed first.
 */
public final class PublishCohorts {
  private static final Logger LOG = LoggerFactory.getLogger(PublishCohorts.class);

  private final Lakehouse lakehouse;
  private final LoadCohortDefinitions.Result definitions;
  private final String dir;
  private int minCellSize = 11;
  private List<String> only = List.of();
  private String phiGroup;
  private WorklistRules worklistRules;

  /** {@code dir}: the publish directory (local path or Hadoop URI). */
  public PublishCohorts(Lakehouse lakehouse, LoadCohortDefinitions.Result definitions, String dir) {
    this.lakehouse = lakehouse;
    this.definitions = definitions;
    this.dir = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
  }

  public PublishCohorts minCellSize(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("cohorts.min_cell_size must be at least 1: " + n);
    }
    this.minCellSize = n;
    return this;
  }

  /** Group given read access to the patient-level files ({@code lakehouse.phi_group}); null: owner only. */
  public PublishCohorts phiGroup(String group) {
    this.phiGroup = group;
    return this;
  }

  /** The worklist rules (assignment, re-offer periods); default the packaged measures/worklist/. */
  public PublishCohorts worklist(WorklistRules rules) {
    this.worklistRules = rules;
    return this;
  }

  public PublishCohorts only(List<String> cohorts) {
    cohorts.forEach(definitions::definition);
    this.only = List.copyOf(cohorts);
    return this;
  }

  /** One cohort's publication: where and what was written, and the change counts. */
  public record Published(String cohort, String publication, long listed, long added, long removed, long stillListed,
      String previousPublication, String location, List<String> files, UpdateWorklist.Counts worklist) {}

  public record Result(List<Published> published, List<String> notBuilt, double seconds) {}

  public Result execute() {
    long t0 = System.nanoTime();
    List<Published> out = new ArrayList<>();
    List<String> notBuilt = new ArrayList<>();
    String user = org.pophealth.ops.Provenance.current().user();
    if (worklistRules == null) {
      worklistRules = WorklistRules.load(null);
    }
    // the audit rows are appended together after the last cohort (one commit): a cohort's diff reads only its own
    // earlier publications, never another cohort's row of this run
    List<Row> audits = new ArrayList<>();
    for (CohortDefinition d : definitions.definitions()) {
      if (!only.isEmpty() && !only.contains(d.name())) {
        continue;
      }
      Row build = DiffPublications.latest(lakehouse, d.name(), "build");
      if (build == null) {
        notBuilt.add(d.name());
        continue;
      }
      out.add(publishOne(d, build, user, audits));
    }
    BuildCohorts.appendAudit(lakehouse, audits);
    return new Result(List.copyOf(out), List.copyOf(notBuilt), (System.nanoTime() - t0) / 1e9);
  }

  private Published publishOne(CohortDefinition d, Row build, String user, List<Row> audits) {
    String publication = build.getAs("publication");
    LocalDate asOf = build.<java.sql.Date>getAs("as_of").toLocalDate();
    Map<String, Long> built = build.getJavaMap(build.fieldIndex("input_versions"));
    Map<String, Long> versions = new TreeMap<>();
    versions.put(BuildCohorts.TABLE, lakehouse.version(BuildCohorts.TABLE));
    versions.put("gold.person", built.get("gold.person"));
    versions.put("gold.attribution", built.get("gold.attribution"));
    SparkSession spark = lakehouse.spark();
    lakehouse.read(BuildCohorts.TABLE).filter("cohort = '" + d.name() + "' AND publication = '" + publication + "'")
        .createOrReplaceTempView("pub_member");
    lakehouse.readVersion("gold.person", versions.get("gold.person")).createOrReplaceTempView("pub_person");
    lakehouse.readVersion("gold.attribution", versions.get("gold.attribution")).createOrReplaceTempView("pub_attr");
    Dataset<Row> list = spark.sql("""
        SELECT m.person_key AS person_id, nullif(concat_ws(' ', p.given_name, p.family_name), '') AS name,
               p.birth_date, p.sex, p.phone,
               nullif(concat_ws(', ', p.street, p.city, nullif(concat_ws(' ', p.state, p.postcode), '')), '') AS address,
               coalesce(a.provider_name, a.provider_key) AS pcp, a.provider_npi AS pcp_npi,
               coalesce(a.organization_name, a.organization_key) AS organization, m.risk_score,
               array_join(transform(filter(m.reason_codes, c -> startswith(c, 'gap:')), c -> substr(c, 5)), ';') AS gaps,
               m.reasons, array_join(m.reason_codes, ';') AS reason_codes, m.rank AS priority,
               m.reason_codes AS codes, m.discharge_date, m.discharge_setting AS setting, m.contact_due, m.visit_due,
               nullif(concat_ws(';', CASE WHEN m.contact_overdue THEN 'contact' END,
                                     CASE WHEN m.visit_overdue THEN 'visit' END), '') AS overdue,
               a.organization_key AS org_key, a.organization_name AS org_name
        FROM pub_member m
        LEFT JOIN pub_person p ON p.person_id = m.person_key
        LEFT JOIN pub_attr a ON a.person_key = m.person_key AND a.as_of = m.as_of
        WHERE m.status = 'listed'
        """);
    UpdateWorklist.Result work = worklist(d, publication, asOf, list);
    list.join(work(work, asOf), "person_id").createOrReplaceTempView("pub_list");
    list = spark.sql("SELECT * FROM pub_list ORDER BY " + (d.dueFirst() ? "due DESC, due_date, " : "") + "priority")
        .localCheckpoint();
    List<Row> rows = list.collectAsList();
    DiffPublications.Result diff = new DiffPublications(lakehouse, d, definitions.reference()).execute(publication);
    String location = dir + "/" + d.name() + "/" + publication;
    List<String> files = new ArrayList<>();
    try {
      FileSystem fs = new Path(location).getFileSystem(spark.sparkContext().hadoopConfiguration());
      // patient-level files: the cohort's folder is private before anything is written into it
      Path cohortDir = new Path(dir + "/" + d.name());
      fs.mkdirs(new Path(location));
      org.pophealth.io.HadoopFiles.restrict(fs, cohortDir, phiGroup);
      for (CohortDefinition.Audience a : d.audiences().values()) {
        if (a.aggregate()) {
          files.add(write(fs, location, a.name() + "/summary.csv", summaryCsv(rows)));
          continue;
        }
        files.add(write(fs, location, a.name() + "/list.csv", listCsv(rows, a.columns())));
        files.add(writeParquet(fs, list.select(a.columns().stream().map(org.apache.spark.sql.functions::col)
            .toArray(org.apache.spark.sql.Column[]::new)), location, a.name() + "/list.parquet"));
      }
      FhirCohortResources fhir = new FhirCohortResources(d, publication, asOf);
      List<String> keys = rows.stream().map(r -> r.<String>getAs("person_id")).toList();
      files.add(write(fs, location, "group.json", fhir.group(keys)));
      files.add(write(fs, location, "list.json", fhir.list(keys)));
      files.add(write(fs, location, "changes.csv", changesCsv(diff)));
      org.pophealth.io.HadoopFiles.removeChecksums(fs, new Path(location));
      org.pophealth.io.HadoopFiles.restrict(fs, new Path(location), phiGroup);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the publication to " + location + ": " + e.getMessage(), e);
    }
    Published p = new Published(d.name(), publication, rows.size(), diff.count("added"), diff.count("removed"),
        diff.count("still_listed"), diff.previousPublication(), location, List.copyOf(files), work.counts());
    // the build counted its excluded rows of this publication
    long excluded = build.<Long>getAs("excluded");
    audits.add(BuildCohorts.audit(d.name(), publication, "publish", asOf, d.hash(), versions, user, rows.size(),
        excluded, p));
    UpdateWorklist.Counts w = work.counts();
    LOG.info("published {} {}: {} listed, {} added, {} removed, {} files; worklist: {} open ({} opened, {} reopened),"
        + " {} closed, {} held back, {} unassigned", d.name(), publication, rows.size(), p.added(), p.removed(),
        files.size(), w.open(), w.opened(), w.reopened(), w.closed(), w.heldBack(), w.unassigned());
    return p;
  }

  /** Updates the cohort's worklist items from the publication's listed members (in priority order) and exclusions. */
  private UpdateWorklist.Result worklist(CohortDefinition d, String publication, LocalDate asOf, Dataset<Row> list) {
    List<UpdateWorklist.Listed> listed = list.orderBy("priority").select("person_id", "org_key", "org_name", "pcp_npi")
        .collectAsList().stream().map(r -> new UpdateWorklist.Listed(r.getString(0), r.getString(1), r.getString(2),
            r.getString(3))).toList();
    Map<String, List<String>> exclusions = new java.util.HashMap<>();
    for (Row r : lakehouse.spark().sql("SELECT person_key, exclusions FROM pub_member WHERE status <> 'listed'")
        .collectAsList()) {
      exclusions.put(r.getString(0), r.getList(1));
    }
    return new UpdateWorklist(lakehouse, worklistRules).execute(d, publication, asOf, listed, exclusions);
  }

  /** The listed persons' worklist columns (held-back persons have none: the join leaves them off the list). */
  private Dataset<Row> work(UpdateWorklist.Result work, LocalDate asOf) {
    List<Row> rows = new ArrayList<>();
    for (WorklistItem i : work.items().values()) {
      WorklistItem.Attempt last = i.lastAttempt();
      LocalDate next = i.nextContact();
      rows.add(org.apache.spark.sql.RowFactory.create(i.personId, i.assignee, i.status, i.attempts.size(),
          last == null ? null : java.sql.Date.valueOf(last.date()), next == null ? null : java.sql.Date.valueOf(next),
          i.due(asOf)));
    }
    return lakehouse.spark().createDataFrame(rows, WORK_SCHEMA).withColumn("due_date",
        org.apache.spark.sql.functions.expr("CASE WHEN due THEN next_contact END"));
  }

  private static final org.apache.spark.sql.types.StructType WORK_SCHEMA = org.apache.spark.sql.types.StructType
      .fromDDL("person_id STRING, assignee STRING, status STRING, attempts INT, last_attempt DATE, next_contact DATE,"
          + " due BOOLEAN");

  static String listCsv(List<Row> rows, List<String> columns) {
    StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
    for (Row r : rows) {
      List<String> cells = new ArrayList<>();
      for (String c : columns) {
        Object v = r.getAs(c);
        cells.add(CsvLines.quote(v == null ? "" : v.toString()));
      }
      sb.append(String.join(",", cells)).append('\n');
    }
    return sb.toString();
  }

  /** Counts of listed persons overall, by organisation and by reason code; 1..min-1 suppressed. */
  String summaryCsv(List<Row> rows) {
    Map<String, Long> byOrg = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    for (Row r : rows) {
      Object org = r.getAs("organization");
      byOrg.merge(org == null ? "(unattributed)" : org.toString(), 1L, Long::sum);
      for (Object c : r.<scala.collection.Seq<Object>>getAs("codes") == null ? List.of()
          : scala.collection.JavaConverters.seqAsJavaList(r.<scala.collection.Seq<Object>>getAs("codes"))) {
        byReason.merge(c.toString(), 1L, Long::sum);
      }
    }
    StringBuilder sb = new StringBuilder("dimension,value,persons,suppressed\n");
    sb.append(cell("total", "all", rows.size()));
    byOrg.forEach((k, v) -> sb.append(cell("organization", k, v)));
    byReason.forEach((k, v) -> sb.append(cell("reason", k, v)));
    return sb.toString();
  }

  private String cell(String dimension, String value, long n) {
    boolean suppress = n > 0 && n < minCellSize;
    return dimension + "," + CsvLines.quote(value) + "," + (suppress ? "" : Long.toString(n)) + "," + suppress + "\n";
  }

  static String changesCsv(DiffPublications.Result diff) {
    StringBuilder sb = new StringBuilder("person_id,change,priority,previous_priority,reason\n");
    for (DiffPublications.Change c : diff.changes()) {
      sb.append(CsvLines.quote(c.personKey())).append(',').append(c.change()).append(',')
          .append(c.rank() == null ? "" : c.rank()).append(',')
          .append(c.previousRank() == null ? "" : c.previousRank()).append(',')
          .append(CsvLines.quote(c.reason())).append('\n');
    }
    return sb.toString();
  }

  private static String write(FileSystem fs, String location, String name, String text) throws IOException {
    try (OutputStream o = fs.create(new Path(location + "/" + name), true)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return name;
  }

  /** One Parquet file: Spark writes a folder with one part file, which is moved to {@code name}. */
  private static String writeParquet(FileSystem fs, Dataset<Row> rows, String location, String name) throws IOException {
    Path target = new Path(location + "/" + name);
    Path tmp = new Path(location + "/." + name.replace('/', '_') + ".tmp");
    rows.coalesce(1).write().mode("overwrite").parquet(tmp.toString());
    FileStatus part = null;
    for (FileStatus s : fs.listStatus(tmp)) {
      if (s.getPath().getName().startsWith("part-")) {
        part = s;
      }
    }
    if (part == null) {
      throw new IOException("Spark wrote no Parquet part file for " + name);
    }
    fs.delete(target, false);
    if (!fs.rename(part.getPath(), target)) {
      throw new IOException("cannot move the Parquet file to " + target);
    }
    fs.delete(tmp, true);
    return name;
  }
}
