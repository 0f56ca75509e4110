package org.pophealth.lakehouse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.PlanExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.Option;
import scala.Tuple2;
import scala.collection.JavaConverters;

/**
 * Java-side walks over Catalyst trees for {@link SqlGuard}: every plan node a statement holds, wherever it
 * holds it (children, CTE definitions, plans kept in fields such as the table of an INSERT, the relation of a
 * time-travel read or the statement under EXPLAIN, and subqueries inside expressions), and every expression.
 */
final class CatalystTrees {
  private CatalystTrees() {}

  /** Every plan node reachable from {@code root}, root first, each once. */
  static List<LogicalPlan> nodes(LogicalPlan root) {
    List<LogicalPlan> out = new ArrayList<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    collect(root, out, seen);
    return out;
  }

  /** The plans a node holds: children, inner children (CTE definitions) and plan-valued fields. */
  static List<LogicalPlan> heldPlans(LogicalPlan node) {
    List<LogicalPlan> out = new ArrayList<>(JavaConverters.seqAsJavaList(node.children()));
    for (Object inner : JavaConverters.seqAsJavaList(node.innerChildren())) {
      if (inner instanceof LogicalPlan p) {
        out.add(p);
      }
    }
    JavaConverters.asJavaIterator(node.productIterator()).forEachRemaining(field -> addPlans(field, out));
    return out;
  }

  /** Every expression of a node, nested ones included (lambda bodies, function arguments, subquery expressions). */
  static List<Expression> expressions(LogicalPlan node) {
    List<Expression> out = new ArrayList<>();
    for (Expression e : JavaConverters.seqAsJavaList(node.expressions())) {
      collectExpression(e, out);
    }
    return out;
  }

  static List<String> strings(scala.collection.Seq<String> parts) {
    return List.copyOf(JavaConverters.seqAsJavaList(parts));
  }

  private static void collect(LogicalPlan node, List<LogicalPlan> out, Set<Object> seen) {
    if (!seen.add(node)) {
      return;
    }
    out.add(node);
    for (LogicalPlan held : heldPlans(node)) {
      collect(held, out, seen);
    }
    for (Expression e : expressions(node)) {
      if (e instanceof PlanExpression<?> pe && pe.plan() instanceof LogicalPlan sub) {
        collect(sub, out, seen);
      }
    }
  }

  private static void collectExpression(Expression e, List<Expression> out) {
    out.add(e);
    for (Expression child : JavaConverters.seqAsJavaList(e.children())) {
      collectExpression(child, out);
    }
  }

  private static void addPlans(Object field, List<LogicalPlan> out) {
    if (field instanceof LogicalPlan p) {
      out.add(p);
    } else if (field instanceof Option<?> o && o.isDefined()) {
      addPlans(o.get(), out);
    } else if (field instanceof Tuple2<?, ?> t) {
      addPlans(t._2(), out);
    } else if (field instanceof scala.collection.Iterable<?> items && !(field instanceof scala.collection.Map<?, ?>)) {
      JavaConverters.asJavaIterable(items).forEach(item -> {
        if (item instanceof LogicalPlan || item instanceof Tuple2<?, ?> || item instanceof Option<?>) {
          addPlans(item, out);
        }
      });
    }
  }
}
