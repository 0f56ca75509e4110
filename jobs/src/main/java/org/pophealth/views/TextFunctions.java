package org.pophealth.views;

import java.util.List;
import java.util.Locale;

/** The FHIRPath string functions: startsWith, endsWith, contains, lower, upper, length, substring. */
final class TextFunctions {
  private TextFunctions() {}

  /** {@code fn} on a single string input; empty when the input is empty or not one string. */
  static List<Item> apply(Functions.Fn fn, List<Item> in, Expr[] args, List<Item> focus, EvalContext ctx) {
    if (in.size() > 1) {
      throw new ViewDefinitionException(fn.label + "() needs a single string, got " + in.size() + " values");
    }
    if (in.isEmpty() || !(in.get(0).value instanceof String s)) {
      return Item.EMPTY;
    }
    switch (fn) {
      case STARTSWITH:
        return List.of(Item.of(s.startsWith(Functions.stringArg(args[0].eval(focus, ctx)))));
      case ENDSWITH:
        return List.of(Item.of(s.endsWith(Functions.stringArg(args[0].eval(focus, ctx)))));
      case CONTAINS:
        return List.of(Item.of(s.contains(Functions.stringArg(args[0].eval(focus, ctx)))));
      case LOWER:
        return List.of(new Item(s.toLowerCase(Locale.ROOT), "string"));
      case UPPER:
        return List.of(new Item(s.toUpperCase(Locale.ROOT), "string"));
      case LENGTH:
        return List.of(new Item((long) s.length(), "integer"));
      case SUBSTRING: {
        long start = integer(args[0].eval(focus, ctx), -1);
        if (start < 0 || start >= s.length()) {
          return Item.EMPTY;
        }
        long length = args.length > 1 ? integer(args[1].eval(focus, ctx), s.length()) : s.length();
        int end = (int) Math.min(s.length(), start + Math.max(0, length));
        return List.of(new Item(s.substring((int) start, end), "string"));
      }
      default:
        throw new IllegalStateException(fn.label);
    }
  }

  private static long integer(List<Item> items, long otherwise) {
    return items.size() == 1 && items.get(0).value instanceof Long l ? l : otherwise;
  }
}
