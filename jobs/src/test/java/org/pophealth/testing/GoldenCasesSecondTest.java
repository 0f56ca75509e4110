package org.pophealth.testing;

/** The second half of the golden cases ({@link GoldenCaseRunner}: one runner, the cases dealt out to two classes). */
class GoldenCasesSecondTest extends GoldenCaseRunner {
  @Override
  int shard() {
    return 1;
  }
}
