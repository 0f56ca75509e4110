package org.pophealth.views;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** FHIRPath function calls of the SQL on FHIR subset, resolved to an enum when the expression is parsed. */
final class Functions {
  private Functions() {}

  /** The supported functions and how many arguments each takes (min, max). */
  enum Fn {
    WHERE("where", 1, 1), SELECT("select", 1, 1), EXISTS("exists", 0, 1), EMPTY("empty", 0, 0), NOT("not", 0, 0),
    FIRST("first", 0, 0), LAST("last", 0, 0), TAIL("tail", 0, 0), SINGLE("single", 0, 0), COUNT("count", 0, 0),
    DISTINCT("distinct", 0, 0), HASVALUE("hasValue", 0, 0), ALLTRUE("allTrue", 0, 0), ANYTRUE("anyTrue", 0, 0),
    JOIN("join", 0, 1), OFTYPE("ofType", 1, 1), EXTENSION("extension", 1, 1),
    GETRESOURCEKEY("getResourceKey", 0, 0), GETREFERENCEKEY("getReferenceKey", 0, 1),
    LOWBOUNDARY("lowBoundary", 0, 1), HIGHBOUNDARY("highBoundary", 0, 1), TOSTRING("toString", 0, 0),
    IIF("iif", 2, 3), STARTSWITH("startsWith", 1, 1), ENDSWITH("endsWith", 1, 1), CONTAINS("contains", 1, 1),
    LOWER("lower", 0, 0), UPPER("upper", 0, 0), LENGTH("length", 0, 0), SUBSTRING("substring", 1, 2);

    final String label;
    final int min;
    final int max;

    Fn(String label, int min, int max) {
      this.label = label;
      this.min = min;
      this.max = max;
    }

    /** The function called {@code name} in FHIRPath (case-sensitive), or null. */
    static Fn named(String name) {
      for (Fn f : values()) {
        if (f.label.equals(name)) {
          return f;
        }
      }
      return null;
    }
  }

  /** {@code source.fn(args)}; source null means the focus. Type-specifier arguments are kept as names. */
  static final class Call extends Expr {
    private static final long serialVersionUID = 1L;
    final Expr source;
    final Fn fn;
    final Expr[] args;
    final String typeArg;

    Call(Expr source, Fn fn, Expr[] args, String typeArg) {
      this.source = source;
      this.fn = fn;
      this.args = args;
      this.typeArg = typeArg;
    }

    @Override
    List<Item> eval(List<Item> focus, EvalContext ctx) {
      List<Item> in = source == null ? focus : source.eval(focus, ctx);
      switch (fn) {
        case WHERE: {
          List<Item> out = null;
          for (int i = 0, n = in.size(); i < n; i++) {
            Item item = in.get(i);
            if (Boolean.TRUE.equals(singletonBoolean(args[0].eval(List.of(item), ctx), "where()"))) {
              out = Navigation.add(out, item);
            }
          }
          return out == null ? Item.EMPTY : out;
        }
        case SELECT: {
          List<Item> out = new ArrayList<>();
          for (Item item : in) {
            out.addAll(args[0].eval(List.of(item), ctx));
          }
          return out;
        }
        case EXISTS:
          if (args.length == 0) {
            return List.of(Item.of(!in.isEmpty()));
          }
          for (Item item : in) {
            if (Boolean.TRUE.equals(singletonBoolean(args[0].eval(List.of(item), ctx), "exists()"))) {
              return List.of(Item.TRUE);
            }
          }
          return List.of(Item.FALSE);
        case EMPTY:
          return List.of(Item.of(in.isEmpty()));
        case NOT: {
          Boolean b = singletonBoolean(in, "not()");
          return b == null ? Item.EMPTY : List.of(Item.of(!b));
        }
        case FIRST:
          return in.isEmpty() ? Item.EMPTY : List.of(in.get(0));
        case LAST:
          return in.isEmpty() ? Item.EMPTY : List.of(in.get(in.size() - 1));
        case TAIL:
          return in.size() <= 1 ? Item.EMPTY : in.subList(1, in.size());
        case SINGLE:
          if (in.size() > 1) {
            throw new ViewDefinitionException("single() got " + in.size() + " values");
          }
          return in;
        case COUNT:
          return List.of(new Item((long) in.size(), "integer"));
        case DISTINCT: {
          List<Item> out = new ArrayList<>();
          for (Item i : in) {
            if (out.stream().noneMatch(o -> Operators.equal(o, i))) {
              out.add(i);
            }
          }
          return out;
        }
        case HASVALUE:
          return List.of(Item.of(in.size() == 1 && in.get(0).object() == null));
        case ALLTRUE:
        case ANYTRUE: {
          boolean all = true;
          boolean any = false;
          for (Item i : in) {
            boolean t = Boolean.TRUE.equals(i.value);
            all &= t;
            any |= t;
          }
          return List.of(Item.of(fn == Fn.ALLTRUE ? all : any));
        }
        case JOIN: {
          String sep = args.length == 0 ? "" : stringArg(args[0].eval(focus, ctx));
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < in.size(); i++) {
            if (i > 0) {
              sb.append(sep);
            }
            sb.append(plain(in.get(i).value));
          }
          return List.of(new Item(sb.toString(), "string"));
        }
        case TOSTRING:
          return in.size() == 1 && in.get(0).object() == null
              ? List.of(new Item(plain(in.get(0).value), "string")) : Item.EMPTY;
        case OFTYPE: {
          List<Item> out = null;
          for (Item i : in) {
            if (isOfType(i, typeArg)) {
              out = Navigation.add(out, i.type == null && i.object() == null ? new Item(i.value, typeArg) : i);
            }
          }
          return out == null ? Item.EMPTY : out;
        }
        case EXTENSION:
          return extensions(in, stringArg(args[0].eval(focus, ctx)));
        case GETRESOURCEKEY: {
          List<Item> out = null;
          for (Item i : in) {
            JsonNode id = field(i, "id");
            if (id != null && id.isTextual()) {
              out = Navigation.add(out, new Item(id.textValue(), "string"));
            }
          }
          return out == null ? Item.EMPTY : out;
        }
        case GETREFERENCEKEY:
          return referenceKeys(in);
        case LOWBOUNDARY:
        case HIGHBOUNDARY: {
          List<Item> out = null;
          for (Item i : in) {
            Item b = Boundaries.of(i, fn == Fn.LOWBOUNDARY);
            if (b != null) {
              out = Navigation.add(out, b);
            }
          }
          return out == null ? Item.EMPTY : out;
        }
        case IIF: {
          Boolean c = singletonBoolean(args[0].eval(in, ctx), "iif()");
          return Boolean.TRUE.equals(c) ? args[1].eval(in, ctx)
              : args.length > 2 ? args[2].eval(in, ctx) : Item.EMPTY;
        }
        default:
          return TextFunctions.apply(fn, in, args, focus, ctx);
      }
    }

    private List<Item> referenceKeys(List<Item> in) {
      List<Item> out = null;
      for (Item i : in) {
        JsonNode ref = field(i, "reference");
        if (ref == null || !ref.isTextual()) {
          continue;
        }
        String s = ref.textValue();
        int hist = s.indexOf("/_history/");
        if (hist >= 0) {
          s = s.substring(0, hist);
        }
        int slash = s.lastIndexOf('/');
        if (slash <= 0) {
          continue;
        }
        int typeStart = s.lastIndexOf('/', slash - 1) + 1;
        if (typeArg != null && (slash - typeStart != typeArg.length() || !s.startsWith(typeArg, typeStart))) {
          continue;
        }
        out = Navigation.add(out, new Item(s.substring(slash + 1), "string"));
      }
      return out == null ? Item.EMPTY : out;
    }

    @Override
    String staticType(String focusType, StaticTypes types) {
      switch (fn) {
        case EXISTS: case EMPTY: case NOT: case HASVALUE: case ALLTRUE: case ANYTRUE:
          return "boolean";
        case COUNT:
          return "integer";
        case JOIN: case GETRESOURCEKEY: case GETREFERENCEKEY: case TOSTRING: case LOWER: case UPPER:
        case SUBSTRING:
          return "string";
        case STARTSWITH: case ENDSWITH: case CONTAINS:
          return "boolean";
        case LENGTH:
          return "integer";
        case IIF: {
          String from = source == null ? focusType : source.staticType(focusType, types);
          String a = args[1].staticType(from, types);
          return args.length > 2 && !java.util.Objects.equals(a, args[2].staticType(from, types)) ? null : a;
        }
        case OFTYPE:
          return typeArg;
        case EXTENSION:
          return "Extension";
        case SELECT: {
          String from = source == null ? focusType : source.staticType(focusType, types);
          return args[0].staticType(from, types);
        }
        default:
          return source == null ? focusType : source.staticType(focusType, types);
      }
    }
  }

  /** The boolean of a collection used as a condition: empty → null, one boolean → it, one other value → true. */
  static Boolean singletonBoolean(List<Item> items, String where) {
    if (items.isEmpty()) {
      return null;
    }
    if (items.size() > 1) {
      throw new ViewDefinitionException(where + " needs a single boolean, got " + items.size() + " values");
    }
    Object v = items.get(0).value;
    return v instanceof Boolean b ? b : Boolean.TRUE;
  }

  static boolean isOfType(Item i, String type) {
    if (i.type != null) {
      return i.type.equals(type);
    }
    JsonNode n = i.object();
    if (n != null) {
      JsonNode rt = n.get("resourceType");
      return rt != null && type.equals(rt.textValue());
    }
    return FhirTypeNames.valueFits(i.value, type);
  }

  private static List<Item> extensions(List<Item> in, String url) {
    List<Item> out = null;
    for (Item i : in) {
      JsonNode ext = field(i, "extension");
      if (ext == null || !ext.isArray()) {
        continue;
      }
      for (JsonNode e : ext) {
        JsonNode u = e.get("url");
        if (u != null && url.equals(u.textValue())) {
          out = Navigation.add(out, new Item(e, "Extension"));
        }
      }
    }
    return out == null ? Item.EMPTY : out;
  }

  private static JsonNode field(Item item, String name) {
    JsonNode n = item.object();
    return n == null ? null : n.get(name);
  }

  static String stringArg(List<Item> items) {
    return items.size() == 1 && items.get(0).value instanceof String s ? s : "";
  }

  static String plain(Object v) {
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return v instanceof JsonNode n ? n.toString() : String.valueOf(v);
  }
}
