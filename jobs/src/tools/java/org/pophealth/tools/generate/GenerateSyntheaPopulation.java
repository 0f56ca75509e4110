package org.pophealth.tools.generate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates (or reuses) a seeded Synthea population as a bulk-export directory by running the
 * {@code bin/synthea} script in its own process (Synthea's dependencies clash with ours).
 */
public final class GenerateSyntheaPopulation {
  /** Synthea's per-patient progress line: "12 -- Given Family (47 y/o F) Town, State ..." (patient data). */
  private static final java.util.regex.Pattern PATIENT_LINE = java.util.regex.Pattern.compile("^\\d+ -- ");
  private static final Logger LOG = LoggerFactory.getLogger(GenerateSyntheaPopulation.class);

  private final Path script;
  private final Path cacheDir;
  private final int patients;
  private final long seed;
  private final int years;
  private String ages;

  public GenerateSyntheaPopulation(Path script, Path cacheDir, int patients, long seed, int years) {
    this.script = script;
    this.cacheDir = cacheDir;
    this.patients = patients;
    this.seed = seed;
    this.years = years;
  }

  /** Age range {@code MIN-MAX} of the generated people (null: Synthea's, all ages). */
  public GenerateSyntheaPopulation ages(String range) {
    this.ages = range == null || range.isBlank() ? null : range;
    return this;
  }

  /** The population directory, generated when not cached yet. */
  public Path execute() throws IOException, InterruptedException {
    Path out = cacheDir.resolve("p" + patients + "-s" + seed + "-y" + years + (ages == null ? "" : "-a" + ages));
    if (!Files.isRegularFile(script)) {
      throw new IllegalArgumentException("Synthea launcher not found: " + script);
    }
    Files.createDirectories(out);
    List<String> cmd = new java.util.ArrayList<>(List.of("bash", script.toString(), "--patients", Integer.toString(patients),
        "--seed", Long.toString(seed), "--years", Integer.toString(years), "--out", out.toString()));
    if (ages != null) {
      cmd.addAll(List.of("--ages", ages));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    LOG.info("Synthea population: {} patients, seed {}, {} years of history{} -> {}", patients, seed, years,
        ages == null ? "" : ", ages " + ages, out);
    Process p = pb.start();
    // Synthea prints one line per generated patient (name, age, town) and its module list: only the
    // launcher's own progress lines ("synthea: ...") reach the console; the rest is kept for --debug and,
    // without patient lines, for the error message when Synthea fails
    java.util.ArrayDeque<String> tail = new java.util.ArrayDeque<>();
    int patientLines = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String clean = line.replaceAll("\u001B\\[[0-9;]*m", "");
        if (clean.startsWith("synthea: ")) {
          LOG.info("{}", clean);
        } else if (PATIENT_LINE.matcher(clean).find()) {
          patientLines++;
        } else {
          LOG.debug("synthea output: {}", clean);
          tail.addLast(clean);
          if (tail.size() > 20) {
            tail.removeFirst();
          }
        }
      }
    }
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException("Synthea failed (exit " + code + "); its last lines: " + String.join(" | ", tail));
    }
    LOG.info("Synthea wrote {} patients' records", patientLines);
    return out;
  }
}
