package org.pophealth.tools.generate;

import java.nio.file.Path;
import org.pophealth.config.PopHealthConfig;
import picocli.CommandLine.Option;

/**
 * The population of a whole-pipeline benchmark: {@code --patients} Synthea patients, above {@code --base} that many
 * generated and replicated with fresh ids and perturbed demographics ({@link ReplicatePopulation}); generated once,
 * cached. Or an NDJSON directory given.
 */
public final class ScaledPopulationOptions {
  @Option(names = "--patients", defaultValue = "1000", description = "Population size (default ${DEFAULT-VALUE}).")
  int patients;

  @Option(names = "--base", defaultValue = "1000",
      description = "Synthea patients generated; larger populations replicate them (default ${DEFAULT-VALUE}).")
  int base;

  @Option(names = "--seed", defaultValue = "7", description = "Synthea seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--years", defaultValue = "5", description = "Years of history (default ${DEFAULT-VALUE}).")
  int years;

  @Option(names = "--input", paramLabel = "DIR", description = "Use this bulk-export directory instead.")
  Path input;

  public long seed() {
    return seed;
  }

  /** The NDJSON directory: {@code --input}, else the cached (or newly generated and replicated) population. */
  public Path directory(PopHealthConfig config) throws Exception {
    if (patients < 1 || base < 1) {
      throw new IllegalArgumentException("--patients and --base must be at least 1");
    }
    if (input != null) {
      return input;
    }
    if (patients > base && patients % base != 0) {
      throw new IllegalArgumentException("--patients above --base must be a multiple of it (" + base + ")");
    }
    Path cache = Path.of(config.demo().cacheDir());
    Path dir = new GenerateSyntheaPopulation(org.pophealth.io.ProjectFiles.path(config.demo().syntheaScript()),
        cache, Math.min(patients, base), seed, years).execute();
    if (patients > base) {
      dir = new ReplicatePopulation(dir, cache.resolve("p" + patients + "-s" + seed + "-y" + years + "-from-p" + base),
          patients / base).execute().directory();
    }
    return dir;
  }
}
