package org.pophealth.demo;

import java.nio.file.Path;

/** Inputs the demo prepared: the EHR bulk-export directory (Synthea). */
public record DemoInputs(Path ehrExport) {}
