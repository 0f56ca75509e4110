package org.pophealth.views;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** Binary and unary FHIRPath operators: comparison, equality, boolean logic, arithmetic, {@code &} and {@code |}. */
final class Operators {
  private Operators() {}

  enum Op {
    EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), AND("and"), OR("or"), XOR("xor"), IMPLIES("implies"),
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), INTDIV("div"), MOD("mod"), CONCAT("&"), UNION("|");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    static Op of(String symbol) {
      for (Op op : values()) {
        if (op.symbol.equals(symbol)) {
          return op;
        }
      }
      return null;
    }
  }

  /** {@code left op right}, both evaluated on the same focus. */
  static final class Binary extends Expr {
    private static final long serialVersionUID = 1L;
    final Op op;
    final Expr left;
    final Expr right;

    Binary(Op op, Expr left, Expr right) {
      this.op = op;
      this.left = left;
      this.right = right;
    }

    @Override
    List<Item> eval(List<Item> focus, EvalContext ctx) {
      List<Item> l = left.eval(focus, ctx);
      switch (op) {
        case AND:
        case OR:
        case XOR:
        case IMPLIES:
          return logic(l, focus, ctx);
        case UNION: {
          List<Item> r = right.eval(focus, ctx);
          List<Item> out = new ArrayList<>(l.size() + r.size());
          addDistinct(out, l);
          addDistinct(out, r);
          return out;
        }
        case CONCAT: {
          List<Item> r = right.eval(focus, ctx);
          return List.of(new Item(text(l) + text(r), "string"));
        }
        default:
          return binary(l, right.eval(focus, ctx));
      }
    }

    /** Three-valued and/or/xor/implies; the right side is not evaluated once the left decides. */
    private List<Item> logic(List<Item> l, List<Item> focus, EvalContext ctx) {
      Boolean a = Functions.singletonBoolean(l, op.symbol);
      if (a != null && (op == Op.AND && !a || op == Op.OR && a || op == Op.IMPLIES && !a)) {
        return List.of(Item.of(op != Op.AND));
      }
      Boolean b = Functions.singletonBoolean(right.eval(focus, ctx), op.symbol);
      if (b != null && (op == Op.AND && !b || op == Op.OR && b || op == Op.IMPLIES && b)) {
        return List.of(Item.of(op != Op.AND));
      }
      if (a == null || b == null) {
        return Item.EMPTY;
      }
      return List.of(Item.of(op == Op.XOR ? a ^ b : op == Op.AND));
    }

    private List<Item> binary(List<Item> l, List<Item> r) {
      if (op == Op.EQ || op == Op.NE) {
        if (l.isEmpty() || r.isEmpty()) {
          return Item.EMPTY;
        }
        boolean eq = l.size() == r.size();
        for (int i = 0; eq && i < l.size(); i++) {
          eq = equal(l.get(i), r.get(i));
        }
        return List.of(Item.of(eq == (op == Op.EQ)));
      }
      if (l.isEmpty() || r.isEmpty()) {
        return Item.EMPTY;
      }
      if (l.size() > 1 || r.size() > 1) {
        throw new ViewDefinitionException("operator '" + op.symbol + "' needs single values, got "
            + l.size() + " and " + r.size());
      }
      Item a = l.get(0);
      Item b = r.get(0);
      switch (op) {
        case LT:
        case LE:
        case GT:
        case GE: {
          Integer c = compare(a, b);
          if (c == null) {
            return Item.EMPTY;
          }
          boolean res = op == Op.LT ? c < 0 : op == Op.LE ? c <= 0 : op == Op.GT ? c > 0 : c >= 0;
          return List.of(Item.of(res));
        }
        default:
          return arithmetic(a, b);
      }
    }

    private List<Item> arithmetic(Item a, Item b) {
      if (op == Op.ADD && a.value instanceof String s && b.value instanceof String t) {
        return List.of(new Item(s + t, "string"));
      }
      if (!a.isNumber() || !b.isNumber()) {
        return Item.EMPTY;
      }
      if (a.value instanceof Long x && b.value instanceof Long y) {
        switch (op) {
          case ADD: return List.of(new Item(x + y, "integer"));
          case SUB: return List.of(new Item(x - y, "integer"));
          case MUL: return List.of(new Item(x * y, "integer"));
          case INTDIV: return y == 0 ? Item.EMPTY : List.of(new Item(x / y, "integer"));
          case MOD: return y == 0 ? Item.EMPTY : List.of(new Item(x % y, "integer"));
          default: break;
        }
      }
      BigDecimal x = a.decimal();
      BigDecimal y = b.decimal();
      BigDecimal res;
      switch (op) {
        case ADD: res = x.add(y); break;
        case SUB: res = x.subtract(y); break;
        case MUL: res = x.multiply(y); break;
        case DIV:
          if (y.signum() == 0) {
            return Item.EMPTY;
          }
          res = x.divide(y, MathContext.DECIMAL64).stripTrailingZeros();
          break;
        case INTDIV:
          if (y.signum() == 0) {
            return Item.EMPTY;
          }
          return List.of(new Item(x.divideToIntegralValue(y).longValue(), "integer"));
        case MOD:
          if (y.signum() == 0) {
            return Item.EMPTY;
          }
          res = x.remainder(y);
          break;
        default:
          return Item.EMPTY;
      }
      if (res.scale() < 0) {
        res = res.setScale(0, RoundingMode.UNNECESSARY);
      }
      return List.of(new Item(res, "decimal"));
    }

    @Override
    String staticType(String focusType, StaticTypes types) {
      switch (op) {
        case CONCAT:
          return "string";
        case UNION:
          return left.staticType(focusType, types);
        case ADD:
        case SUB:
        case MUL:
        case DIV:
        case INTDIV:
        case MOD: {
          String a = left.staticType(focusType, types);
          String b = right.staticType(focusType, types);
          if (op == Op.INTDIV) {
            return "integer";
          }
          if (op == Op.ADD && "string".equals(a) && "string".equals(b)) {
            return "string";
          }
          boolean ints = FhirTypeNames.INTEGER_LIKE.contains(a) && FhirTypeNames.INTEGER_LIKE.contains(b);
          if (op != Op.DIV && ints) {
            return "integer";
          }
          return (ints || "decimal".equals(a) || "decimal".equals(b)) ? "decimal" : null;
        }
        default:
          return "boolean";
      }
    }
  }

  static boolean equal(Item a, Item b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimal().compareTo(b.decimal()) == 0;
    }
    return a.value.equals(b.value);
  }

  /** The order of two values of comparable kinds, or null when they cannot be compared. */
  static Integer compare(Item a, Item b) {
    if (a.isNumber() && b.isNumber()) {
      if (a.value instanceof Long x && b.value instanceof Long y) {
        return Long.compare(x, y);
      }
      return a.decimal().compareTo(b.decimal());
    }
    if (a.value instanceof String s && b.value instanceof String t) {
      return s.compareTo(t);
    }
    return null;
  }

  private static void addDistinct(List<Item> out, List<Item> in) {
    for (Item i : in) {
      boolean seen = false;
      for (int k = 0; !seen && k < out.size(); k++) {
        seen = equal(out.get(k), i);
      }
      if (!seen) {
        out.add(i);
      }
    }
  }

  private static String text(List<Item> items) {
    if (items.isEmpty()) {
      return "";
    }
    if (items.size() > 1) {
      throw new ViewDefinitionException("operator '&' needs single values, got " + items.size());
    }
    Item i = items.get(0);
    return i.value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(i.value);
  }
}
