package org.pophealth.views;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.JavaConverters;

/**
 * How a view column's FHIR type becomes a Spark type, and an engine value a Spark value: {@code boolean} →
 * boolean; {@code integer}, {@code positiveInt}, {@code unsignedInt} → int; {@code integer64} → bigint;
 * {@code decimal} → double (as silver's numeric values); every other type (strings, codes, ids, uris, and
 * dates, dateTimes, instants and times, which FHIR allows to be partial) → string. A {@code collection}
 * column is an array of its type. A column whose type is neither declared nor known statically is typed
 * from its values ({@link #kindOf}, {@link #inferred}): all booleans → boolean, all whole numbers → bigint,
 * any other number → double, anything else (or no value at all) → string.
 */
public final class ViewTypes {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Value kinds seen in a column, as bits ({@link #kindOf}). */
  static final int BOOLEAN = 1;
  static final int WHOLE = 2;
  static final int DECIMAL = 4;
  static final int TEXT = 8;

  private ViewTypes() {}

  /** The Spark type of a FHIR type (null: not known, typed from the values). */
  public static DataType sparkType(String fhirType) {
    if (fhirType == null) {
      return null;
    }
    return switch (fhirType) {
      case "boolean" -> DataTypes.BooleanType;
      case "integer", "positiveInt", "unsignedInt" -> DataTypes.IntegerType;
      case "integer64" -> DataTypes.LongType;
      case "decimal" -> DataTypes.DoubleType;
      default -> DataTypes.StringType;
    };
  }

  /** The column's Spark type: its FHIR type's, else from the kinds of value seen; an array for a collection. */
  public static DataType columnType(ViewColumn c, int kindsSeen) {
    DataType t = sparkType(c.type());
    if (t == null) {
      t = inferred(kindsSeen);
    }
    return c.collection() ? DataTypes.createArrayType(t, true) : t;
  }

  /** The type that holds every value of the kinds seen. */
  static DataType inferred(int kinds) {
    if (kinds == BOOLEAN) {
      return DataTypes.BooleanType;
    }
    if (kinds == WHOLE) {
      return DataTypes.LongType;
    }
    if (kinds != 0 && (kinds & ~(WHOLE | DECIMAL)) == 0) {
      return DataTypes.DoubleType;
    }
    return DataTypes.StringType;
  }

  /** The kinds of an engine value (a list: the union of its elements'); 0 for null. */
  static int kindOf(Object v) {
    if (v == null) {
      return 0;
    }
    if (v instanceof List<?> list) {
      int k = 0;
      for (Object o : list) {
        k |= kindOf(o);
      }
      return k;
    }
    if (v instanceof Boolean) {
      return BOOLEAN;
    }
    if (v instanceof Long || v instanceof Integer) {
      return WHOLE;
    }
    if (v instanceof BigDecimal || v instanceof Double) {
      return DECIMAL;
    }
    return TEXT;
  }

  /**
   * The engine's value as the Spark value of {@code type}; throws {@link IllegalArgumentException} naming the
   * column (never the value) when it cannot be.
   */
  static Object toSpark(Object v, DataType type, String column) {
    if (v == null) {
      return null;
    }
    if (type instanceof org.apache.spark.sql.types.ArrayType a) {
      List<Object> out = new ArrayList<>();
      if (v instanceof List<?> list) {
        for (Object o : list) {
          out.add(toSpark(o, a.elementType(), column));
        }
      } else {
        out.add(toSpark(v, a.elementType(), column));
      }
      return JavaConverters.asScalaBuffer(out).toList();
    }
    if (v instanceof List<?> list) {
      if (list.isEmpty()) {
        return null;
      }
      if (list.size() == 1) {
        return toSpark(list.get(0), type, column);
      }
      throw new IllegalArgumentException("column " + column + " has " + list.size()
          + " values and is not a collection (add \"collection\": true or narrow the path, e.g. with first())");
    }
    if (type == DataTypes.StringType) {
      return text(v);
    }
    if (type == DataTypes.BooleanType) {
      if (v instanceof Boolean b) {
        return b;
      }
      if (v instanceof String s && (s.equals("true") || s.equals("false"))) {
        return Boolean.valueOf(s);
      }
    } else if (type == DataTypes.IntegerType || type == DataTypes.LongType) {
      Long n = whole(v);
      if (n != null) {
        if (type == DataTypes.LongType) {
          return n;
        }
        if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
          return n.intValue();
        }
      }
    } else if (type == DataTypes.DoubleType) {
      if (v instanceof Number n) {
        return n.doubleValue();
      }
      if (v instanceof String s) {
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          // falls through to the error
        }
      }
    }
    throw new IllegalArgumentException("column " + column + ": a " + kindName(v) + " value does not fit its type "
        + type.simpleString().toLowerCase(Locale.ROOT));
  }

  private static Long whole(Object v) {
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Integer i) {
      return i.longValue();
    }
    try {
      if (v instanceof BigDecimal d) {
        return d.longValueExact();
      }
      if (v instanceof String s) {
        return Long.parseLong(s);
      }
    } catch (ArithmeticException | NumberFormatException e) {
      return null;
    }
    return null;
  }

  private static String kindName(Object v) {
    return v instanceof Boolean ? "boolean" : v instanceof Number ? "number" : v instanceof String ? "text" : "complex";
  }

  /** A value as text: strings as they are, numbers in plain notation, objects as JSON. */
  static String text(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Boolean || v instanceof Number) {
      return v.toString();
    }
    if (v instanceof com.fasterxml.jackson.databind.JsonNode n) {
      return n.isTextual() ? n.asText() : n.toString();
    }
    if (v instanceof Map<?, ?> || v instanceof List<?>) {
      try {
        return JSON.writeValueAsString(v);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("value not writable as JSON", e);
      }
    }
    return String.valueOf(v);
  }
}
