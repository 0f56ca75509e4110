package org.pophealth.measures;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.terminology.CodeSystemInfo;
import org.opencds.cqf.cql.engine.terminology.TerminologyProvider;
import org.opencds.cqf.cql.engine.terminology.ValueSetInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Value-set membership over the expansions shipped in the measure package (no terminology server).
 * Keyed by canonical URL and by OID, so {@code urn:oid:} and VSAC URLs both resolve. A value set the
 * package lacks is empty (logged once).
 */
public final class PackageTerminology implements TerminologyProvider {
  private static final Logger LOG = LoggerFactory.getLogger(PackageTerminology.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private final Map<String, Set<String>> byKey = new ConcurrentHashMap<>();

  public PackageTerminology(Map<String, Set<String>> valueSets) {
    for (Map.Entry<String, Set<String>> e : valueSets.entrySet()) {
      byKey.put(e.getKey(), e.getValue());
      byKey.put(oid(e.getKey()), e.getValue());
    }
  }

  /** Codes ({@code system|code}) of a value set; empty when unknown. */
  public Set<String> codes(String valueSetId) {
    Set<String> s = byKey.get(valueSetId);
    if (s == null) {
      s = byKey.get(oid(valueSetId));
    }
    if (s == null) {
      if (WARNED.add(valueSetId)) {
        LOG.warn("value set {} is not in the measure package: treated as empty", valueSetId);
      }
      return Set.of();
    }
    return s;
  }

  @Override
  public boolean in(Code code, ValueSetInfo valueSet) {
    return code != null && codes(valueSet.getId()).contains(code.getSystem() + "|" + code.getCode());
  }

  @Override
  public Iterable<Code> expand(ValueSetInfo valueSet) {
    List<Code> out = new ArrayList<>();
    for (String sc : codes(valueSet.getId())) {
      int bar = sc.indexOf('|');
      out.add(new Code().withSystem(sc.substring(0, bar)).withCode(sc.substring(bar + 1)));
    }
    return out;
  }

  @Override
  public Code lookup(Code code, CodeSystemInfo codeSystem) {
    return code;
  }

  private static String oid(String url) {
    if (url == null) {
      return "";
    }
    if (url.startsWith("urn:oid:")) {
      return url.substring("urn:oid:".length());
    }
    int slash = url.lastIndexOf('/');
    return slash >= 0 ? url.substring(slash + 1) : url;
  }
}
