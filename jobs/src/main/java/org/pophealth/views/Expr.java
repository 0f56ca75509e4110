package org.pophealth.views;

import java.io.Serializable;
import java.util.List;

/**
 * A compiled FHIRPath expression node: evaluates an input collection (the focus) to an output collection.
 * Nodes are immutable and built once per ViewDefinition, so one tree serves every resource and thread.
 */
abstract class Expr implements Serializable {
  private static final long serialVersionUID = 1L;

  abstract List<Item> eval(List<Item> focus, EvalContext ctx);

  /** The FHIR type this node yields, given the model type of its focus (null when unknown). */
  abstract String staticType(String focusType, StaticTypes types);

  /** A literal collection (strings, numbers, booleans, dates, resolved %constants, {}). */
  static final class Literal extends Expr {
    private static final long serialVersionUID = 1L;
    final List<Item> value;

    Literal(List<Item> value) {
      this.value = value;
    }

    @Override
    List<Item> eval(List<Item> focus, EvalContext ctx) {
      return value;
    }

    @Override
    String staticType(String focusType, StaticTypes types) {
      return value.isEmpty() ? null : value.get(0).type;
    }
  }

  /** {@code $this}: the focus itself. */
  static final class This extends Expr {
    private static final long serialVersionUID = 1L;

    @Override
    List<Item> eval(List<Item> focus, EvalContext ctx) {
      return focus;
    }

    @Override
    String staticType(String focusType, StaticTypes types) {
      return focusType;
    }
  }

  /** {@code %rowIndex} and {@code %resource}/{@code %rootResource}/{@code %context}. */
  static final class Variable extends Expr {
    private static final long serialVersionUID = 1L;
    final boolean rowIndex;

    Variable(boolean rowIndex) {
      this.rowIndex = rowIndex;
    }

    @Override
    List<Item> eval(List<Item> focus, EvalContext ctx) {
      return rowIndex ? List.of(new Item((long) ctx.rowIndex, "integer"))
          : List.of(new Item(ctx.resource, null));
    }

    @Override
    String staticType(String focusType, StaticTypes types) {
      return rowIndex ? "integer" : types.resourceType();
    }
  }
}
