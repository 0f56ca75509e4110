package org.pophealth.measures;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.cqframework.cql.cql2elm.tracking.Trackable;
import org.hl7.cql.model.DataType;
import org.hl7.cql.model.IntervalType;
import org.hl7.cql.model.ListType;
import org.hl7.elm.r1.IntervalTypeSpecifier;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.ListTypeSpecifier;
import org.hl7.elm.r1.TypeSpecifier;
import org.hl7.elm.r1.Union;

/**
 * Gives {@code Union} expressions of ELM read from JSON the result type the CQL engine looks for.
 *
 * <p>The engine (4.4.0) picks the list or the interval form of {@code Union} from the result types the
 * CQL translator attaches to ELM elements in memory; ELM read from a package's JSON has none. With both
 * operands null at run time (two empty retrieves the translator wrapped in queries, say) it cannot tell
 * the forms apart and fails with "Union(&lt;unknown&gt;; &lt;unknown&gt;)", although the ELM states the
 * types: the element's {@code resultTypeSpecifier} and its operands' {@code signature}. This restores
 * them from there, so a null list operand unions as the empty list, as the CQL specification says.
 */
final class ElmResultTypes {
  private static final String ELM = "org.hl7.elm.r1.";

  private ElmResultTypes() {}

  /** Restores the result type of every {@code Union} of the library that states it; returns how many. */
  static int restore(Library library) {
    int[] restored = {0};
    walk(library, Collections.newSetFromMap(new IdentityHashMap<>()), restored);
    return restored[0];
  }

  private static void walk(Object node, Set<Object> seen, int[] restored) {
    if (node == null || !seen.add(node)) {
      return;
    }
    if (node instanceof Collection<?> c) {
      for (Object x : c) {
        walk(x, seen, restored);
      }
      return;
    }
    if (node instanceof Union u && Trackable.INSTANCE.getResultType(u) == null) {
      DataType t = stated(u.getResultTypeSpecifier(), u.getSignature());
      if (t != null) {
        Trackable.INSTANCE.setResultType(u, t);
        restored[0]++;
      }
    }
    for (Class<?> k = node.getClass(); k != null && k.getName().startsWith(ELM); k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
          continue;
        }
        Object v;
        try {
          f.setAccessible(true);
          v = f.get(node);
        } catch (ReflectiveOperationException | RuntimeException e) {
          continue;
        }
        if (v instanceof Collection<?> || (v != null && v.getClass().getName().startsWith(ELM))) {
          walk(v, seen, restored);
        }
      }
    }
  }

  /** The list or interval type the ELM states for a Union, or null when it states neither. */
  static DataType stated(TypeSpecifier result, List<TypeSpecifier> signature) {
    if (result instanceof ListTypeSpecifier) {
      return new ListType(DataType.Companion.getANY());
    }
    if (result instanceof IntervalTypeSpecifier) {
      return new IntervalType(DataType.Companion.getANY());
    }
    if (signature != null && !signature.isEmpty()) {
      if (signature.stream().allMatch(s -> s instanceof ListTypeSpecifier)) {
        return new ListType(DataType.Companion.getANY());
      }
      if (signature.stream().allMatch(s -> s instanceof IntervalTypeSpecifier)) {
        return new IntervalType(DataType.Companion.getANY());
      }
    }
    return null;
  }
}
