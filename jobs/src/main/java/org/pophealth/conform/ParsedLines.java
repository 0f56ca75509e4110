package org.pophealth.conform;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.pophealth.lakehouse.ContractRegistry;

/**
 * Schema of the one-pass parse result: one row per line (per DELETE entry for tombstone bundles),
 * either loaded (with its typed silver row in {@code typed}) or quarantined (with the reason).
 */
public final class ParsedLines {
  public static final String LOADED = "loaded";
  public static final String QUARANTINED = "quarantined";
  /**
   * Loaded to bronze, kept out of silver: a resource tagged {@code SUBSETTED} (an {@code _elements} export),
   * which must never replace a full version there.
   */
  public static final String SUBSETTED = "loaded-subsetted";

  /** The system of the {@code SUBSETTED} meta.tag (FHIR's v3 ObservationValue); a tag without system counts too. */
  public static final String SUBSETTED_TAG_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
  /**
   * A line of an error file that is an OperationOutcome whose issues are all {@code information} or
   * {@code warning}: a server message, counted apart, neither loaded nor quarantined.
   */
  public static final String INFORMATIONAL = "informational";

  private ParsedLines() {}

  /** Schema of a parse of files of one type: the line columns, plus {@code typed} when the type has a silver table. */
  public static StructType schema(ResourceConverter converter) {
    StructType base = base();
    if (converter == null) {
      return base;
    }
    return base.add(DataTypes.createStructField(TYPED, ContractRegistry.get().contract(converter.table()).schema(), true));
  }

  /** Column holding the typed silver row. */
  public static final String TYPED = "typed";

  private static StructType base() {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField("status", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("kind", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("line_first", DataTypes.BooleanType, false));
    f.add(DataTypes.createStructField("resource_type", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("resource_id", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("version_id", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("last_updated", DataTypes.TimestampType, true));
    f.add(DataTypes.createStructField("is_deleted", DataTypes.BooleanType, false));
    f.add(DataTypes.createStructField("raw", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("content_hash", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("file", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("line", DataTypes.LongType, false));
    f.add(DataTypes.createStructField("row_key", DataTypes.StringType, false));
    f.add(DataTypes.createStructField("stage", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("reason_code", DataTypes.StringType, true));
    f.add(DataTypes.createStructField("reason", DataTypes.StringType, true));
    return DataTypes.createStructType(f);
  }

  /** Index of the typed column. */
  public static final int TYPED_INDEX = 16;

  /** Names of the line columns (all but typed). */
  public static String[] baseColumns() {
    return base().fieldNames();
  }
}
