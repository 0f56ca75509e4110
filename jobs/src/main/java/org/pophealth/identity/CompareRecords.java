package org.pophealth.identity;

import java.io.Serializable;
import java.util.List;

/**
 * Computes the comparison vector of two normalised records: for each active field, the index of the
 * best level that holds (see {@link PersonField#levels()}), or -1 when either value is missing. Given and
 * family name are also compared crossed (a's given name with b's family name and the other way round); when
 * both crossed comparisons reach at least the lowest similar level and together beat the straight ones, the
 * names were entered in swapped order and the crossed levels count.
 */
public final class CompareRecords implements Serializable {
  private static final long serialVersionUID = 1L;
  private final PersonField[] fields;
  private final ReferenceLists lists;
  private final int given;
  private final int family;

  public CompareRecords(List<PersonField> fields, ReferenceLists lists) {
    this.fields = fields.toArray(new PersonField[0]);
    this.lists = lists;
    this.given = fields.indexOf(PersonField.GIVEN_NAME);
    this.family = fields.indexOf(PersonField.FAMILY_NAME);
  }

  public int size() {
    return fields.length;
  }

  /**
   * @param a values of record a, one per active field in order (null = missing)
   * @param sameSource whether both records come from the same source (MRNs compare only then)
   */
  public int[] compare(String[] a, String[] b, boolean sameSource) {
    int[] g = new int[fields.length];
    for (int i = 0; i < fields.length; i++) {
      String x = a[i];
      String y = b[i];
      if (x == null || y == null || (fields[i] == PersonField.MRN && !sameSource)) {
        g[i] = -1;
      } else {
        g[i] = level(fields[i], x, y);
      }
    }
    if (given >= 0 && family >= 0 && g[given] >= 0 && g[family] >= 0
        && g[given] + g[family] < PersonField.GIVEN_NAME.levelCount() + PersonField.FAMILY_NAME.levelCount() - 2) {
      int cg = level(PersonField.GIVEN_NAME, a[given], b[family]);
      int cf = level(PersonField.FAMILY_NAME, a[family], b[given]);
      if (cg >= 1 && cf >= 1 && cg + cf > g[given] + g[family]) {
        g[given] = cg;
        g[family] = cf;
      }
    }
    return g;
  }

  int level(PersonField f, String x, String y) {
    boolean eq = x.equals(y);
    switch (f) {
      case GIVEN_NAME: {
        if (eq) {
          return 4;
        }
        if (lists.nicknames(x, y)) {
          return 3;
        }
        double jw = Comparators.jaroWinkler(x, y);
        return jw >= 0.92 ? 2 : jw >= 0.84 ? 1 : 0;
      }
      case FAMILY_NAME: {
        if (eq) {
          return 3;
        }
        double jw = Comparators.jaroWinkler(x, y);
        return jw >= 0.92 ? 2 : jw >= 0.84 ? 1 : 0;
      }
      case BIRTH_DATE: {
        if (eq) {
          return 3;
        }
        int d = Comparators.damerauLevenshtein(x, y);
        if (d <= 1 || Comparators.dayMonthSwapped(x, y)) {
          return 2;
        }
        long days = Comparators.daysApart(x, y);
        return d <= 2 || (days >= 0 && days <= 365) ? 1 : 0;
      }
      case STREET: {
        if (eq) {
          return 3;
        }
        double overlap = Comparators.tokenOverlap(x, y, lists.addressStopwords());
        if (overlap >= 0.6 || Comparators.jaroWinkler(x, y) >= 0.9) {
          return 2;
        }
        return overlap > 0 ? 1 : 0;
      }
      case CITY:
        return eq ? 2 : Comparators.jaroWinkler(x, y) >= 0.88 ? 1 : 0;
      case POSTCODE:
        return eq ? 2 : Comparators.damerauLevenshtein(x, y) <= 1 ? 1 : 0;
      case PHONE:
        return eq ? 2 : Comparators.sameLocalNumber(x, y) || Comparators.damerauLevenshtein(x, y) <= 1 ? 1 : 0;
      case SSN:
        return eq ? 2 : Comparators.partialIdentifier(x, y) ? 1 : 0;
      case EMAIL: {
        if (eq) {
          return 2;
        }
        int ax = x.indexOf('@');
        int ay = y.indexOf('@');
        String lx = ax > 0 ? x.substring(0, ax) : x;
        String ly = ay > 0 ? y.substring(0, ay) : y;
        return lx.equals(ly) || Comparators.jaroWinkler(x, y) >= 0.9 ? 1 : 0;
      }
      case SEX:
      case STATE:
      case MRN:
      default:
        return eq ? f.levelCount() - 1 : 0;
    }
  }
}
