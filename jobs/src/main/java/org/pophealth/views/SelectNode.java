package org.pophealth.views;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One compiled {@code select} of a ViewDefinition: optional forEach / forEachOrNull / repeat, its columns (at
 * fixed slots of the output row), nested selects (cross product) and unionAll branches (concatenated). Rows
 * are built depth-first in one working array, so a resource's rows cost one array copy each.
 */
final class SelectNode implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Receives each finished row (the working array, to copy). */
  interface Sink {
    void row();
  }

  Expr forEach;
  boolean orNull;
  Expr[] repeat;
  int[] slots = new int[0];
  Expr[] paths = new Expr[0];
  boolean[] collection = new boolean[0];
  String[] types = new String[0];
  String[] names = new String[0];
  SelectNode[] selects = new SelectNode[0];
  SelectNode[] unionAll = new SelectNode[0];
  int start;
  int end;

  void emit(Item node, int index, EvalContext ctx, Object[] row, Sink done) {
    List<Item> nodes;
    if (forEach != null) {
      nodes = forEach.eval(List.of(node), ctx);
    } else if (repeat != null) {
      nodes = new ArrayList<>();
      collect(node, ctx, nodes);
    } else {
      emitOne(node, index, ctx, row, done);
      return;
    }
    if (nodes.isEmpty()) {
      if (orNull) {
        Arrays.fill(row, start, end, null);
        fillColumns(Item.EMPTY, 0, ctx, row);
        done.row();
      }
      return;
    }
    for (int i = 0, n = nodes.size(); i < n; i++) {
      emitOne(nodes.get(i), i, ctx, row, done);
    }
  }

  private void collect(Item node, EvalContext ctx, List<Item> out) {
    List<Item> focus = List.of(node);
    for (Expr path : repeat) {
      for (Item child : path.eval(focus, ctx)) {
        out.add(child);
        collect(child, ctx, out);
      }
    }
  }

  private void emitOne(Item node, int index, EvalContext ctx, Object[] row, Sink done) {
    fillColumns(List.of(node), index, ctx, row);
    emitParts(0, node, index, ctx, row, done);
  }

  /** This select's own columns; a forEachOrNull without nodes evaluates them on nothing (%rowIndex is 0). */
  private void fillColumns(List<Item> focus, int index, EvalContext ctx, Object[] row) {
    ctx.rowIndex = index;
    for (int c = 0; c < paths.length; c++) {
      row[slots[c]] = value(c, paths[c].eval(focus, ctx));
    }
  }

  private void emitParts(int part, Item node, int index, EvalContext ctx, Object[] row, Sink done) {
    if (part < selects.length) {
      selects[part].emit(node, index, ctx, row, () -> emitParts(part + 1, node, index, ctx, row, done));
      return;
    }
    if (unionAll.length == 0) {
      done.row();
      return;
    }
    for (SelectNode branch : unionAll) {
      branch.emit(node, index, ctx, row, done);
    }
  }

  private Object value(int c, List<Item> items) {
    if (collection[c]) {
      List<Object> out = new ArrayList<>(items.size());
      for (Item i : items) {
        out.add(convert(i, types[c]));
      }
      return out;
    }
    if (items.isEmpty()) {
      return null;
    }
    if (items.size() > 1) {
      throw new ViewDefinitionException("column '" + names[c] + "' yields " + items.size()
          + " values; declare it collection: true or narrow its path");
    }
    return convert(items.get(0), types[c]);
  }

  /** The row value of one item: its Java value, a JSON string for an object, numbers as the column type says. */
  static Object convert(Item item, String type) {
    Object v = item.value;
    if (v instanceof com.fasterxml.jackson.databind.JsonNode n) {
      return n.toString();
    }
    if (v instanceof Long l && "decimal".equals(type)) {
      return BigDecimal.valueOf(l);
    }
    if (v instanceof BigDecimal d && type != null && FhirTypeNames.INTEGER_LIKE.contains(type)) {
      BigDecimal whole = d.stripTrailingZeros();
      return whole.scale() <= 0 && whole.precision() - whole.scale() <= 18 ? (Object) whole.longValue() : d;
    }
    return v;
  }
}
