package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pophealth.dashboard.DashboardModel.Section;
import org.pophealth.dashboard.DataQualitySection.Failure;

/** The claims data-quality section: failing tests of each source's latest delivery, small row counts masked. */
class DataQualitySectionTest {
  @Test
  void smallCountsAreMaskedWithTheirComplementPerSource() {
    Section s = DataQualitySection.build(List.of(
        new Failure("payer", "medical_claim", "claim-header-bill-type", "error", 4, 1),
        new Failure("payer", "medical_claim", "place-of-service-unknown", "error", 120, 3),
        new Failure("payer", "medical_claim", "diagnosis-known", "unverified", 35, 2),
        new Failure("other", "eligibility", "eligibility-birth-date-present", "warning", 0, 1),
        new Failure("other", "pharmacy_claim", "days-supply-plausible", "warning", 11, 1)), 11);
    assertEquals("data-quality", s.id());
    assertNull(s.panels().get(0).chart());
    assertEquals(List.of("Source", "Table", "Test or rule", "Severity", "Rows", "Deliveries failed"),
        s.panels().get(0).table().headers());
    // payer: 4 is masked, and the smallest other count (35) with it, so 4 cannot be derived from a total;
    // other: 0 and 11 are shown (0 is no person, 11 is at the threshold)
    assertEquals(List.of(
        List.of("payer", "medical_claim", "claim-header-bill-type", "error", "<11", "1"),
        List.of("payer", "medical_claim", "place-of-service-unknown", "error", "120", "3"),
        List.of("payer", "medical_claim", "diagnosis-known", "unverified", "<11", "2"),
        List.of("other", "eligibility", "eligibility-birth-date-present", "warning", "0", "1"),
        List.of("other", "pharmacy_claim", "days-supply-plausible", "warning", "11", "1")),
        s.panels().get(0).table().rows());
  }

  @Test
  void noDataYet() {
    assertEquals("No data yet.", DataQualitySection.build(null, 11).note());
    assertEquals("No data yet.", DataQualitySection.build(List.of(), 11).note());
  }
}
