package org.pophealth.ingest.claims;

import java.util.regex.Pattern;

/**
 * Format checks and normalisation of the codes claims carry. Formats only: a well-formed code that
 * does not exist in the code set passes (code-set membership is the measures' and risk's concern).
 */
public final class CodeFormats {
  /** ICD-10-CM without the dot: letter, digit, alphanumeric, then up to 4 alphanumerics. */
  private static final Pattern ICD10CM = Pattern.compile("[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}");
  /** ICD-10-PCS: 7 characters from digits and letters except I and O. */
  private static final Pattern ICD10PCS = Pattern.compile("[0-9A-HJ-NP-Z]{7}");
  /** CPT Category I (5 digits), II (4 digits + F), III (4 digits + T). */
  private static final Pattern CPT = Pattern.compile("[0-9]{5}|[0-9]{4}[FT]");
  /** HCPCS Level II: a letter A-V then 4 digits. */
  private static final Pattern HCPCS = Pattern.compile("[A-V][0-9]{4}");
  private static final Pattern MODIFIER = Pattern.compile("[0-9A-Z]{2}");
  private static final Pattern NPI = Pattern.compile("[12][0-9]{9}");

  private CodeFormats() {}

  /** Upper case, dots and blanks removed; null stays null. */
  public static String icd(String code) {
    return code == null ? null : code.replace(".", "").replace(" ", "").toUpperCase(java.util.Locale.ROOT);
  }

  public static boolean isIcd10Cm(String normalised) {
    return ICD10CM.matcher(normalised).matches();
  }

  public static boolean isIcd10Pcs(String normalised) {
    return ICD10PCS.matcher(normalised).matches();
  }

  public static boolean isCpt(String code) {
    return CPT.matcher(code).matches();
  }

  public static boolean isHcpcsLevel2(String code) {
    return HCPCS.matcher(code).matches();
  }

  public static boolean isCptOrHcpcs(String code) {
    return isCpt(code) || isHcpcsLevel2(code);
  }

  public static boolean isModifier(String code) {
    return MODIFIER.matcher(code).matches();
  }

  /** CPT 80047-89398 (pathology and laboratory): the claims side of event_kind {@code lab}. */
  public static boolean isLabCpt(String code) {
    return code != null && code.length() == 5 && code.charAt(0) == '8' && Character.isDigit(code.charAt(1))
        && code.chars().allMatch(Character::isDigit);
  }

  /**
   * NDC to 11 digits (5-4-2): 11 digits as they are; hyphenated 10-digit forms 4-4-2, 5-3-2 and 5-4-1
   * padded with a leading zero in the short segment; null when the text is not an NDC.
   */
  public static String ndc11(String code) {
    if (code == null) {
      return null;
    }
    String c = code.trim();
    if (c.matches("[0-9]{11}")) {
      return c;
    }
    String[] p = c.split("-");
    if (p.length == 3 && c.matches("[0-9-]+")) {
      String a = p[0];
      String b = p[1];
      String d = p[2];
      if (a.length() == 4 && b.length() == 4 && d.length() == 2) {
        return "0" + a + b + d;
      }
      if (a.length() == 5 && b.length() == 3 && d.length() == 2) {
        return a + "0" + b + d;
      }
      if (a.length() == 5 && b.length() == 4 && d.length() == 1) {
        return a + b + "0" + d;
      }
      if (a.length() == 5 && b.length() == 4 && d.length() == 2) {
        return a + b + d;
      }
    }
    return null;
  }

  /**
   * NPI check digit: Luhn over the 9-digit base prefixed with 80840 (the card issuer prefix of the
   * health industry), as CMS specifies.
   */
  public static boolean isNpi(String npi) {
    if (npi == null || !NPI.matcher(npi).matches()) {
      return false;
    }
    String digits = "80840" + npi;
    int sum = 0;
    boolean dbl = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }
}
