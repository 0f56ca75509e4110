package org.pophealth.measures;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * HAPI's instance validator over the DEQM definitions in src/test/resources/deqm (unchanged HL7 artifacts, see
 * PROVENANCE.md), and the one policy the DEQM tests share: every error fails, except the ones that only say a
 * profile outside this machine's reach (QI-Core, CRMI, the FHIR extensions pack ...) cannot be resolved, and
 * the one code (CAREGAP) newer than HAPI's R4 terminology, which are printed as warnings. A loaded DEQM definition reported as unresolvable fails too, so a typo in a
 * canonical cannot silently turn a profile check into a warning.
 */
public final class DeqmValidator {
  private static final Pattern UNRESOLVED = Pattern.compile(
      "(?:profile \\[CanonicalType\\[|Unable to resolve profile CanonicalType\\[|Unable to resolve the profile reference ')"
          + "([^\\]']+)");

  /**
   * A code the DEQM gaps DetectedIssue profile fixes (pattern) that HAPI's R4 core terminology cannot know: its
   * v3-ActCode is the one published with FHIR 4.0.1 (2019), and CAREGAP came to ActCode later (THO). The
   * profile checks the code itself; only the validator's "Unknown code" for exactly this code is reported
   * as a warning.
   */
  private static final String NEWER_THAN_R4_CORE = "Unknown code 'http://terminology.hl7.org/CodeSystem/v3-ActCode#CAREGAP'";

  /** The gaps-in-care definitions, beside {@link DeqmValidationTest#FILES} (the MeasureReport ones). */
  static final List<String> GAPS_FILES = List.of("StructureDefinition-gaps-bundle-deqm.xml",
      "StructureDefinition-gaps-composition-deqm.xml", "StructureDefinition-gaps-detectedissue-deqm.xml",
      "StructureDefinition-extension-gapStatus.json", "ValueSet-gaps-status.json");
  static final Set<String> GAPS_LOADED = Set.of(ExportCareGapBundles.BUNDLE_PROFILE,
      ExportCareGapBundles.COMPOSITION_PROFILE, ExportCareGapBundles.DETECTED_ISSUE_PROFILE,
      ExportCareGapBundles.GAP_STATUS_EXTENSION);

  private final FhirValidator validator;
  private final Set<String> loaded;

  /**
   * @param files names under /deqm/ (StructureDefinitions, ValueSets, CodeSystems; XML or JSON)
   * @param loaded the canonicals of the definitions among them whose findings must always count
   */
  DeqmValidator(List<String> files, Set<String> loaded) {
    FhirContext ctx = FhirContexts.r4();
    PrePopulatedValidationSupport deqm = new PrePopulatedValidationSupport(ctx);
    for (String f : files) {
      try (InputStream in = DeqmValidator.class.getResourceAsStream("/deqm/" + f)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        var parser = f.endsWith(".xml") ? ctx.newXmlParser() : ctx.newJsonParser();
        IBaseResource r = parser.parseResource(text);
        if (r instanceof StructureDefinition sd) {
          deqm.addStructureDefinition(sd);
        } else if (r instanceof ValueSet vs) {
          deqm.addValueSet(vs);
        } else if (r instanceof CodeSystem cs) {
          deqm.addCodeSystem(cs);
        } else {
          throw new IllegalArgumentException(f + ": not a definition the validator takes");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    // differential-only profiles: the snapshot generator derives them from the R4 base definitions
    ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(ctx), deqm,
        new SnapshotGeneratingValidationSupport(ctx), new InMemoryTerminologyServerValidationSupport(ctx),
        new CommonCodeSystemsTerminologyService(ctx));
    FhirInstanceValidator instance = new FhirInstanceValidator(chain);
    // extensions DEQM names but we do not have are reported, not refused; the ones we write are all known
    instance.setAnyExtensionsAllowed(true);
    validator = ctx.newValidator().setValidateAgainstStandardSchema(false).setValidateAgainstStandardSchematron(false);
    validator.registerValidatorModule(instance);
    this.loaded = Set.copyOf(loaded);
  }

  /** A validator for everything the product exports: the MeasureReport and the gaps-in-care definitions. */
  public static DeqmValidator forExports() {
    List<String> files = new java.util.ArrayList<>(DeqmValidationTest.FILES);
    files.addAll(GAPS_FILES);
    Set<String> loaded = new java.util.HashSet<>(DeqmValidationTest.DEQM_LOADED);
    loaded.addAll(GAPS_LOADED);
    return new DeqmValidator(files, loaded);
  }

  ValidationResult validate(IBaseResource r) {
    return validator.validateWithResult(r);
  }

  /** Fails with every message (severity, location, text) when the validator finds an error or worse. */
  public void assertConforms(String name, IBaseResource r) {
    ValidationResult result = validate(r);
    String all = describe(result);
    System.out.println("== " + name + "\n" + all);
    List<SingleValidationMessage> errors = errors(result).stream().filter(m -> !noRate(r, m)).toList();
    if (!errors.isEmpty()) {
      fail(name + ": " + errors.size() + " error(s) against its DEQM profile\n" + all);
    }
    assertTrue(result.getMessages().stream().noneMatch(m -> unresolved(m) != null && loaded.contains(unresolved(m))),
        name + ": a DEQM definition this test loads was not used\n" + all);
  }

  private static final Pattern GROUP = Pattern.compile("^MeasureReport\\.group\\[(\\d+)\\]$");

  /**
   * DEQM's deqm-6 wants a proportion group's score between 0 and 1 even when its performance denominator is empty,
   * where the rate is undefined; the export writes no score rather than invent one. Only that case is let through.
   */
  private static boolean noRate(IBaseResource r, SingleValidationMessage m) {
    Matcher g = GROUP.matcher(String.valueOf(m.getLocationString()));
    if (!m.getMessage().contains("deqm-6") || !(r instanceof org.hl7.fhir.r4.model.MeasureReport mr) || !g.matches()) {
      return false;
    }
    var group = mr.getGroup().get(Integer.parseInt(g.group(1)));
    java.util.Map<String, Integer> n = new java.util.HashMap<>();
    group.getPopulation().forEach(p -> n.put(p.getCode().getCodingFirstRep().getCode(), p.getCount()));
    return !group.hasMeasureScore() && n.getOrDefault("denominator", 0) - n.getOrDefault("denominator-exclusion", 0)
        - n.getOrDefault("denominator-exception", 0) == 0;
  }

  List<SingleValidationMessage> errors(IBaseResource r) {
    return errors(validate(r));
  }

  /** The canonical of a profile the validator could not find, when the message is about one; else null. */
  private static String unresolved(SingleValidationMessage m) {
    Matcher x = UNRESOLVED.matcher(m.getMessage());
    return x.find() && (m.getMessage().contains("could not be resolved") || m.getMessage().contains("Unable to resolve"))
        ? x.group(1) : null;
  }

  /**
   * Error-or-worse messages, less those caused only by a profile outside this test's reach: the validator
   * cannot resolve it, and then also finds no allowed target type at that element. Those are reported as
   * warnings by describe().
   */
  List<SingleValidationMessage> errors(ValidationResult result) {
    Set<String> unresolvedAt = unresolvedLocations(result);
    return result.getMessages().stream().filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
        .filter(m -> !external(m, unresolvedAt)).toList();
  }

  private Set<String> unresolvedLocations(ValidationResult result) {
    return result.getMessages().stream().filter(m -> unresolved(m) != null && !loaded.contains(unresolved(m)))
        .map(SingleValidationMessage::getLocationString).collect(Collectors.toSet());
  }

  private boolean external(SingleValidationMessage m, Set<String> unresolvedAt) {
    if (m.getMessage().startsWith(NEWER_THAN_R4_CORE)) {
      return true;
    }
    String u = unresolved(m);
    if (u != null) {
      return !loaded.contains(u);
    }
    return m.getMessage().contains("but expected one of ([])") && unresolvedAt.contains(m.getLocationString());
  }

  String describe(ValidationResult result) {
    Set<String> unresolvedAt = unresolvedLocations(result);
    return result.getMessages().stream()
        .map(m -> (m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal() && external(m, unresolvedAt)
            ? "WARNING (" + (m.getMessage().startsWith(NEWER_THAN_R4_CORE) ? "code newer than HAPI's R4 v3-ActCode"
                : "unresolvable external profile") + "; validator said " + m.getSeverity() + ")"
            : m.getSeverity().toString())
            + " " + m.getLocationString() + ": " + m.getMessage())
        .collect(Collectors.joining("\n"));
  }
}
