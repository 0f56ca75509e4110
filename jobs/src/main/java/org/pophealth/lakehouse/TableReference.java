package org.pophealth.lakehouse;

/** Renders the contracts as the Markdown table reference (docs/TABLES.md). */
public final class TableReference {
  private TableReference() {}

  public static String markdown(ContractRegistry registry) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Table reference\n\n");
    sb.append("Generated from `schemas/` by `bin/pophealth schema`; do not edit by hand ")
        .append("(a test fails when this page and the contracts disagree).\n\n");
    for (TableContract c : registry.all()) {
      sb.append("- [").append(c.name()).append("](#").append(c.name().replace(".", "")).append(")\n");
    }
    for (TableContract c : registry.all()) {
      sb.append("\n## ").append(c.name()).append("\n\n");
      sb.append(c.description().replace("\n", " ")).append("\n\n");
      sb.append("- Grain: ").append(c.grain()).append("\n");
      sb.append("- Key: ").append(String.join(", ", c.key())).append("\n");
      if (!c.partitionBy().isEmpty()) {
        sb.append("- Partitioned by: ").append(String.join(", ", c.partitionBy())).append("\n");
      }
      if (c.resourceType() != null) {
        sb.append("- FHIR resource: ").append(c.resourceType()).append("\n");
      }
      sb.append("\n| column | type | required | meaning |\n|---|---|---|---|\n");
      for (ColumnSpec col : c.columns()) {
        sb.append("| ").append(col.name()).append(" | `").append(col.type().simpleString()).append("` | ")
            .append(col.nullable() ? "" : "yes").append(" | ").append(col.description().replace("|", "\\|"))
            .append(" |\n");
      }
    }
    return sb.toString();
  }
}
