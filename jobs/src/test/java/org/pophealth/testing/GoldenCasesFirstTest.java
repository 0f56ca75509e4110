package org.pophealth.testing;

/** The first half of the golden cases ({@link GoldenCaseRunner}: one runner, the cases dealt out to two classes). */
class GoldenCasesFirstTest extends GoldenCaseRunner {
  @Override
  int shard() {
    return 0;
  }
}
