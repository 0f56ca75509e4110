package org.pophealth.lakehouse;

import java.io.Serializable;
import org.apache.spark.sql.types.DataType;

/** One column of a table contract. */
public record ColumnSpec(String name, String typeName, DataType type, boolean nullable, String description)
    implements Serializable {}
