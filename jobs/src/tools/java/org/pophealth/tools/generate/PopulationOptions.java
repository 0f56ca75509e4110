package org.pophealth.tools.generate;

import java.io.IOException;
import java.nio.file.Path;
import org.pophealth.config.PopHealthConfig;
import org.pophealth.tools.generate.GenerateSyntheaPopulation;
import picocli.CommandLine.Option;

/** The Synthea population a benchmark runs on: generated once and cached, or an NDJSON directory given. */
public final class PopulationOptions {
  @Option(names = "--patients", defaultValue = "200", description = "Synthea patients (default ${DEFAULT-VALUE}).")
  int patients;

  @Option(names = "--seed", defaultValue = "7", description = "Synthea seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--years", defaultValue = "10", description = "Years of history (default ${DEFAULT-VALUE}).")
  int years;

  @Option(names = "--input", paramLabel = "DIR", description = "Use this NDJSON directory instead of Synthea.")
  Path input;

  /** The NDJSON directory: {@code --input}, else the cached (or newly generated) population. */
  public Path directory(PopHealthConfig config) throws IOException, InterruptedException {
    if (input != null) {
      return input;
    }
    return new GenerateSyntheaPopulation(org.pophealth.io.ProjectFiles.path(config.demo().syntheaScript()),
        Path.of(config.demo().cacheDir()), patients, seed, years).execute();
  }
}
