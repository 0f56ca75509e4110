package org.pophealth.identity;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The documented set of person fields a record can carry, each with its comparison levels (best
 * level last; -1 means a value is missing on either side and contributes nothing).
 */
public enum PersonField {
  GIVEN_NAME("given_name", true, "else", "jaro-winkler>=0.84", "jaro-winkler>=0.92", "nickname", "exact"),
  FAMILY_NAME("family_name", true, "else", "jaro-winkler>=0.84", "jaro-winkler>=0.92", "exact"),
  BIRTH_DATE("birth_date", false, "else", "within 1 year or 2 edits", "1 edit, transposition or day-month swap", "exact"),
  SEX("sex", false, "else", "exact"),
  STREET("street", true, "else", "a shared token", "token overlap>=0.6 or jaro-winkler>=0.9", "exact"),
  CITY("city", true, "else", "jaro-winkler>=0.88", "exact"),
  POSTCODE("postcode", true, "else", "1 edit", "exact"),
  STATE("state", false, "else", "exact"),
  PHONE("phone", false, "else", "last 7 digits or 1 edit", "exact"),
  SSN("ssn", false, "else", "1 edit or last 4", "exact"),
  EMAIL("email", false, "else", "same local part or jaro-winkler>=0.9", "exact"),
  MRN("mrn", false, "else", "exact");

  private final String column;
  private final boolean termFrequency;
  private final List<String> levels;

  PersonField(String column, boolean termFrequency, String... levels) {
    this.column = column;
    this.termFrequency = termFrequency;
    this.levels = List.of(levels);
  }

  /** Column name in record tables, in {@code --map} and in {@code identity.sources[].fields}. */
  public String column() {
    return column;
  }

  /**
   * Whether the exact level's u probability is replaced by the value's frequency by default (names,
   * street, city, postcode: values whose frequency varies a lot, so a shared rare value says more than a
   * shared common one). {@code identity.term_frequency_fields} overrides the set.
   */
  public boolean termFrequency() {
    return termFrequency;
  }

  /** The fields with {@link #termFrequency()}. */
  public static java.util.Set<PersonField> defaultTermFrequencyFields() {
    java.util.Set<PersonField> out = java.util.EnumSet.noneOf(PersonField.class);
    for (PersonField f : values()) {
      if (f.termFrequency) {
        out.add(f);
      }
    }
    return java.util.Collections.unmodifiableSet(out);
  }

  public List<String> levels() {
    return levels;
  }

  public int levelCount() {
    return levels.size();
  }

  public static PersonField of(String column) {
    String c = column.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(f -> f.column.equals(c)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown person field '" + column + "' (known: "
            + Arrays.stream(values()).map(PersonField::column).toList() + ")"));
  }
}
