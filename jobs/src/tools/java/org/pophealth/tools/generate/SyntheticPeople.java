package org.pophealth.tools.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Seeded synthetic person records with known truth, for the identity benchmark: people get one to
 * four records in sources {@code ehr} and {@code payer}; copies are corrupted as real registration data
 * is (typos, nicknames, swapped day/month, moved address, missing phone or SSN, SSN typos, married
 * names). Generated in Spark tasks, each person from its own seed, so any size is reproducible.
 */
public final class SyntheticPeople {
  public static final StructType SCHEMA = new StructType()
      .add("source", DataTypes.StringType).add("record_id", DataTypes.StringType)
      .add("truth_id", DataTypes.LongType)
      .add("given_name", DataTypes.StringType).add("family_name", DataTypes.StringType)
      .add("birth_date", DataTypes.StringType).add("sex", DataTypes.StringType)
      .add("street", DataTypes.StringType).add("city", DataTypes.StringType)
      .add("state", DataTypes.StringType).add("postcode", DataTypes.StringType)
      .add("phone", DataTypes.StringType).add("ssn", DataTypes.StringType);

  private static final String[] MALE = {"james", "john", "robert", "michael", "william", "david", "richard", "joseph",
      "thomas", "charles", "christopher", "daniel", "matthew", "anthony", "donald", "steven", "paul", "andrew",
      "joshua", "kenneth", "kevin", "brian", "george", "edward", "ronald", "timothy", "jason", "jeffrey", "ryan",
      "jacob", "gary", "nicholas", "eric", "jonathan", "stephen", "larry", "justin", "scott", "brandon", "benjamin",
      "samuel", "gregory", "frank", "alexander", "raymond", "patrick", "jack", "dennis", "jerry", "tyler", "aaron",
      "jose", "henry", "adam", "douglas", "nathan", "peter", "zachary", "kyle", "walter", "harold", "carl", "arthur"};
  private static final String[] FEMALE = {"mary", "patricia", "jennifer", "linda", "elizabeth", "barbara", "susan",
      "jessica", "sarah", "karen", "nancy", "lisa", "margaret", "betty", "sandra", "ashley", "dorothy", "kimberly",
      "emily", "donna", "michelle", "carol", "amanda", "melissa", "deborah", "stephanie", "rebecca", "laura",
      "sharon", "cynthia", "kathleen", "amy", "shirley", "angela", "helen", "anna", "brenda", "pamela", "nicole",
      "samantha", "katherine", "emma", "ruth", "christine", "catherine", "debra", "rachel", "carolyn", "janet",
      "virginia", "maria", "heather", "diane", "julie", "joyce", "victoria", "kelly", "christina", "joan", "evelyn"};
  private static final String[] SYL1 = {"smi", "john", "wil", "brow", "jon", "mil", "dav", "gar", "rod", "mart",
      "her", "lop", "gon", "and", "tho", "tay", "moo", "jack", "lee", "per", "whi", "har", "san", "cla", "ram",
      "lew", "rob", "wal", "young", "all", "kin", "wri", "sco", "tor", "ngu", "hil", "flo", "gre", "ada", "nel",
      "bak", "hal", "riv", "cam", "mit", "car", "rob", "gom", "phi", "eva", "tur", "dia", "par", "cru", "edw"};
  private static final String[] SYL2 = {"th", "son", "ley", "ner", "ez", "er", "ton", "man", "ins", "ers", "ford",
      "well", "berg", "stein", "ski", "wood", "ham", "field", "ridge", "o", "a", "ez", "ell", "ard", "ick", "en"};
  private static final String[] STREETS = {"main", "oak", "pine", "maple", "cedar", "elm", "washington", "lake",
      "hill", "park", "walnut", "sunset", "lincoln", "jackson", "church", "river", "highland", "mill", "forest",
      "spring", "center", "north", "ridge", "meadow", "willow", "chestnut", "franklin", "madison", "jefferson"};
  private static final String[] TYPES = {"street", "avenue", "road", "drive", "lane", "court", "way", "place"};
  private static final String[] CITIES = {"springfield", "franklin", "greenville", "bristol", "clinton", "fairview",
      "salem", "madison", "georgetown", "arlington", "ashland", "dover", "oxford", "jackson", "burlington",
      "manchester", "milton", "newport", "auburn", "dayton", "lexington", "milford", "riverside", "winchester"};
  private static final String[] STATES = {"ma", "ny", "ca", "tx", "fl", "il", "pa", "oh", "ga", "nc", "mi", "nj"};
  private static final String[][] NICK = {{"william", "bill"}, {"robert", "bob"}, {"richard", "dick"},
      {"james", "jim"}, {"john", "jack"}, {"michael", "mike"}, {"elizabeth", "beth"}, {"margaret", "peggy"},
      {"katherine", "kate"}, {"patricia", "pat"}, {"jennifer", "jenny"}, {"thomas", "tom"}, {"joseph", "joe"},
      {"daniel", "dan"}, {"christopher", "chris"}, {"susan", "sue"}, {"rebecca", "becky"}, {"deborah", "debbie"}};

  private SyntheticPeople() {}

  /** About {@code records} records (people get 1-4 records, 1.5 on average). */
  public static Dataset<Row> generate(SparkSession spark, long records, long seed, int partitions) {
    long people = Math.max(1, Math.round(records / 1.5));
    return spark.range(0, people, 1, partitions).flatMap((FlatMapFunction<Long, Row>) id -> person(id, seed).iterator(),
        Encoders.row(SCHEMA));
  }

  static List<Row> person(long id, long seed) {
    Random r = new Random(seed * 1_000_003L + id);
    boolean male = r.nextBoolean();
    String given = male ? pick(r, MALE) : pick(r, FEMALE);
    String family = pick(r, SYL1) + pick(r, SYL2) + (r.nextInt(4) == 0 ? pick(r, SYL2) : "");
    String dob = String.format("%04d-%02d-%02d", 1930 + r.nextInt(90), 1 + r.nextInt(12), 1 + r.nextInt(28));
    String street = (1 + r.nextInt(9999)) + " " + pick(r, STREETS) + " " + pick(r, TYPES);
    int city = r.nextInt(CITIES.length);
    String state = STATES[city % STATES.length];
    String zip = String.format("%05d", 1000 + city * 3000 + r.nextInt(3000));
    String phone = String.format("%03d%03d%04d", 200 + r.nextInt(700), 200 + r.nextInt(700), r.nextInt(10000));
    String ssn = String.format("%03d%02d%04d", 1 + r.nextInt(665), 1 + r.nextInt(99), 1 + r.nextInt(9999));
    double u = r.nextDouble();
    int copies = u < 0.62 ? 1 : u < 0.87 ? 2 : u < 0.97 ? 3 : 4;
    List<Row> out = new ArrayList<>();
    for (int c = 0; c < copies; c++) {
      String source = c == 0 ? (r.nextBoolean() ? "ehr" : "payer") : (r.nextBoolean() ? "ehr" : "payer");
      String g = given;
      String f = family;
      String d = dob;
      String st = street;
      String ph = phone;
      String sn = ssn;
      String ci = CITIES[city];
      String zp = zip;
      if (c > 0) {
        if (r.nextDouble() < 0.15) {
          g = typo(r, g);
        } else if (r.nextDouble() < 0.1) {
          g = nickname(g);
        }
        if (r.nextDouble() < 0.15) {
          f = typo(r, f);
        } else if (!male && r.nextDouble() < 0.05) {
          f = pick(r, SYL1) + pick(r, SYL2);
        }
        double dd = r.nextDouble();
        if (dd < 0.05) {
          d = d.substring(0, 5) + d.substring(8, 10) + "-" + d.substring(5, 7);
          d = Integer.parseInt(d.substring(5, 7)) > 12 ? dob : d;
        } else if (dd < 0.12) {
          d = typo09(r, d);
        }
        if (r.nextDouble() < 0.2) {
          st = (1 + r.nextInt(9999)) + " " + pick(r, STREETS) + " " + pick(r, TYPES);
          zp = String.format("%05d", 1000 + city * 3000 + r.nextInt(3000));
        } else if (r.nextDouble() < 0.1) {
          st = typo(r, st);
        }
        if (r.nextDouble() < 0.2) {
          ph = null;
        } else if (r.nextDouble() < 0.1) {
          ph = typo09(r, ph);
        }
        if (r.nextDouble() < 0.05) {
          sn = typo09(r, sn);
        }
      }
      if (source.equals("payer") ? r.nextDouble() < 0.1 : r.nextDouble() < 0.4) {
        sn = null;
      }
      if (r.nextDouble() < 0.03) {
        ci = null;
      }
      out.add(RowFactory.create(source, source.charAt(0) + Long.toString(id, 36) + "-" + c, id, g, f, d,
          male ? "male" : "female", st, ci, state, zp, ph, sn));
    }
    return out;
  }

  private static String pick(Random r, String[] a) {
    return a[r.nextInt(a.length)];
  }

  private static String nickname(String g) {
    for (String[] n : NICK) {
      if (n[0].equals(g)) {
        return n[1];
      }
    }
    return g;
  }

  /** One random edit of a letter: substitution, deletion, insertion or transposition. */
  static String typo(Random r, String s) {
    if (s.length() < 3) {
      return s;
    }
    int i = 1 + r.nextInt(s.length() - 2);
    char c = (char) ('a' + r.nextInt(26));
    switch (r.nextInt(4)) {
      case 0:
        return s.substring(0, i) + c + s.substring(i + 1);
      case 1:
        return s.substring(0, i) + s.substring(i + 1);
      case 2:
        return s.substring(0, i) + c + s.substring(i);
      default:
        return s.substring(0, i - 1) + s.charAt(i) + s.charAt(i - 1) + s.substring(i + 1);
    }
  }

  /** One digit changed. */
  static String typo09(Random r, String s) {
    List<Integer> digits = new ArrayList<>();
    for (int i = 0; i < s.length(); i++) {
      if (Character.isDigit(s.charAt(i))) {
        digits.add(i);
      }
    }
    int i = digits.get(r.nextInt(digits.size()));
    char c = (char) ('0' + (s.charAt(i) - '0' + 1 + r.nextInt(9)) % 10);
    return s.substring(0, i) + c + s.substring(i + 1);
  }
}
