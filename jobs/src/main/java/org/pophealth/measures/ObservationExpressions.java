package org.pophealth.measures;

import java.util.List;
import org.hl7.elm.r1.AccessModifier;
import org.hl7.elm.r1.AliasRef;
import org.hl7.elm.r1.AliasedQuerySource;
import org.hl7.elm.r1.ExpressionDef;
import org.hl7.elm.r1.ExpressionRef;
import org.hl7.elm.r1.FunctionDef;
import org.hl7.elm.r1.FunctionRef;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.Query;
import org.hl7.elm.r1.ReturnClause;
import org.hl7.elm.r1.Tuple;
import org.hl7.elm.r1.TupleElement;

/**
 * Measure observations as ordinary expressions of the measure's library, so the engine evaluates them in
 * the same run as the populations (same cache, same retrieves). For an observation function of one
 * operand (episode-based groups) the added expression is the ELM of
 * {@code from "<observed population>" E return Tuple { episode: E, value: "<function>"(E) }}; for a
 * function without operands (patient-based groups) it is {@code "<function>"()}.
 */
final class ObservationExpressions {
  static final String EPISODE = "episode";
  static final String VALUE = "value";

  private ObservationExpressions() {}

  /** The name of the added expression of one observation of one group. */
  static String name(MeasurePackage.Group g, MeasurePackage.Observation o) {
    return "pophealth observation " + g.index() + " " + o.id();
  }

  /** Adds the observation expressions of a measure's groups to its library; fails on an unknown function. */
  static void add(Library lib, MeasurePackage.MeasureDefinition m) {
    for (MeasurePackage.Group g : m.groups()) {
      for (MeasurePackage.Observation o : g.observations()) {
        FunctionDef f = function(lib, o.function());
        if (f == null) {
          throw new IllegalArgumentException("measure " + m.name() + " group " + g.index() + ": observation " + o.id()
              + " names the function \"" + o.function() + "\", which library " + m.library() + " does not define");
        }
        ExpressionDef def = new ExpressionDef().withName(name(g, o)).withContext("Patient")
            .withAccessLevel(AccessModifier.PUBLIC).withExpression(expression(g, o, f, m));
        lib.getStatements().getDef().add(def);
      }
    }
  }

  private static org.hl7.elm.r1.Expression expression(MeasurePackage.Group g, MeasurePackage.Observation o,
      FunctionDef f, MeasurePackage.MeasureDefinition m) {
    if (f.getOperand().isEmpty()) {
      return new FunctionRef().withName(f.getName());
    }
    if (f.getOperand().size() > 1) {
      throw new IllegalArgumentException("measure " + m.name() + " group " + g.index() + ": observation function \""
          + f.getName() + "\" takes " + f.getOperand().size() + " operands; an observation takes one episode");
    }
    String population = g.populations().get(o.population());
    if (population == null) {
      throw new IllegalArgumentException("measure " + m.name() + " group " + g.index() + ": observation " + o.id()
          + " observes the " + o.population() + ", which the group does not define");
    }
    FunctionRef call = new FunctionRef().withName(f.getName()).withOperand(List.of(new AliasRef().withName("E")));
    if (f.getOperand().get(0).getOperandTypeSpecifier() != null) {
      call = call.withSignature(List.of(f.getOperand().get(0).getOperandTypeSpecifier()));
    }
    Tuple tuple = new Tuple().withElement(List.of(
        new TupleElement().withName(EPISODE).withValue(new AliasRef().withName("E")),
        new TupleElement().withName(VALUE).withValue(call)));
    return new Query()
        .withSource(List.of(new AliasedQuerySource().withAlias("E").withExpression(new ExpressionRef().withName(population))))
        .withReturn(new ReturnClause().withDistinct(false).withExpression(tuple));
  }

  private static FunctionDef function(Library lib, String name) {
    for (ExpressionDef d : lib.getStatements().getDef()) {
      if (d instanceof FunctionDef f && f.getName().equals(name)) {
        return f;
      }
    }
    return null;
  }
}
