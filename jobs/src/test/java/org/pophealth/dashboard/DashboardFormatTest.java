package org.pophealth.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class DashboardFormatTest {
  @Test
  void ratesArePercentWithOneDecimal() {
    assertEquals("75.0%", DashboardFormat.pct(0.75));
    assertEquals("66.7%", DashboardFormat.pct(2.0 / 3));
    assertEquals("0.0%", DashboardFormat.pct(0.0));
    assertEquals("", DashboardFormat.pct(null));
    // chart values: percent rounded to one decimal (2/3 = 66.666..% → 66.7; 0.12345 → 12.3)
    assertEquals(66.7, DashboardFormat.pctValue(2.0 / 3));
    assertEquals(12.3, DashboardFormat.pctValue(0.12345));
    assertEquals(100.0, DashboardFormat.pctValue(1.0));
    assertNull(DashboardFormat.pctValue(null));
  }

  @Test
  void decimalsCountsAndLabels() {
    // 18.6 / 30 is 0.6200000000000001 in binary: three decimals either way
    assertEquals(0.62, DashboardFormat.round3(18.6 / 30));
    assertEquals(0.617, DashboardFormat.round3(18.5 / 30));
    assertNull(DashboardFormat.round3(null));
    assertEquals("0.620", DashboardFormat.dec(0.62, 3));
    assertEquals("250.00", DashboardFormat.dec(250.0, 2));
    assertEquals("", DashboardFormat.dec(null, 2));
    assertEquals("42", DashboardFormat.num(42L));
    assertEquals("", DashboardFormat.num(null));
    assertEquals("<11", DashboardFormat.count(5L, true, "<11"));
    assertEquals("0", DashboardFormat.count(0L, false, "<11"));
    assertEquals("", DashboardFormat.count(null, true, "<11"));
    assertEquals("Age band", DashboardFormat.capitalise("age band"));
    assertEquals("No data yet.", DashboardFormat.empty("risk", "Risk").note());
  }
}
