package org.pophealth.ingest.claims;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;

/**
 * Claim families: which claims are versions of one claim. A payer link ({@code original_claim_id}) always
 * wins; a claim without one is linked by the rules of {@code measures/claims/adjustment_rules.csv}, in this
 * order: claim-id suffix patterns, mirror-image reversals, then a later claim with the same natural key as a
 * claim that was reversed or denied, then an adjudicated claim with the same natural key and codes as a
 * partially adjudicated one (BCDA's {@code Claim}, {@code adjudication_status = partial}), which it replaces. Links are followed to the root (chains A → A1 → A2 make one family A).
 * An inferred link only joins claims of the same member.
 *
 * <p>Adds to each row: {@code fam} (the family id), {@code family_rule} and {@code family_confidence} (the
 * family's weakest inferred link; null when the payer's data alone makes the family) and
 * {@code inferred_rev} (the row belongs to a claim inferred to be a reversal).
 */
public final class InferClaimFamilies {
  /** Rule kinds of the rules file. */
  public static final String SUFFIX = "suffix";
  public static final String MIRROR = "mirror";
  public static final String AFTER_REVERSAL = "after_reversal";
  public static final String AFTER_DENIAL = "after_denial";
  public static final String AFTER_PARTIAL = "after_partial";
  private static final List<String> KINDS = List.of(SUFFIX, MIRROR, AFTER_REVERSAL, AFTER_DENIAL, AFTER_PARTIAL);
  private static final String FILE = "adjustment_rules.csv";
  /** Links followed from a claim to its family root (longer chains stop there, deterministically). */
  private static final int MAX_HOPS = 16;

  /** One line of the rules file. */
  public record Rule(String name, String kind, String pattern, boolean sameClaim, double confidence) {}

  private static volatile List<Rule> packaged;

  private final SparkSession spark;
  private final ClaimTable table;
  private final List<Rule> rules;

  public InferClaimFamilies(SparkSession spark, ClaimTable table, List<Rule> rules) {
    this.spark = spark;
    this.table = table;
    this.rules = rules;
  }

  /** The packaged rules, {@code measures/claims/adjustment_rules.csv}, checked. */
  public static List<Rule> packagedRules() {
    if (packaged == null) {
      packaged = parse(ReferenceData.packaged("claims").table(FILE).rows());
    }
    return packaged;
  }

  static List<Rule> parse(List<ReferenceRow> rows) {
    List<Rule> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> kinds = new HashSet<>();
    for (ReferenceRow r : rows) {
      String name = r.text("rule");
      String kind = r.text("kind");
      if (!KINDS.contains(kind)) {
        throw r.error("kind: \"" + kind + "\" is not one of " + KINDS);
      }
      if (!names.add(name)) {
        throw r.error("rule " + name + " is named twice");
      }
      if (!kind.equals(SUFFIX) && !kinds.add(kind)) {
        throw r.error("kind " + kind + " has a rule already (one rule per kind, except suffix)");
      }
      double c = r.decimal("confidence");
      if (!(c > 0 && c <= 1)) {
        throw r.error("confidence must be > 0 and <= 1: " + c);
      }
      String pattern = r.text("pattern");
      if (kind.equals(SUFFIX)) {
        try {
          if (pattern.isEmpty() || Pattern.compile(pattern).matcher("").groupCount() < 1) {
            throw r.error("pattern of a suffix rule needs a group (the base claim id): \"" + pattern + "\"");
          }
        } catch (PatternSyntaxException e) {
          throw r.error("pattern: " + e.getDescription() + ": \"" + pattern + "\"");
        }
      }
      Boolean same = r.bool("same_claim");
      out.add(new Rule(name, kind, pattern.isEmpty() ? null : pattern, same != null && same, c));
    }
    return List.copyOf(out);
  }

  /** {@code rows}: deduplicated loaded rows with the silver columns. */
  public Dataset<Row> execute(Dataset<Row> rows) {
    String t = table.tableName();
    Dataset<Row> in = rows.drop("family_rule", "family_confidence");
    in.createOrReplaceTempView("fam_rows_" + t);
    spark.sql(claimsSql(t)).localCheckpoint(true).createOrReplaceTempView("fam_claims_" + t);
    suffixCandidates(t).createOrReplaceTempView("fam_suffix_" + t);
    spark.sql(linksSql(t)).localCheckpoint(true).createOrReplaceTempView("fam_nodes_" + t);
    Dataset<Row> roots = roots(t);
    roots.createOrReplaceTempView("fam_roots_" + t);
    // the wide rows are joined only to small per-claim tables (linked claims, inferred reversals, families with
    // an inferred link), broadcast: no shuffle of the rows
    return spark.sql("""
        WITH w AS (SELECT root AS wfam, min(struct(conf AS c, rule AS r)) AS weakest FROM fam_roots_%1$s
                   WHERE conf IS NOT NULL GROUP BY root),
        v AS (SELECT claim_id AS vid FROM fam_nodes_%1$s WHERE inferred_rev),
        p AS (SELECT /*+ BROADCAST(x), BROADCAST(v) */ r.*,
                     coalesce(x.root, coalesce(r.original_claim_id, r.claim_id)) AS fam, v.vid IS NOT NULL AS inferred_rev
              FROM fam_rows_%1$s r
              LEFT JOIN fam_roots_%1$s x ON x.node = coalesce(r.original_claim_id, r.claim_id)
              LEFT JOIN v ON v.vid = r.claim_id)
        SELECT /*+ BROADCAST(w) */ p.*, w.weakest.r AS family_rule, w.weakest.c AS family_confidence
        FROM p LEFT JOIN w ON w.wfam = p.fam
        """.formatted(t));
  }

  /**
   * One row per claim id: member, payer link, natural key, codes, row signatures, amounts ({@code paid} null
   * when no row has a paid amount: such a claim is neither denied nor reversed).
   */
  private String claimsSql(String t) {
    boolean med = table == ClaimTable.MEDICAL;
    String header = med
        ? "concat_ws('|', min(claim_type), coalesce(min(billing_npi), ''), coalesce(min(rendering_npi), ''),"
            + " coalesce(cast(min(coalesce(claim_start_date, claim_line_start_date)) AS STRING), ''),"
            + " coalesce(cast(max(coalesce(claim_end_date, claim_line_end_date)) AS STRING), ''))"
        : "concat_ws('|', coalesce(min(dispensing_provider_npi), ''), coalesce(min(prescribing_provider_npi), ''),"
            + " coalesce(cast(min(dispensing_date) AS STRING), ''))";
    String lineCode = med ? "concat_ws('/', coalesce(hcpcs_code, ''), coalesce(revenue_center_code, ''))"
        : "coalesce(ndc_code, '')";
    String codes = med
        ? "concat_ws(',', sort_array(collect_set(" + lineCode + "))) || '#' || coalesce(min(diagnosis_code_1), '')"
        : "concat_ws(',', sort_array(collect_set(" + lineCode + ")))";
    // a row's signature: line, code, amounts (%1$s: "" for the claim, "-" for its mirror image)
    String partial = med ? "max(CASE WHEN adjudication_status = 'partial' THEN 1 ELSE 0 END) = 1" : "false";
    String sig = "concat_ws('|', string(claim_line_number), " + lineCode + ", string(%1$scoalesce(paid_amount, 0)),"
        + " string(%1$scoalesce(allowed_amount, 0)), string(%1$scoalesce(charge_amount, 0)))";
    return """
        SELECT claim_id, min(member_id) AS member, max(original_claim_id) AS link, %2$s AS hdr, %3$s AS codes,
          concat_ws(';', sort_array(collect_list(%4$s))) AS sig,
          concat_ws(';', sort_array(collect_list(%5$s))) AS nsig,
          min(paid_date) AS first_paid, sum(paid_amount) AS paid, %6$s AS partial,
          max(CASE WHEN coalesce(paid_amount, 0) > 0 OR coalesce(allowed_amount, 0) > 0
                     OR coalesce(charge_amount, 0) > 0 THEN 1 ELSE 0 END) AS any_pos,
          max(CASE WHEN coalesce(paid_amount, 0) < 0 OR coalesce(allowed_amount, 0) < 0
                     OR coalesce(charge_amount, 0) < 0 THEN 1 ELSE 0 END) AS any_neg
        FROM fam_rows_%1$s GROUP BY claim_id
        """.formatted(t, header, codes, sig.formatted(""), sig.formatted("-"), partial);
  }

  /** Claims without a payer link whose id matches a suffix rule: claim_id, base, rule, conf, same_claim, prio. */
  private Dataset<Row> suffixCandidates(String t) {
    Dataset<Row> claims = spark.table("fam_claims_" + t).filter(col("link").isNull());
    Dataset<Row> out = null;
    int prio = 0;
    for (Rule r : rules) {
      if (!r.kind().equals(SUFFIX)) {
        continue;
      }
      Dataset<Row> one = claims.select(col("claim_id"), regexp_extract(col("claim_id"), r.pattern(), 1).as("base"),
          lit(r.name()).as("rule"), lit(r.confidence()).as("conf"), lit(r.sameClaim()).as("same_claim"),
          lit(prio++).as("prio"));
      one = one.filter(col("base").notEqual("").and(col("base").notEqual(col("claim_id"))));
      out = out == null ? one : out.unionByName(one);
    }
    if (out == null) {
      out = spark.sql("SELECT CAST(NULL AS STRING) AS claim_id, CAST(NULL AS STRING) AS base, CAST(NULL AS STRING)"
          + " AS rule, CAST(NULL AS DOUBLE) AS conf, false AS same_claim, 0 AS prio").limit(0);
    }
    return out;
  }

  private Rule rule(String kind) {
    return rules.stream().filter(r -> r.kind().equals(kind)).findFirst().orElse(null);
  }

  private static String sqlLit(Rule r, boolean name) {
    if (r == null) {
      return name ? "CAST(NULL AS STRING)" : "CAST(NULL AS DOUBLE)";
    }
    return name ? "'" + r.name().replace("'", "") + "'" : "CAST(" + r.confidence() + " AS DOUBLE)";
  }

  /** Per claim: parent (payer link, else the inferred one), the rule and confidence, inferred_rev. */
  private String linksSql(String t) {
    Rule mirror = rule(MIRROR);
    Rule afterRev = rule(AFTER_REVERSAL);
    Rule afterDen = rule(AFTER_DENIAL);
    Rule afterPartial = rule(AFTER_PARTIAL);
    return """
        WITH c AS (SELECT *, any_neg = 1 AND any_pos = 0 AS is_rev FROM fam_claims_%1$s),
        s AS (SELECT x.claim_id, x.base AS parent, x.rule, x.conf FROM (
                SELECT s.*, row_number() OVER (PARTITION BY s.claim_id ORDER BY s.prio) AS rk
                FROM fam_suffix_%1$s s JOIN c b ON b.claim_id = s.base JOIN c me ON me.claim_id = s.claim_id
                WHERE b.member = me.member AND (NOT s.same_claim OR b.hdr <=> me.hdr)) x WHERE x.rk = 1),
        m AS (SELECT claim_id, parent FROM (
                SELECT r.claim_id, a.claim_id AS parent,
                       row_number() OVER (PARTITION BY r.claim_id ORDER BY a.first_paid NULLS FIRST, a.claim_id) AS rk
                FROM c r JOIN c a ON a.member = r.member AND a.hdr <=> r.hdr AND a.sig = r.nsig
                 AND a.claim_id <> r.claim_id AND NOT a.is_rev
                 AND coalesce(a.first_paid, DATE'0001-01-01') <= coalesce(r.first_paid, DATE'9999-12-31')
                WHERE r.is_rev AND r.link IS NULL AND %2$s
                  AND NOT EXISTS (SELECT 1 FROM s WHERE s.claim_id = r.claim_id)) WHERE rk = 1),
        rev AS (SELECT DISTINCT coalesce(c.link, s.parent, m.parent) AS target FROM c
                LEFT JOIN s ON s.claim_id = c.claim_id LEFT JOIN m ON m.claim_id = c.claim_id
                WHERE c.is_rev AND coalesce(c.link, s.parent, m.parent) IS NOT NULL),
        k AS (SELECT claim_id, parent, rule, conf FROM (
                SELECT b.claim_id, a.claim_id AS parent,
                       CASE WHEN %7$s AND a.paid = 0 AND a.any_neg = 0 THEN %3$s ELSE %5$s END AS rule,
                       CASE WHEN %7$s AND a.paid = 0 AND a.any_neg = 0 THEN %4$s ELSE %6$s END AS conf,
                       row_number() OVER (PARTITION BY b.claim_id ORDER BY a.first_paid, a.claim_id) AS rk
                FROM c b JOIN c a ON a.member = b.member AND a.hdr <=> b.hdr AND a.codes <=> b.codes
                 AND a.claim_id <> b.claim_id AND NOT a.is_rev AND a.first_paid < b.first_paid
                LEFT JOIN rev ON rev.target = a.claim_id
                WHERE b.link IS NULL AND NOT b.is_rev
                  AND NOT EXISTS (SELECT 1 FROM s WHERE s.claim_id = b.claim_id)
                  AND ((%7$s AND a.paid = 0 AND a.any_neg = 0)
                    OR (%8$s AND (rev.target IS NOT NULL OR (a.any_neg = 1 AND a.paid <= 0))))) WHERE rk = 1),
        pp AS (SELECT claim_id, parent FROM (
                SELECT b.claim_id, a.claim_id AS parent,
                       row_number() OVER (PARTITION BY b.claim_id ORDER BY a.claim_id) AS rk
                FROM c b JOIN c a ON a.member = b.member AND a.hdr <=> b.hdr AND a.codes <=> b.codes
                 AND a.partial AND NOT b.partial AND a.link IS NULL
                WHERE %11$s AND b.link IS NULL AND NOT b.is_rev
                  AND NOT EXISTS (SELECT 1 FROM s WHERE s.claim_id = b.claim_id)) WHERE rk = 1)
        SELECT c.claim_id,
               coalesce(c.link, s.parent, m.parent, k.parent, pp.parent) AS parent,
               CASE WHEN c.link IS NULL THEN coalesce(s.rule, CASE WHEN m.parent IS NOT NULL THEN %9$s END, k.rule,
                 CASE WHEN pp.parent IS NOT NULL THEN %12$s END) END AS rule,
               CASE WHEN c.link IS NULL THEN coalesce(s.conf, CASE WHEN m.parent IS NOT NULL THEN %10$s END, k.conf,
                 CASE WHEN pp.parent IS NOT NULL THEN %13$s END) END AS conf,
               c.link IS NULL AND c.is_rev AND coalesce(s.parent, m.parent) IS NOT NULL AS inferred_rev
        FROM c LEFT JOIN s ON s.claim_id = c.claim_id LEFT JOIN m ON m.claim_id = c.claim_id
        LEFT JOIN k ON k.claim_id = c.claim_id LEFT JOIN pp ON pp.claim_id = c.claim_id
        """.formatted(t, mirror != null, sqlLit(afterDen, true), sqlLit(afterDen, false),
        sqlLit(afterRev, true), sqlLit(afterRev, false), afterDen != null, afterRev != null, sqlLit(mirror, true),
        sqlLit(mirror, false), afterPartial != null, sqlLit(afterPartial, true), sqlLit(afterPartial, false));
  }

  /** node → family root, following parents up to {@link #MAX_HOPS}, with the weakest inferred link's rule. */
  private Dataset<Row> roots(String t) {
    Dataset<Row> cur = spark.sql("SELECT claim_id AS node, parent AS root, rule, conf FROM fam_nodes_" + t
        + " WHERE parent IS NOT NULL AND parent <> claim_id").localCheckpoint(true);
    for (int hop = 0; hop < MAX_HOPS; hop++) {
      cur.createOrReplaceTempView("fam_cur_" + t);
      Dataset<Row> next = spark.sql("""
          SELECT c.node, coalesce(n.parent, c.root) AS root,
                 CASE WHEN n.conf IS NOT NULL AND (c.conf IS NULL OR n.conf < c.conf) THEN n.rule ELSE c.rule END AS rule,
                 least(c.conf, n.conf) AS conf, n.parent IS NOT NULL AS moved
          FROM fam_cur_%1$s c LEFT JOIN fam_nodes_%1$s n
            ON n.claim_id = c.root AND n.parent IS NOT NULL AND n.parent <> c.root AND n.parent <> c.node
          """.formatted(t)).localCheckpoint(true);
      boolean moved = !next.filter("moved").isEmpty();
      cur = next.drop("moved");
      if (!moved) {
        break;
      }
    }
    return cur;
  }
}
