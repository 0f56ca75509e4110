package org.pophealth.views;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Path steps: a child element by name (with choice elements and a leading resource type) and {@code [n]}. */
final class Navigation {
  private Navigation() {}

  /** {@code source.name}, or {@code name} on the focus when source is null; arrays flatten. */
  static final class Child extends Expr {
    private static final long serialVersionUID = 1L;
    final Expr source;
    final String name;
    private final boolean capitalised;

    Child(Expr source, String name) {
      this.source = source;
      this.name = name;
      this.capitalised = Character.isUpperCase(name.charAt(0));
    }

    @Override
    List<Item> eval(List<Item> focus, EvalContext ctx) {
      List<Item> in = source == null ? focus : source.eval(focus, ctx);
      List<Item> out = null;
      for (int i = 0, n = in.size(); i < n; i++) {
        JsonNode node = in.get(i).object();
        if (node == null) {
          continue;
        }
        if (source == null && capitalised && isResourceOfType(node)) {
          out = add(out, in.get(i));
          continue;
        }
        JsonNode child = node.get(name);
        String type = null;
        if (child == null) {
          for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String t = FhirTypeNames.choiceType(e.getKey(), name);
            if (t != null) {
              child = e.getValue();
              type = t;
              break;
            }
          }
          if (child == null) {
            continue;
          }
        }
        if (child.isArray()) {
          for (int j = 0, m = child.size(); j < m; j++) {
            Item item = Item.fromJson(child.get(j), type);
            if (item != null) {
              out = add(out, item);
            }
          }
        } else {
          Item item = Item.fromJson(child, type);
          if (item != null) {
            out = add(out, item);
          }
        }
      }
      return out == null ? Item.EMPTY : out;
    }

    private boolean isResourceOfType(JsonNode node) {
      JsonNode rt = node.get("resourceType");
      return rt != null && name.equals(rt.textValue());
    }

    @Override
    String staticType(String focusType, StaticTypes types) {
      String from = source == null ? focusType : source.staticType(focusType, types);
      if (source == null && capitalised && name.equals(from)) {
        return from;
      }
      return types.childType(from, name);
    }
  }

  /** {@code source[index]}: the item at a zero-based position, empty when out of range. */
  static final class Index extends Expr {
    private static final long serialVersionUID = 1L;
    final Expr source;
    final Expr index;

    Index(Expr source, Expr index) {
      this.source = source;
      this.index = index;
    }

    @Override
    List<Item> eval(List<Item> focus, EvalContext ctx) {
      List<Item> in = source.eval(focus, ctx);
      List<Item> idx = index.eval(focus, ctx);
      if (idx.size() != 1 || !(idx.get(0).value instanceof Long l)) {
        return Item.EMPTY;
      }
      return l >= 0 && l < in.size() ? List.of(in.get((int) (long) l)) : Item.EMPTY;
    }

    @Override
    String staticType(String focusType, StaticTypes types) {
      return source.staticType(focusType, types);
    }
  }

  static List<Item> add(List<Item> out, Item item) {
    List<Item> list = out == null ? new ArrayList<>(4) : out;
    list.add(item);
    return list;
  }
}
