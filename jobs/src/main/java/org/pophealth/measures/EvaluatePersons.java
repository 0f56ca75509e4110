package org.pophealth.measures;

import ca.uhn.fhir.parser.IParser;
import java.io.Serializable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.runtime.Interval;
import scala.collection.JavaConverters;

/**
 * The per-partition step of {@link EvaluateMeasures}: for each person row (from
 * {@link CollectPersonResources}) parse the resources with HAPI (one parser per partition, one
 * FhirContext per JVM), evaluate every measure of the package (or the one measure a conformance case
 * names) with the thread's {@link CqlMeasureEvaluator}, and emit one gold.measure_result row per
 * measure group, in the contract's column order (its {@code input_hash} is the person row's, when it has one).
 */
public final class EvaluatePersons implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EvaluatePersons.class);
  private final String packageLocation;
  private final LocalDate start;
  private final LocalDate end;
  private final Timestamp evaluatedAt;
  private final Map<String, String> measureByPerson;

  /**
   * @param measureByPerson when non-null, evaluate only this measure for each listed person (and skip
   *     others): conformance cases
   */
  public EvaluatePersons(String packageLocation, LocalDate start, LocalDate end, Timestamp evaluatedAt,
      Map<String, String> measureByPerson) {
    this.packageLocation = packageLocation;
    this.start = start;
    this.end = end;
    this.evaluatedAt = evaluatedAt;
    this.measureByPerson = measureByPerson;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> persons) {
    CqlMeasureEvaluator evaluator = CqlMeasureEvaluator.forThread(packageLocation);
    MeasurePackage pkg = evaluator.measurePackage();
    IParser parser = FhirContexts.r4().newJsonParser();
    Interval period = CqlMeasureEvaluator.period(start, end);
    ZonedDateTime now = evaluatedAt.toInstant().atZone(ZoneOffset.UTC);
    List<Row> out = new ArrayList<>();
    long parseNanos = 0;
    long indexNanos = 0;
    long evalNanos = 0;
    long engineNanos = 0;
    long explainNanos = 0;
    Map<String, Long> byMeasure = new java.util.TreeMap<>();
    long resourceCount = 0;
    int personCount = 0;
    while (persons.hasNext()) {
      Row p = persons.next();
      String personKey = p.getString(p.fieldIndex("person_key"));
      String personId = p.isNullAt(p.fieldIndex("person_id")) ? null : p.getString(p.fieldIndex("person_id"));
      // what the evaluation reads, when the caller fingerprinted it (EvaluateMeasures' reuse of unchanged persons)
      scala.Option<Object> hashField = p.schema().getFieldIndex("input_hash");
      String inputHash = hashField.isDefined() ? p.getString((Integer) hashField.get()) : null;
      List<MeasurePackage.MeasureDefinition> measures;
      if (measureByPerson != null) {
        String m = measureByPerson.get(personKey);
        if (m == null) {
          continue;
        }
        measures = List.of(pkg.measure(m));
      } else {
        measures = pkg.measures();
      }
      List<Row> resources = p.getList(p.fieldIndex("resources"));
      long t0 = System.nanoTime();
      personCount++;
      resourceCount += resources.size();
      PersonInput input = personInput(resources, parser);
      if (input.patient() == null) {
        continue; // evidence without a Patient or member record: no age or sex, no measure applies
      }
      List<Resource> parsed = input.resources();
      Patient patient = input.patient();
      TreeSet<String> refs = input.refs();
      long t1 = System.nanoTime();
      evaluator.person(parsed);
      long t2 = System.nanoTime();
      parseNanos += t1 - t0;
      indexNanos += t2 - t1;
      String patientId = patient.getIdElement().getIdPart();
      String ageBand = ageBand(patient, end);
      String sex = patient.hasGender() ? patient.getGender().toCode() : null;
      String payer = payer(parsed, start, end);
      String org = organization(patient, parsed);
      Map<String, Date> dates = new java.util.HashMap<>();
      for (Resource r : parsed) {
        java.util.Date d = resourceDate(r);
        if (d != null) {
          dates.put(r.fhirType() + "/" + r.getIdElement().getIdPart(), Date.valueOf(d.toInstant().atZone(ZoneOffset.UTC).toLocalDate()));
        }
      }
      String race = ombCategory(patient, US_CORE + "us-core-race");
      String ethnicity = ombCategory(patient, US_CORE + "us-core-ethnicity");
      for (MeasurePackage.MeasureDefinition m : measures) {
        long e0 = System.nanoTime();
        MeasureOutcome o = evaluator.evaluate(m, patientId, period, now);
        long e1 = System.nanoTime();
        scala.collection.Seq<String> found = JavaConverters.asScalaBuffer(evaluator.dataFound(m)).toSeq();
        boolean inIp = !o.groups().isEmpty() && flag(o.groups().get(0), "initial-population");
        scala.collection.Seq<String> unmatched = JavaConverters.asScalaBuffer(
            inIp ? List.<String>of() : unmatchedEncounterCodes(pkg, m, parsed, start, end)).toSeq();
        long e2 = System.nanoTime();
        engineNanos += e1 - e0;
        explainNanos += e2 - e1;
        byMeasure.merge(m.cmsId(), e1 - e0, Long::sum);
        for (MeasureOutcome.GroupOutcome g : o.groups()) {
          MeasurePackage.Group def = m.groups().get(g.index() - 1);
          Map<String, scala.collection.Seq<String>> ev = new LinkedHashMap<>();
          for (Map.Entry<String, List<String>> e : g.evidence().entrySet()) {
            ev.put(e.getKey(), JavaConverters.asScalaBuffer(e.getValue()).toSeq());
          }
          out.add(RowFactory.create(personKey, personId, JavaConverters.asScalaBuffer(new ArrayList<>(refs)).toSeq(),
              m.name(), m.cmsId(), m.url(), m.version(), pkg.name(), Date.valueOf(start), Date.valueOf(end),
              g.index(), g.id(), def.improvementNotation(),
              flag(g, "initial-population"), flag(g, "denominator"), flag(g, "denominator-exclusion"),
              flag(g, "numerator"), flag(g, "numerator-exclusion"), flag(g, "denominator-exception"),
              JavaConverters.mapAsScalaMap(ev), JavaConverters.mapAsScalaMap(g.strata()),
              ageBand, sex, payer, org, race, ethnicity,
              o.errors().isEmpty() ? null : JavaConverters.asScalaBuffer(o.errors()).toSeq(), evaluatedAt,
              g.episodes() == null ? null : JavaConverters.mapAsScalaMap(g.episodes()), observations(g),
              stratumEpisodes(g), evidenceDates(g, dates), found, unmatched, inputHash));
        }
      }
      evalNanos += System.nanoTime() - t2;
    }
    LOG.info("partition: {} persons, {} resources; parse {} ms, index {} ms, evaluate {} ms (engine {} ms, explain {} ms);"
        + " slowest measures: {}", personCount, resourceCount, parseNanos / 1_000_000, indexNanos / 1_000_000,
        evalNanos / 1_000_000, engineNanos / 1_000_000, explainNanos / 1_000_000,
        byMeasure.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
            .map(e -> e.getKey() + " " + e.getValue() / 1_000_000 + " ms").collect(java.util.stream.Collectors.joining(", ")));
    return out.iterator();
  }

  private static scala.collection.Map<String, scala.collection.Seq<Double>> observations(MeasureOutcome.GroupOutcome g) {
    if (g.observations() == null) {
      return null;
    }
    Map<String, scala.collection.Seq<Double>> out = new LinkedHashMap<>();
    g.observations().forEach((k, v) -> out.put(k, JavaConverters.asScalaBuffer(v).toSeq()));
    return JavaConverters.mapAsScalaMap(out);
  }

  private static scala.collection.Map<String, scala.collection.Map<String, Integer>> stratumEpisodes(
      MeasureOutcome.GroupOutcome g) {
    if (g.stratumEpisodes() == null) {
      return null;
    }
    Map<String, scala.collection.Map<String, Integer>> out = new LinkedHashMap<>();
    g.stratumEpisodes().forEach((k, v) -> out.put(k, JavaConverters.mapAsScalaMap(v)));
    return JavaConverters.mapAsScalaMap(out);
  }

  /**
   * Members of a population ({@code initial-population}, ...) in a gold.measure_result row: the person's
   * episodes in it for an episode-based group, else 1 or 0; 0 for a population the table has no column for
   * (measure-observation, ...).
   */
  public static int members(Row r, String population) {
    int e = r.fieldIndex("episode_counts");
    if (!r.isNullAt(e)) {
      Integer n = r.<String, Integer>getJavaMap(e).get(population);
      return n == null ? 0 : n;
    }
    scala.Option<Object> flag = r.schema().getFieldIndex(population.replace('-', '_'));
    return flag.isDefined() && r.getBoolean((Integer) flag.get()) ? 1 : 0;
  }

  /**
   * Members of a population within one stratum of one of the measure's stratifiers, in a gold.measure_result
   * row: for a stratifier that returns episodes ({@code stratum_episodes}), the population's episodes it
   * returns; for a boolean one, the population's members when the person's value is {@code value}, else 0.
   */
  public static int stratumMembers(Row r, String stratifier, String value, String population) {
    int e = r.fieldIndex("stratum_episodes");
    if (!r.isNullAt(e)) {
      scala.collection.Map<String, Integer> counts =
          r.<String, scala.collection.Map<String, Integer>>getJavaMap(e).get(stratifier);
      if (counts != null) {
        scala.Option<Integer> n = counts.get(population);
        return n.isDefined() ? n.get() : 0;
      }
    }
    int s = r.fieldIndex("strata");
    String mine = r.isNullAt(s) ? null : r.<String, String>getJavaMap(s).get(stratifier);
    return value.equals(mine) ? members(r, population) : 0;
  }

  /**
   * The strata of the measure's own stratifiers a gold.measure_result row is in: stratifier id → stratum
   * value (true / false, or {@code episodes} for a stratifier that returns episodes).
   */
  public static Map<String, String> strata(Row r) {
    Map<String, String> out = new java.util.TreeMap<>();
    int s = r.fieldIndex("strata");
    if (!r.isNullAt(s)) {
      r.<String, String>getJavaMap(s).forEach((k, v) -> out.put(k, String.valueOf(v)));
    }
    int e = r.fieldIndex("stratum_episodes");
    if (!r.isNullAt(e)) {
      r.<String, Object>getJavaMap(e).keySet().forEach(k -> out.put(k, EPISODES));
    }
    return out;
  }

  /** The stratum of a stratifier that returns episodes. */
  public static final String EPISODES = "episodes";

  /** Every measure-observation value of a gold.measure_result row (all observed populations), sorted. */
  public static List<Double> observations(Row r) {
    int i = r.fieldIndex("observations");
    List<Double> out = new ArrayList<>();
    if (!r.isNullAt(i)) {
      for (scala.collection.Seq<Double> v : r.<String, scala.collection.Seq<Double>>getJavaMap(i).values()) {
        out.addAll(JavaConverters.seqAsJavaList(v));
      }
    }
    out.sort(null);
    return out;
  }

  /**
   * Codes ({@code system|code}) of the person's encounters in the period that are in none of the value sets
   * the measure retrieves encounters by: a visit the data has but the measure cannot recognise.
   */
  static List<String> unmatchedEncounterCodes(MeasurePackage pkg, MeasurePackage.MeasureDefinition m,
      List<Resource> resources, LocalDate start, LocalDate end) {
    java.util.Set<String> known = new java.util.HashSet<>();
    for (MeasureDataElements.Element e : MeasureDataElements.of(pkg).getOrDefault(m.name(), List.of())) {
      if (e.dataType().equals("Encounter")) {
        known.addAll(pkg.valueSets().getOrDefault(e.valueSetUrl(), java.util.Set.of()));
      }
    }
    if (known.isEmpty()) {
      return List.of();
    }
    TreeSet<String> out = new TreeSet<>();
    for (Resource r : resources) {
      if (!(r instanceof Encounter e) || !e.hasPeriod() || !e.getPeriod().hasStart()) {
        continue;
      }
      LocalDate d = e.getPeriod().getStart().toInstant().atZone(ZoneOffset.UTC).toLocalDate();
      if (d.isBefore(start) || d.isAfter(end)) {
        continue;
      }
      List<String> codes = new ArrayList<>();
      boolean matched = false;
      for (org.hl7.fhir.r4.model.CodeableConcept t : e.getType()) {
        for (org.hl7.fhir.r4.model.Coding c : t.getCoding()) {
          String k = c.getSystem() + "|" + c.getCode();
          matched |= known.contains(k);
          codes.add(k);
        }
      }
      if (!matched) {
        out.addAll(codes);
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * What the engine gets for one person: the resources that parse, with one Patient (the first EHR record,
   * sources in name order, else the payer's member) last; and the {@code source:patient_id} of every source
   * record. The independent check ({@link CrossCheckMeasures}) feeds the other evaluator exactly this.
   */
  public record PersonInput(List<Resource> resources, Patient patient, TreeSet<String> refs) {}

  public static PersonInput personInput(List<Row> resources, IParser parser) {
    List<Resource> parsed = new ArrayList<>(resources.size());
    TreeSet<String> refs = new TreeSet<>();
    Patient patient = null;
    List<Row> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing((Row r) -> r.getString(0)).thenComparing(r -> r.getString(1)));
    for (Row r : sorted) {
      refs.add(r.getString(0) + ":" + r.getString(1));
      Resource res;
      try {
        res = (Resource) parser.parseResource(r.getString(3));
      } catch (RuntimeException e) {
        continue; // bronze accepted it as JSON but HAPI cannot read it: not evidence
      }
      if (res instanceof Patient pt) {
        boolean fromClaims = ClaimsToFhir.isDerived(pt.getIdPart());
        boolean haveEhr = patient != null && !ClaimsToFhir.isDerived(patient.getIdPart());
        if (patient == null || (!haveEhr && !fromClaims)) {
          patient = pt;
        }
        continue;
      }
      parsed.add(res);
    }
    if (patient != null) {
      parsed.add(patient);
    }
    return new PersonInput(parsed, patient, refs);
  }

  private static boolean flag(MeasureOutcome.GroupOutcome g, String code) {
    return Boolean.TRUE.equals(g.populations().get(code));
  }

  static String ageBand(Patient p, LocalDate asOf) {
    if (!p.hasBirthDate()) {
      return null;
    }
    LocalDate birth = p.getBirthDateElement().getValueAsCalendar().toZonedDateTime().toLocalDate();
    int age = Period.between(birth, asOf).getYears();
    if (age < 18) {
      return "0-17";
    }
    if (age < 45) {
      return "18-44";
    }
    if (age < 65) {
      return "45-64";
    }
    return age < 75 ? "65-74" : "75+";
  }

  /** Payer of a coverage active in the period: payor display, else type code; the first by name. */
  static String payer(List<Resource> resources, LocalDate start, LocalDate end) {
    TreeSet<String> payers = new TreeSet<>();
    for (Resource r : resources) {
      if (!(r instanceof Coverage c)) {
        continue;
      }
      if (c.hasPeriod()) {
        if (c.getPeriod().hasEnd() && c.getPeriod().getEnd().toInstant().atZone(ZoneOffset.UTC).toLocalDate().isBefore(start)) {
          continue;
        }
        if (c.getPeriod().hasStart() && c.getPeriod().getStart().toInstant().atZone(ZoneOffset.UTC).toLocalDate().isAfter(end)) {
          continue;
        }
      }
      String name = c.hasPayor() && c.getPayorFirstRep().hasDisplay() ? c.getPayorFirstRep().getDisplay()
          : c.hasType() && c.getType().hasCoding() ? c.getType().getCodingFirstRep().getCode() : null;
      if (name != null) {
        payers.add(name);
      }
    }
    return payers.isEmpty() ? null : payers.first();
  }

  /** The dates of the group's evidence resources that have one (reference → date), null when none. */
  private static scala.collection.Map<String, Date> evidenceDates(MeasureOutcome.GroupOutcome g, Map<String, Date> dates) {
    Map<String, Date> out = new java.util.TreeMap<>();
    for (List<String> refs : g.evidence().values()) {
      for (String ref : refs) {
        Date d = dates.get(ref);
        if (d != null) {
          out.put(ref, d);
        }
      }
    }
    return out.isEmpty() ? null : JavaConverters.mapAsScalaMap(out);
  }

  /**
   * When a resource happened, as a care manager reads evidence: the clinical date of the event (period start,
   * effective, performed, onset, authored, occurrence), else its recorded or issued date; null when it has none.
   */
  static java.util.Date resourceDate(Resource r) {
    if (r instanceof Encounter e) {
      return e.getPeriod().getStart();
    }
    if (r instanceof org.hl7.fhir.r4.model.Observation o) {
      return when(o.getEffective(), o.getIssued());
    }
    if (r instanceof org.hl7.fhir.r4.model.Procedure p) {
      return when(p.getPerformed(), null);
    }
    if (r instanceof org.hl7.fhir.r4.model.Condition c) {
      return when(c.getOnset(), c.getRecordedDate());
    }
    if (r instanceof org.hl7.fhir.r4.model.MedicationRequest m) {
      return m.getAuthoredOn();
    }
    if (r instanceof org.hl7.fhir.r4.model.MedicationDispense m) {
      return m.hasWhenHandedOver() ? m.getWhenHandedOver() : m.getWhenPrepared();
    }
    if (r instanceof org.hl7.fhir.r4.model.MedicationAdministration m) {
      return when(m.getEffective(), null);
    }
    if (r instanceof org.hl7.fhir.r4.model.Immunization i) {
      return when(i.getOccurrence(), i.getRecorded());
    }
    if (r instanceof org.hl7.fhir.r4.model.DiagnosticReport d) {
      return when(d.getEffective(), d.getIssued());
    }
    if (r instanceof org.hl7.fhir.r4.model.ServiceRequest sr) {
      return sr.getAuthoredOn();
    }
    if (r instanceof org.hl7.fhir.r4.model.DeviceRequest dr) {
      return dr.getAuthoredOn();
    }
    if (r instanceof org.hl7.fhir.r4.model.Coverage c) {
      return c.getPeriod().getStart();
    }
    if (r instanceof org.hl7.fhir.r4.model.AllergyIntolerance a) {
      return when(a.getOnset(), a.getRecordedDate());
    }
    if (r instanceof org.hl7.fhir.r4.model.Communication c) {
      return c.getSent();
    }
    if (r instanceof org.hl7.fhir.r4.model.Claim c) {
      return c.getCreated();
    }
    return null;
  }

  /** The date of a choice element (dateTime, instant or Period: its start), else {@code otherwise}. */
  private static java.util.Date when(org.hl7.fhir.r4.model.Type choice, java.util.Date otherwise) {
    if (choice instanceof org.hl7.fhir.r4.model.BaseDateTimeType d && d.getValue() != null) {
      return d.getValue();
    }
    if (choice instanceof org.hl7.fhir.r4.model.Period p && p.getStart() != null) {
      return p.getStart();
    }
    return otherwise;
  }

  private static final String US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/";

  /**
   * The OMB category of a US Core race or ethnicity extension: its display (else code), {@code Multiple}
   * when it names several, null without one. Categories, not detailed codes or free text: they are what
   * strata are reported by, and cells stay few.
   */
  static String ombCategory(Patient p, String url) {
    org.hl7.fhir.r4.model.Extension e = p.getExtensionByUrl(url);
    if (e == null) {
      return null;
    }
    TreeSet<String> categories = new TreeSet<>();
    for (org.hl7.fhir.r4.model.Extension x : e.getExtension()) {
      if ("ombCategory".equals(x.getUrl()) && x.getValue() instanceof org.hl7.fhir.r4.model.Coding c) {
        categories.add(c.hasDisplay() ? c.getDisplay() : c.getCode());
      }
    }
    return categories.isEmpty() ? null : categories.size() == 1 ? categories.first() : "Multiple";
  }

  /** Patient.managingOrganization, else the serviceProvider of the latest encounter. */
  static String organization(Patient p, List<Resource> resources) {
    if (p.hasManagingOrganization() && p.getManagingOrganization().hasReference()) {
      return p.getManagingOrganization().getReferenceElement().getIdPart();
    }
    Encounter latest = null;
    for (Resource r : resources) {
      if (r instanceof Encounter e && e.hasServiceProvider() && e.getServiceProvider().hasReference()
          && e.hasPeriod() && e.getPeriod().hasStart()) {
        if (latest == null || e.getPeriod().getStart().after(latest.getPeriod().getStart())) {
          latest = e;
        }
      }
    }
    return latest == null ? null : latest.getServiceProvider().getReferenceElement().getIdPart();
  }
}
