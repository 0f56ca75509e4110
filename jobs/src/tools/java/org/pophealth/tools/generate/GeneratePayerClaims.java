package org.pophealth.tools.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.ingest.claims.ClaimRecord;
import org.pophealth.ingest.claims.ClaimTable;
import org.pophealth.ingest.claims.ConvertEobToClaims;
import org.pophealth.reference.ReferenceData;
import org.pophealth.reference.ReferenceRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job step of the demo: derives a payer's claims delivery (Tuva-layout {@code medical_claim.csv},
 * {@code pharmacy_claim.csv}, {@code eligibility.csv}) from a Synthea population's
 * ExplanationOfBenefit, Condition and Patient NDJSON, keyed by the payer's own member ids, with seeded
 * noise in member demographics (typos, nicknames, moved addresses, swapped day/month of birth,
 * missing SSNs), plus {@code member_truth.csv} (member_id → Synthea patient id) for identity tests.
 * Codes: SNOMED/LOINC/CVX → ICD-10-CM/CPT through {@code measures/claims/demo_code_crosswalk.csv}
 * (unmapped diagnoses are left out, unmapped services keep no HCPCS); RxNorm becomes a synthetic,
 * format-valid NDC (99 + RxNorm code zero-padded), which names no real product.
 */
public final class GeneratePayerClaims {
  private static final Logger LOG = LoggerFactory.getLogger(GeneratePayerClaims.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> NICKNAMES = Map.ofEntries(Map.entry("Robert", "Bob"),
      Map.entry("William", "Bill"), Map.entry("Elizabeth", "Liz"), Map.entry("Margaret", "Peggy"),
      Map.entry("James", "Jim"), Map.entry("John", "Jack"), Map.entry("Richard", "Rick"), Map.entry("Michael", "Mike"),
      Map.entry("Katherine", "Kate"), Map.entry("Jennifer", "Jen"), Map.entry("Thomas", "Tom"),
      Map.entry("Charles", "Charlie"), Map.entry("Joseph", "Joe"), Map.entry("Christopher", "Chris"),
      Map.entry("Daniel", "Dan"), Map.entry("Matthew", "Matt"), Map.entry("Anthony", "Tony"),
      Map.entry("Patricia", "Pat"), Map.entry("Susan", "Sue"), Map.entry("Deborah", "Debbie"),
      Map.entry("Barbara", "Barb"), Map.entry("Steven", "Steve"), Map.entry("Edward", "Ed"),
      Map.entry("Jessica", "Jess"), Map.entry("Samantha", "Sam"), Map.entry("Alexander", "Alex"),
      Map.entry("Benjamin", "Ben"), Map.entry("Nicholas", "Nick"), Map.entry("Timothy", "Tim"),
      Map.entry("Rebecca", "Becky"), Map.entry("Kimberly", "Kim"), Map.entry("Jonathan", "Jon"));
  static final List<String> MEDICAL = List.of("claim_id", "claim_line_number", "claim_type", "member_id", "payer",
      "plan", "claim_start_date", "claim_end_date", "claim_line_start_date", "claim_line_end_date",
      "place_of_service_code", "hcpcs_code", "rendering_npi", "billing_npi", "paid_date", "paid_amount",
      "allowed_amount", "charge_amount", "coinsurance_amount", "deductible_amount", "diagnosis_code_type",
      "diagnosis_code_1", "diagnosis_code_2", "diagnosis_code_3", "diagnosis_code_4", "diagnosis_code_5",
      "data_source");
  static final List<String> PHARMACY = List.of("claim_id", "claim_line_number", "member_id", "payer", "plan",
      "prescribing_provider_npi", "dispensing_provider_npi", "dispensing_date", "ndc_code", "quantity",
      "days_supply", "paid_date", "paid_amount", "allowed_amount", "charge_amount", "data_source");
  static final List<String> ELIGIBILITY = List.of("member_id", "subscriber_id", "gender", "race", "birth_date",
      "death_date", "enrollment_start_date", "enrollment_end_date", "payer", "payer_type", "plan", "first_name",
      "last_name", "social_security_number", "address", "city", "state", "zip_code", "phone", "data_source");

  private static final String PLAN = "Synthea Commercial";

  private final Path ehrExport;
  private final Path outDir;
  private final PopHealthConfig.DemoPayer settings;

  public GeneratePayerClaims(Path ehrExport, Path outDir, PopHealthConfig.DemoPayer settings) {
    this.ehrExport = ehrExport;
    this.outDir = outDir;
    this.settings = settings;
  }

  public record Result(Path directory, int members, int medicalLines, int pharmacyLines) {}

  /**
   * The payer files, generated unless {@code outDir} already holds them for the same export files (path,
   * sizes and modification times) and settings: a second demo or benchmark on a population reuses them.
   */
  public Result execute() throws IOException {
    StringBuilder params = new StringBuilder("export=").append(ehrExport.toRealPath()).append('\n');
    for (String type : List.of("Patient", "Condition", "ExplanationOfBenefit")) {
      Path f = ehrExport.resolve(type + ".ndjson");
      if (Files.isRegularFile(f)) {
        params.append(type).append('=').append(Files.size(f)).append('@')
            .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
      }
    }
    params.append("settings=").append(settings).append("\nversion=1\n");
    Path marker = outDir.resolve(".payer-params");
    if (Files.isRegularFile(marker)) {
      String m = Files.readString(marker);
      if (m.startsWith(params.toString())) {
        String[] counts = m.substring(params.length()).trim().replace("counts=", "").split(",");
        LOG.info("payer files cached: {}", outDir);
        return new Result(outDir, Integer.parseInt(counts[0]), Integer.parseInt(counts[1]), Integer.parseInt(counts[2]));
      }
      Files.delete(marker);
    }
    Result r = generate();
    Files.writeString(marker, params + "counts=" + r.members() + "," + r.medicalLines() + "," + r.pharmacyLines() + "\n");
    return r;
  }

  private Result generate() throws IOException {
    Map<String, Map<String, String>> cross = crosswalk();
    Map<String, String> conditionCode = new HashMap<>();
    forEachLine("Condition", c -> {
      JsonNode coding = c.path("code").path("coding").path(0);
      conditionCode.put(c.path("id").asText(), coding.path("system").asText() + "|" + coding.path("code").asText());
    });
    Map<String, String> memberOf = new TreeMap<>();
    Map<String, String> firstDate = new HashMap<>();
    Files.createDirectories(outDir);
    // claim lines stream to their files (a 10,000-patient export holds millions): nothing is kept per line
    CsvOut medical = new CsvOut(outDir.resolve("medical_claim.csv"), MEDICAL);
    CsvOut pharmacy = new CsvOut(outDir.resolve("pharmacy_claim.csv"), PHARMACY);
    try (medical; pharmacy) {
      forEachLine("ExplanationOfBenefit", eob -> claimLines(eob, cross, conditionCode, memberOf, firstDate, medical,
          pharmacy));
    }
    List<Map<String, String>> eligibility = new ArrayList<>();
    List<Map<String, String>> truth = new ArrayList<>();
    forEachLine("Patient", p -> {
      String pid = p.path("id").asText();
      if (!memberOf.containsKey(pid)) {
        return;
      }
      String member = memberOf.get(pid);
      Random rnd = new Random(settings.seed() ^ hash(pid).hashCode());
      Map<String, String> f = new TreeMap<>(ConvertEobToClaims.patient(p));
      f.replaceAll((k, v) -> k.endsWith("_name") || k.equals("city") ? v.replaceAll("[0-9]+$", "") : v);
      noise(f, rnd);
      f.put("member_id", member);
      f.put("subscriber_id", member);
      f.put("payer", settings.name());
      f.put("payer_type", "commercial");
      f.put("plan", PLAN);
      String start = firstDate.getOrDefault(member, "2020-01-01");
      f.put("enrollment_start_date", start.substring(0, 8) + "01");
      if (f.get("death_date") != null) {
        f.put("enrollment_end_date", f.get("death_date"));
      }
      f.put("data_source", settings.name());
      eligibility.add(f);
      truth.add(Map.of("member_id", member, "synthea_patient_id", pid));
    });
    write(outDir.resolve("eligibility.csv"), ELIGIBILITY, eligibility);
    write(outDir.resolve("member_truth.csv"), List.of("member_id", "synthea_patient_id"), truth);
    LOG.info("payer files: {} members, {} medical lines, {} pharmacy lines -> {}", eligibility.size(), medical.rows,
        pharmacy.rows, outDir);
    return new Result(outDir, eligibility.size(), medical.rows, pharmacy.rows);
  }

  /** One ExplanationOfBenefit → its billable medical lines or its pharmacy lines, written as they come. */
  private void claimLines(JsonNode eob, Map<String, Map<String, String>> cross, Map<String, String> conditionCode,
      Map<String, String> memberOf, Map<String, String> firstDate, CsvOut medical, CsvOut pharmacy)
      throws IOException {
    String pid = eob.path("patient").path("reference").asText("").replaceFirst("^.*/", "");
    String member = memberOf.computeIfAbsent(pid, this::memberId);
    String claimId = "PC" + hash(eob.path("id").asText()).substring(0, 12).toUpperCase(java.util.Locale.ROOT);
    List<String> dx = new ArrayList<>();
    for (JsonNode d : eob.path("diagnosis")) {
      String ref = d.path("diagnosisReference").path("reference").asText("").replaceFirst("^.*/", "");
      String icd = cross.getOrDefault("icd-10-cm", Map.of()).get(conditionCode.get(ref));
      if (icd != null && !dx.contains(icd) && dx.size() < 5) {
        dx.add(icd);
      }
    }
    Map<Integer, String> itemCode = new HashMap<>();
    for (JsonNode it : eob.path("item")) {
      JsonNode c = it.path("productOrService").path("coding").path(0);
      itemCode.put(it.path("sequence").asInt(), c.path("system").asText() + "|" + c.path("code").asText());
    }
    List<ClaimRecord> recs = ConvertEobToClaims.eob(JSON.writeValueAsString(eob), "", 0, "");
    String end = null;
    for (ClaimRecord r : recs) {
      String le = r.fields().get(r.table() == ClaimTable.PHARMACY ? "dispensing_date" : "claim_line_end_date");
      end = end == null || (le != null && le.compareTo(end) > 0) ? le : end;
    }
    for (ClaimRecord r : recs) {
      Map<String, String> f = new TreeMap<>(r.fields());
      f.put("claim_id", claimId);
      f.put("member_id", member);
      f.put("payer", settings.name());
      f.put("plan", PLAN); // the plan name on claims follows the member's eligibility
      f.put("data_source", settings.name());
      String code = itemCode.get(Integer.parseInt(f.get("claim_line_number")));
      if (r.table() == ClaimTable.PHARMACY) {
        String rx = code == null ? "" : code.substring(code.indexOf('|') + 1);
        f.put("ndc_code", rx.matches("[0-9]{1,9}") ? "99" + String.format("%09d", Long.parseLong(rx)) : null);
        f.putIfAbsent("days_supply", "30");
        f.putIfAbsent("quantity", "30");
        f.putIfAbsent("paid_date", f.get("dispensing_date"));
        pharmacy.write(f);
        firstDate.merge(member, f.get("dispensing_date"), (a, b) -> a.compareTo(b) <= 0 ? a : b);
      } else {
        // only billable lines: the encounter itself and mapped services (Synthea lists conditions as items)
        String cpt = cross.getOrDefault("cpt", Map.of()).get(code);
        if (cpt == null && !f.containsKey("paid_amount") && !f.get("claim_line_number").equals("1")) {
          continue;
        }
        f.put("hcpcs_code", cpt);
        f.put("claim_end_date", end);
        f.remove("claim_line_end_date");
        f.put("claim_line_end_date", f.get("claim_line_start_date"));
        f.putIfAbsent("paid_date", end);
        for (int i = 0; i < dx.size(); i++) {
          f.put("diagnosis_code_" + (i + 1), dx.get(i));
        }
        if (!dx.isEmpty()) {
          f.put("diagnosis_code_type", "icd-10-cm");
        }
        medical.write(f);
        firstDate.merge(member, f.get("claim_start_date"), (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    }
  }

  private void noise(Map<String, String> f, Random rnd) {
    String first = f.get("first_name");
    if (first != null && rnd.nextDouble() < settings.nicknameRate() && NICKNAMES.containsKey(first)) {
      f.put("first_name", NICKNAMES.get(first));
    }
    String last = f.get("last_name");
    if (last != null && last.length() > 3 && rnd.nextDouble() < settings.typoRate()) {
      int i = 1 + rnd.nextInt(last.length() - 2);
      char[] c = last.toCharArray();
      char t = c[i];
      c[i] = c[i + 1];
      c[i + 1] = t;
      f.put("last_name", new String(c));
    }
    if (rnd.nextDouble() < settings.movedRate()) {
      f.put("address", (10 + rnd.nextInt(980)) + " " + List.of("Oak", "Maple", "Cedar", "Pine", "Elm").get(rnd.nextInt(5))
          + " St");
      f.put("zip_code", String.format("%05d", 1000 + rnd.nextInt(1700)));
    }
    String birth = f.get("birth_date");
    if (birth != null && rnd.nextDouble() < settings.swappedBirthRate()) {
      String mm = birth.substring(5, 7);
      String dd = birth.substring(8, 10);
      if (Integer.parseInt(dd) <= 12 && !mm.equals(dd)) {
        f.put("birth_date", birth.substring(0, 5) + dd + "-" + mm);
      }
    }
    if (rnd.nextDouble() < settings.missingSsnRate()) {
      f.remove("social_security_number");
    }
  }

  private String memberId(String patientId) {
    return "M" + Long.toString(Long.parseLong(hash(settings.seed() + ":" + patientId).substring(0, 12), 16) % 1_000_000_000L
        + 1_000_000_000L);
  }

  private static String hash(String s) {
    try {
      var md = java.security.MessageDigest.getInstance("SHA-256");
      return java.util.HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface LineHandler {
    void accept(JsonNode resource) throws IOException;
  }

  /** Every resource of the export's {@code type} files, one at a time (files in name order). */
  private void forEachLine(String type, LineHandler handler) throws IOException {
    List<Path> files;
    try (var s = Files.list(ehrExport)) {
      files = s.filter(p -> p.getFileName().toString().startsWith(type + ".")
          && p.getFileName().toString().endsWith(".ndjson")).sorted().toList();
    }
    for (Path f : files) {
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        String l;
        while ((l = r.readLine()) != null) {
          if (!l.isBlank()) {
            handler.accept(JSON.readTree(l));
          }
        }
      }
    }
  }

  /** target system → (source system|code → target code), from {@code measures/claims/}. */
  private static Map<String, Map<String, String>> crosswalk() {
    Map<String, Map<String, String>> m = new HashMap<>();
    for (ReferenceRow r : ReferenceData.packaged("claims").table("demo_code_crosswalk.csv").rows()) {
      m.computeIfAbsent(r.text("target_system"), k -> new HashMap<>())
          .put(r.text("source_system") + "|" + r.text("source_code"), r.text("target_code"));
    }
    return m;
  }

  private static void write(Path file, List<String> header, List<Map<String, String>> rows) throws IOException {
    try (CsvOut out = new CsvOut(file, header)) {
      for (Map<String, String> r : rows) {
        out.write(r);
      }
    }
  }

  /** A CSV file written row by row, columns in {@code header} order, quoted where needed. */
  private static final class CsvOut implements AutoCloseable {
    private final BufferedWriter w;
    private final List<String> header;
    private int rows;

    CsvOut(Path file, List<String> header) throws IOException {
      this.w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      this.header = header;
      w.write(String.join(",", header));
      w.newLine();
    }

    void write(Map<String, String> r) throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < header.size(); i++) {
        String v = r.get(header.get(i));
        sb.append(i == 0 ? "" : ",");
        if (v != null) {
          sb.append(v.contains(",") || v.contains("\"") ? '"' + v.replace("\"", "\"\"") + '"' : v);
        }
      }
      w.write(sb.toString());
      w.newLine();
      rows++;
    }

    @Override
    public void close() throws IOException {
      w.close();
    }
  }
}
