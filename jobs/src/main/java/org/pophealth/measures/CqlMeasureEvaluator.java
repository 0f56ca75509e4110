package org.pophealth.measures;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import kotlin.Pair;
import org.cqframework.cql.cql2elm.CqlCompilerOptions;
import org.cqframework.cql.cql2elm.LibraryManager;
import org.cqframework.cql.cql2elm.ModelManager;
import org.cqframework.cql.cql2elm.model.CompiledLibrary;
import org.cqframework.cql.cql2elm.ucum.UcumService;
import org.cqframework.cql.cql2elm.ucum.UcumServiceJvmKt;
import org.cqframework.cql.elm.serializing.ElmJsonLibraryReader;
import org.hl7.elm.r1.ExpressionDef;
import org.hl7.elm.r1.Library;
import org.hl7.elm.r1.VersionedIdentifier;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.data.CompositeDataProvider;
import org.opencds.cqf.cql.engine.data.DataProvider;
import org.opencds.cqf.cql.engine.execution.CqlEngine;
import org.opencds.cqf.cql.engine.execution.Environment;
import org.opencds.cqf.cql.engine.execution.EvaluationExpressionRef;
import org.opencds.cqf.cql.engine.execution.EvaluationParams;
import org.opencds.cqf.cql.engine.execution.EvaluationResult;
import org.opencds.cqf.cql.engine.execution.EvaluationResults;
import org.opencds.cqf.cql.engine.execution.ExpressionResult;
import org.opencds.cqf.cql.engine.fhir.model.R4FhirModelResolver;
import org.opencds.cqf.cql.engine.model.CachingModelResolverDecorator;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.runtime.DateTime;
import org.opencds.cqf.cql.engine.runtime.Interval;
import org.opencds.cqf.cql.engine.runtime.Precision;

/**
 * Runs the compiled ELM of a measure package for one person with the CQL engine
 * ({@code org.cqframework:engine} 4.4.0). One instance per thread ({@link #forThread}): it holds the
 * library manager (pre-filled with the package's ELM, so nothing is translated at run time), the
 * engine and a retrieve provider switched from person to person. Expression results are cached per
 * person across that person's measures (shared libraries such as Hospice are evaluated once).
 */
public final class CqlMeasureEvaluator {
  private static final Map<String, ThreadLocal<CqlMeasureEvaluator>> PER_THREAD = new java.util.concurrent.ConcurrentHashMap<>();
  private static final String MEASUREMENT_PERIOD = "Measurement Period";

  private final MeasurePackage pkg;
  private final PersonRetrieveProvider retrieve;
  private final CqlEngine engine;
  private final Map<String, VersionedIdentifier> ids = new HashMap<>();

  public CqlMeasureEvaluator(MeasurePackage pkg) {
    this.pkg = pkg;
    PackageTerminology terminology = new PackageTerminology(pkg.valueSets());
    ModelResolver model = new CachingModelResolverDecorator(new FastPathR4ModelResolver());
    this.retrieve = new PersonRetrieveProvider(terminology, model, pkg.profiles());
    LibraryManager libraries = new LibraryManager(new ModelManager(), CqlCompilerOptions.defaultOptions(),
        new HashMap<>(), kotlin.LazyKt.lazyOf(new CalendarUnitUcum(UcumServiceJvmKt.getDefaultLazyUcumService().getValue())));
    ElmJsonLibraryReader reader = new ElmJsonLibraryReader();
    for (Map.Entry<String, String> e : pkg.elmByLibrary().entrySet()) {
      Library lib = reader.read(e.getValue());
      for (MeasurePackage.MeasureDefinition m : pkg.measures()) {
        if (m.library().equals(e.getKey())) {
          ObservationExpressions.add(lib, m);
        }
      }
      lib.getStatements().getDef().sort(Comparator.comparing(ExpressionDef::getName));
      ElmResultTypes.restore(lib);
      CompiledLibrary compiled = new CompiledLibrary();
      compiled.setIdentifier(lib.getIdentifier());
      compiled.setLibrary(lib);
      libraries.getCompiledLibraries().put(lib.getIdentifier(), compiled);
      ids.put(e.getKey(), lib.getIdentifier());
    }
    Map<String, DataProvider> providers = new HashMap<>();
    providers.put("http://hl7.org/fhir", new CompositeDataProvider(model, retrieve));
    this.engine = new CqlEngine(new Environment(libraries, providers, terminology),
        EnumSet.of(CqlEngine.Options.EnableExpressionCaching));
  }

  /** The evaluator of the calling thread for a package (value sets and ELM loaded once per JVM). */
  public static CqlMeasureEvaluator forThread(String packageLocation) {
    return PER_THREAD.computeIfAbsent(packageLocation,
        l -> ThreadLocal.withInitial(() -> new CqlMeasureEvaluator(LoadMeasurePackage.cached(l)))).get();
  }

  public MeasurePackage measurePackage() {
    return pkg;
  }

  /** The Measurement Period as the engine wants it: whole UTC days, millisecond precision. */
  public static Interval period(java.time.LocalDate start, java.time.LocalDate end) {
    DateTime low = new DateTime(OffsetDateTime.of(start.atStartOfDay(), ZoneOffset.UTC), Precision.MILLISECOND);
    DateTime high = new DateTime(OffsetDateTime.of(end.atTime(23, 59, 59, 999_000_000), ZoneOffset.UTC), Precision.MILLISECOND);
    return new Interval(low, true, high, true);
  }

  /** Starts a person: its resources become the retrieve source; cached expression results are dropped. */
  public void person(Collection<Resource> resources) {
    retrieve.person(resources);
    engine.getCache().getExpressions().clear();
  }

  /** Labels of the measure's data elements ({@link MeasureDataElements}) the current person has data for. */
  public List<String> dataFound(MeasurePackage.MeasureDefinition m) {
    List<String> out = new ArrayList<>();
    for (MeasureDataElements.Element e : MeasureDataElements.of(pkg).getOrDefault(m.name(), List.of())) {
      if (retrieve.has(e.dataType(), e.codePath(), e.valueSetUrl())) {
        out.add(e.label());
      }
    }
    return out;
  }

  /**
   * Evaluates one measure for the current person.
   *
   * @return per group, the population memberships (cascaded as in MeasureReports), evidence and strata
   */
  public MeasureOutcome evaluate(MeasurePackage.MeasureDefinition m, String patientId, Interval period,
      ZonedDateTime evaluationTime) {
    Set<String> expressions = new LinkedHashSet<>();
    for (MeasurePackage.Group g : m.groups()) {
      expressions.addAll(g.populations().values());
      expressions.addAll(g.stratifiers().values());
      for (MeasurePackage.Observation o : g.observations()) {
        expressions.add(ObservationExpressions.name(g, o));
      }
    }
    Map<String, Object> values = new HashMap<>();
    Map<String, Set<String>> evidence = new HashMap<>();
    List<String> errors = new ArrayList<>();
    try {
      collect(run(m, patientId, period, evaluationTime, expressions), values, evidence);
    } catch (RuntimeException e) {
      // one runtime error aborts the whole library: evaluate the expressions one by one and report
      for (String x : expressions) {
        try {
          collect(run(m, patientId, period, evaluationTime, Set.of(x)), values, evidence);
        } catch (RuntimeException ex) {
          errors.add(x + ": " + org.pophealth.io.Messages.firstLine(ex));
        }
      }
    }
    List<MeasureOutcome.GroupOutcome> groups = new ArrayList<>();
    for (MeasurePackage.Group g : m.groups()) {
      // one cascade for both bases: a patient-based group has the person as its one episode
      boolean episodeBased = g.populations().values().stream().anyMatch(x -> values.get(x) instanceof Iterable<?>);
      Map<String, Set<String>> raw = new LinkedHashMap<>();
      for (Map.Entry<String, String> p : g.populations().entrySet()) {
        Object v = values.get(p.getValue());
        raw.put(p.getKey(), episodeBased ? episodes(v) : truthy(v) ? Set.of(PATIENT) : Set.of());
      }
      // populations without a flag column (measure-population, ...) are counted here for patient-based groups too
      boolean counted = episodeBased || g.populations().containsKey("measure-population");
      Map<String, Integer> episodeCounts = counted ? new LinkedHashMap<>() : null;
      Map<String, Boolean> member = new LinkedHashMap<>();
      Map<String, Set<String>> cascaded = cascadeEpisodes(raw, g.scoring());
      for (Map.Entry<String, Set<String>> e : cascaded.entrySet()) {
        member.put(e.getKey(), !e.getValue().isEmpty());
        if (counted) {
          episodeCounts.put(e.getKey(), e.getValue().size());
        }
      }
      Map<String, List<String>> ev = new LinkedHashMap<>();
      for (Map.Entry<String, String> p : g.populations().entrySet()) {
        if (Boolean.TRUE.equals(member.get(p.getKey()))) {
          // sorted: the engine lists them in the order the person's resources arrived, which depends on partitioning
          ev.put(p.getKey(), evidence.getOrDefault(p.getValue(), Set.of()).stream().sorted().toList());
        }
      }
      Map<String, String> strata = new LinkedHashMap<>();
      Map<String, Map<String, Integer>> stratumEpisodes = null;
      for (Map.Entry<String, String> s : g.stratifiers().entrySet()) {
        Object v = values.get(s.getValue());
        if (episodeBased && v instanceof Iterable<?>) {
          // an episode stratifier: the stratum holds the episodes it returns, population by population
          Set<String> in = episodes(v);
          Map<String, Integer> counts = new LinkedHashMap<>();
          for (Map.Entry<String, Set<String>> e : cascaded.entrySet()) {
            counts.put(e.getKey(), intersect(e.getValue(), in).size());
          }
          if (stratumEpisodes == null) {
            stratumEpisodes = new LinkedHashMap<>();
          }
          stratumEpisodes.put(s.getKey(), counts);
        } else {
          strata.put(s.getKey(), String.valueOf(render(booleans(v))));
        }
      }
      Map<String, List<Double>> observations = null;
      for (MeasurePackage.Observation o : g.observations()) {
        if (observations == null) {
          observations = new LinkedHashMap<>();
        }
        observations.put(o.population(), observe(values.get(ObservationExpressions.name(g, o)),
            observed(cascaded, o.population())));
      }
      groups.add(new MeasureOutcome.GroupOutcome(g.index(), g.id(), member, ev, strata, episodeCounts, observations,
          stratumEpisodes));
    }
    return new MeasureOutcome(m.name(), List.copyOf(groups), List.copyOf(errors));
  }

  private EvaluationResult run(MeasurePackage.MeasureDefinition m, String patientId, Interval period,
      ZonedDateTime evaluationTime, Set<String> expressions) {
    VersionedIdentifier id = ids.get(m.library());
    EvaluationParams.Builder b = new EvaluationParams.Builder();
    List<EvaluationExpressionRef> refs = new ArrayList<>();
    for (String x : expressions) {
      refs.add(new EvaluationExpressionRef(x));
    }
    b.library(id, new EvaluationParams.LibraryParams(refs));
    b.setContextParameter(new Pair<>("Patient", patientId));
    b.setParameters(Map.of(MEASUREMENT_PERIOD, period));
    b.setEvaluationDateTime(evaluationTime);
    EvaluationResults results = engine.evaluate(b.build());
    if (results.containsExceptionsFor(id)) {
      throw results.getExceptionFor(id);
    }
    EvaluationResult r = results.getResultFor(id);
    if (r == null) {
      // no result and no exception under our identifier: report the engine's own exception
      throw results.hasExceptions() ? results.getExceptions().values().iterator().next()
          : new IllegalStateException("the engine returned no result for library " + id.getId());
    }
    return r;
  }

  private static void collect(EvaluationResult r, Map<String, Object> values, Map<String, Set<String>> evidence) {
    for (Map.Entry<String, ExpressionResult> e : r.getExpressionResults().entrySet()) {
      values.put(e.getKey(), e.getValue() == null ? null : e.getValue().getValue());
      Set<String> refs = new LinkedHashSet<>();
      if (e.getValue() != null && e.getValue().getEvaluatedResources() != null) {
        for (Object o : e.getValue().getEvaluatedResources()) {
          if (o instanceof Resource res && !"Patient".equals(res.fhirType())) {
            refs.add(res.fhirType() + "/" + res.getIdElement().getIdPart());
          }
        }
      }
      evidence.put(e.getKey(), refs);
    }
  }

  /** The one episode of a patient-based group: the person. */
  static final String PATIENT = "patient";

  /**
   * The eCQM cascade episode by episode; a patient-based group is the same rule with the person as its one
   * episode. Proportion and cohort: an episode is in the denominator when it is in the initial population
   * and the denominator criteria, excluded only from the denominator, in the numerator only when in the
   * denominator and not excluded, an exception only when in the denominator, neither excluded nor in the
   * numerator. Ratio: denominator and numerator are each drawn from the initial population, each with its
   * own exclusions. Continuous variable: the measure population is drawn from the initial population, its
   * exclusions from it. A population the group does not define is not in the result; a denominator it
   * does not define is the initial population.
   */
  static Map<String, Set<String>> cascadeEpisodes(Map<String, Set<String>> raw, String scoring) {
    Set<String> ip = raw.getOrDefault("initial-population", Set.of());
    Set<String> denom = raw.containsKey("denominator") ? intersect(ip, raw.get("denominator")) : ip;
    Set<String> excl = intersect(denom, raw.getOrDefault("denominator-exclusion", Set.of()));
    Set<String> open = minus(denom, excl);
    boolean ratio = "ratio".equals(scoring);
    Set<String> numer = intersect(ratio ? ip : open, raw.getOrDefault("numerator", Set.of()));
    Set<String> numerExcl = intersect(numer, raw.getOrDefault("numerator-exclusion", Set.of()));
    Set<String> except = intersect(minus(open, numer), raw.getOrDefault("denominator-exception", Set.of()));
    Set<String> measurePop = intersect(ip, raw.getOrDefault("measure-population", Set.of()));
    Set<String> measurePopExcl = intersect(measurePop, raw.getOrDefault("measure-population-exclusion", Set.of()));
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (String code : raw.keySet()) {
      out.put(code, switch (code) {
        case "initial-population" -> ip;
        case "denominator" -> denom;
        case "denominator-exclusion" -> excl;
        case "numerator" -> numer;
        case "numerator-exclusion" -> numerExcl;
        case "denominator-exception" -> ratio ? Set.of() : except;
        case "measure-population" -> measurePop;
        case "measure-population-exclusion" -> measurePopExcl;
        default -> raw.get(code);
      });
    }
    return out;
  }

  /** The episodes an observation of a population applies to: the population less its exclusions. */
  static Set<String> observed(Map<String, Set<String>> cascaded, String population) {
    Set<String> members = cascaded.getOrDefault(population, Set.of());
    return switch (population) {
      case "measure-population" -> minus(members, cascaded.getOrDefault("measure-population-exclusion", Set.of()));
      case "denominator" -> minus(members, cascaded.getOrDefault("denominator-exclusion", Set.of()));
      case "numerator" -> minus(members, cascaded.getOrDefault("numerator-exclusion", Set.of()));
      default -> members;
    };
  }

  /**
   * The observation values of the observed episodes, ordered by episode: the added observation expression
   * returned (episode, value) tuples, or one value for a patient-based group. Null values (the function
   * found nothing to observe) are left out, as the clinical-reasoning evaluator leaves them out.
   */
  private static List<Double> observe(Object result, Set<String> episodes) {
    List<Double> out = new ArrayList<>();
    if (result instanceof Iterable<?> it) {
      Map<String, Double> byEpisode = new java.util.TreeMap<>();
      for (Object o : it) {
        if (o instanceof org.opencds.cqf.cql.engine.runtime.Tuple t) {
          Object e = t.getElements().get(ObservationExpressions.EPISODE);
          String key = e instanceof Resource r ? r.fhirType() + "/" + r.getIdElement().getIdPart() : String.valueOf(e);
          Double v = number(t.getElements().get(ObservationExpressions.VALUE));
          if (episodes.contains(key) && v != null) {
            byEpisode.put(key, v);
          }
        }
      }
      out.addAll(byEpisode.values());
    } else if (episodes.contains(PATIENT)) {
      Double v = number(result);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  /** An observation value as a number: Integer, Long, Decimal, or a Quantity's value. */
  static Double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof org.opencds.cqf.cql.engine.runtime.Quantity q && q.getValue() != null) {
      return q.getValue().doubleValue();
    }
    return null;
  }

  private static Set<String> intersect(Set<String> a, Set<String> b) {
    Set<String> out = new LinkedHashSet<>(a);
    out.retainAll(b);
    return out;
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> out = new LinkedHashSet<>(a);
    out.removeAll(b);
    return out;
  }

  /** The episodes a population expression returned: resources by type and id, other values as text. */
  private static Set<String> episodes(Object v) {
    Set<String> out = new LinkedHashSet<>();
    if (v instanceof Iterable<?> it) {
      for (Object o : it) {
        if (o instanceof Resource r) {
          out.add(r.fhirType() + "/" + r.getIdElement().getIdPart());
        } else if (o != null) {
          out.add(String.valueOf(o));
        }
      }
    }
    return out;
  }

  /**
   * A patient-based stratifier that returns a list of booleans (one per index event, CMS159's "age at the
   * index assessment") stratifies by whether any is true; any other value is itself.
   */
  static Object booleans(Object v) {
    if (v instanceof Iterable<?> it) {
      boolean any = false;
      boolean all = true;
      for (Object o : it) {
        all &= o instanceof Boolean;
        any |= Boolean.TRUE.equals(o);
      }
      if (all) {
        return any;
      }
    }
    return v;
  }

  private static boolean truthy(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Iterable<?> it) {
      return it.iterator().hasNext();
    }
    return v != null;
  }

  private static Object render(Object v) {
    if (v instanceof org.opencds.cqf.cql.engine.runtime.Code c) {
      return c.getCode();
    }
    if (v instanceof org.hl7.fhir.r4.model.Coding c) {
      return c.getCode();
    }
    return v;
  }

  /**
   * Whether an evaluation error says the person's data breaks the measure's expectations rather than
   * that the engine failed: a FHIRHelpers {@code Message} of severity Error (its code starts with
   * {@code FHIRHelpers.}, e.g. a Quantity whose unit system is not UCUM), or a FHIRHelpers conversion
   * that has no overload for the element's actual type (a profile's Quantity holding a boolean). The
   * expressions that raise them are not evaluable for that person, so the person is in none of their
   * populations; the official test cases expect exactly that. Any other error is an engine failure.
   */
  public static boolean isDataError(String error) {
    int colon = error.indexOf(": ");
    String message = colon < 0 ? error : error.substring(colon + 2);
    return message.startsWith("FHIRHelpers.")
        || (message.startsWith("Could not resolve call to operator 'To") && message.contains("(org.hl7.fhir.r4.model.")
            && message.endsWith("in library 'FHIRHelpers'."));
  }

  /**
   * The R4 model resolver without a regex per property access: the engine's {@code resolvePath} splits
   * every path with a new Regex; for paths without indexers this walks the same segments through the
   * same {@code resolveProperty}.
   */
  static final class FastPathR4ModelResolver extends R4FhirModelResolver {
    FastPathR4ModelResolver() {
      super(FhirContexts.r4());
    }

    @Override
    public Object resolvePath(Object target, String path) {
      if (path == null || path.indexOf('[') >= 0) {
        return super.resolvePath(target, path);
      }
      int dot = path.indexOf('.');
      if (dot < 0) {
        return resolveProperty(target, path);
      }
      Object t = target;
      int from = 0;
      while (true) {
        int next = path.indexOf('.', from);
        String seg = next < 0 ? path.substring(from) : path.substring(from, next);
        if (!seg.isEmpty()) {
          t = resolveProperty(t, seg);
        }
        if (next < 0) {
          return t;
        }
        from = next + 1;
      }
    }
  }

  /** UCUM with calendar words (day, weeks, ...) mapped to UCUM codes, as medication-duration logic needs. */
  static final class CalendarUnitUcum implements UcumService {
    private static final Map<String, String> WORDS = Map.ofEntries(
        Map.entry("year", "a"), Map.entry("years", "a"), Map.entry("month", "mo"), Map.entry("months", "mo"),
        Map.entry("week", "wk"), Map.entry("weeks", "wk"), Map.entry("day", "d"), Map.entry("days", "d"),
        Map.entry("hour", "h"), Map.entry("hours", "h"), Map.entry("minute", "min"), Map.entry("minutes", "min"),
        Map.entry("second", "s"), Map.entry("seconds", "s"), Map.entry("millisecond", "ms"),
        Map.entry("milliseconds", "ms"));
    private final UcumService delegate;

    CalendarUnitUcum(UcumService delegate) {
      this.delegate = delegate;
    }

    private static String unit(String u) {
      return u == null ? null : WORDS.getOrDefault(u, u);
    }

    @Override
    public BigDecimal convert(BigDecimal value, String from, String to) {
      return delegate.convert(value, unit(from), unit(to));
    }

    @Override
    public String validate(String unit) {
      return delegate.validate(unit(unit));
    }

    @Override
    public Pair<BigDecimal, String> multiply(Pair<? extends BigDecimal, String> a, Pair<? extends BigDecimal, String> b) {
      return delegate.multiply(new Pair<>(a.getFirst(), unit(a.getSecond())), new Pair<>(b.getFirst(), unit(b.getSecond())));
    }

    @Override
    public Pair<BigDecimal, String> divideBy(Pair<? extends BigDecimal, String> a, Pair<? extends BigDecimal, String> b) {
      return delegate.divideBy(new Pair<>(a.getFirst(), unit(a.getSecond())), new Pair<>(b.getFirst(), unit(b.getSecond())));
    }
  }
}
