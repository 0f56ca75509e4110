package org.pophealth.measures;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.opencds.cqf.cql.engine.model.ModelResolver;
import org.opencds.cqf.cql.engine.retrieve.RetrieveProvider;
import org.opencds.cqf.cql.engine.runtime.Code;
import org.opencds.cqf.cql.engine.runtime.Interval;

/**
 * Retrieves for one person from that person's resources held in memory, indexed: by resource type,
 * then lazily per (type, code path) by {@code system|code}. A value-set retrieve probes the smaller of
 * (value-set expansion, the person's distinct codes) against the other, so its cost does not grow
 * with the size of the history. A retrieve by profile keeps the resources its rule in the package's
 * profile catalog accepts ({@link ProfileCatalog}: negation profiles, vital signs by code, ...).
 */
public final class PersonRetrieveProvider implements RetrieveProvider {
  private static final String ID_PATH = "id";
  private static final String RESOLVE = ".resolve().";

  private final PackageTerminology terminology;
  private final ModelResolver model;
  private final ProfileCatalog profiles;
  private Map<String, List<Resource>> byType = Map.of();
  private final Map<String, Map<String, List<Resource>>> codeIndex = new HashMap<>();
  /** The person's resources by id, any type: id lookups and references ({@link #ids()}). */
  private Map<String, List<Resource>> byId;

  public PersonRetrieveProvider(PackageTerminology terminology, ModelResolver model, ProfileCatalog profiles) {
    this.terminology = terminology;
    this.model = model;
    this.profiles = profiles;
  }

  /** Switches to another person's resources (the provider is reused per thread). */
  public void person(Collection<Resource> resources) {
    Map<String, List<Resource>> m = new HashMap<>();
    for (Resource r : resources) {
      m.computeIfAbsent(r.fhirType(), k -> new ArrayList<>()).add(r);
    }
    byType = m;
    codeIndex.clear();
    byId = null;
  }

  /** True when the current person has a resource of {@code dataType} coded (at {@code codePath}) in the value set. */
  public boolean has(String dataType, String codePath, String valueSetUrl) {
    return retrieve(null, null, null, dataType, null, codePath, null, valueSetUrl, null, null, null, null)
        .iterator().hasNext();
  }

  @Override
  public Iterable<Object> retrieve(String context, String contextPath, Object contextValue, String dataType,
      String templateId, String codePath, Iterable<Code> codes, String valueSet, String datePath,
      String dateLowPath, String dateHighPath, Interval dateRange) {
    List<Resource> all = byType.getOrDefault(dataType, List.of());
    if (all.isEmpty()) {
      return List.of();
    }
    Collection<Resource> candidates;
    if (ID_PATH.equals(codePath) && codes != null && valueSet == null) {
      candidates = byId(dataType, all, codes);
    } else if (codePath == null || (codes == null && valueSet == null)) {
      candidates = all;
    } else {
      Map<String, List<Resource>> index = codeIndex.computeIfAbsent(dataType + "." + codePath, k -> index(all, codePath));
      Set<Resource> hits = new LinkedHashSet<>();
      if (valueSet != null) {
        Set<String> members = terminology.codes(valueSet);
        if (members.size() < index.size()) {
          for (String c : members) {
            add(hits, index.get(c));
          }
        } else {
          for (Map.Entry<String, List<Resource>> e : index.entrySet()) {
            if (members.contains(e.getKey())) {
              hits.addAll(e.getValue());
            }
          }
        }
      }
      if (codes != null) {
        for (Code c : codes) {
          add(hits, index.get(c.getSystem() + "|" + c.getCode()));
        }
      }
      candidates = hits.size() > 1 ? documentOrder(all, hits) : hits;
    }
    List<Object> out = new ArrayList<>(candidates.size());
    for (Resource r : candidates) {
      if (matchesProfile(r, templateId)) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * Resources whose id is one of the codes' values (see {@code LoadMeasurePackage.lookupById}); a null value
   * matches nothing (id = null is never true); a value no id matches falls back to every resource, since the
   * query's own where clause decides in the end.
   */
  private Collection<Resource> byId(String dataType, List<Resource> all, Iterable<Code> codes) {
    Set<Resource> hits = new LinkedHashSet<>();
    for (Code c : codes) {
      if (c == null || c.getCode() == null) {
        continue;
      }
      List<Resource> rs = ids().getOrDefault(c.getCode(), List.of()).stream()
          .filter(r -> r.fhirType().equals(dataType)).toList();
      if (rs.isEmpty()) {
        return all;
      }
      hits.addAll(rs);
    }
    return hits;
  }

  /** The person's resources by id (any type), built once per person. */
  private Map<String, List<Resource>> ids() {
    if (byId == null) {
      byId = new HashMap<>();
      for (List<Resource> rs : byType.values()) {
        for (Resource x : rs) {
          if (x.getIdElement().getIdPart() != null) {
            byId.computeIfAbsent(x.getIdElement().getIdPart(), k -> new ArrayList<>()).add(x);
          }
        }
      }
    }
    return byId;
  }


  private static void add(Set<Resource> hits, List<Resource> rs) {
    if (rs != null) {
      hits.addAll(rs);
    }
  }

  private static List<Resource> documentOrder(List<Resource> all, Set<Resource> hits) {
    List<Resource> out = new ArrayList<>(hits.size());
    for (Resource r : all) {
      if (hits.contains(r)) {
        out.add(r);
      }
    }
    return out;
  }

  private Map<String, List<Resource>> index(List<Resource> resources, String codePath) {
    Map<String, List<Resource>> index = new HashMap<>();
    int resolve = codePath.indexOf(RESOLVE);
    for (Resource r : resources) {
      Set<String> keys = new LinkedHashSet<>();
      if (resolve > 0) {
        for (Resource target : referenced(r, codePath.substring(0, resolve))) {
          collect(resolve(target, codePath.substring(resolve + RESOLVE.length())), keys);
        }
      } else {
        collect(resolve(r, codePath), keys);
      }
      for (String k : keys) {
        index.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
      }
    }
    return index;
  }

  private Object resolve(Resource r, String path) {
    try {
      return model.resolvePath(r, path);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The person's resources that {@code element} of {@code r} references ({@code codeProperty
   * "medication.resolve().code"}, see {@code LoadMeasurePackage.narrowByReference}): any resource whose id is
   * the reference's last segment, as the logic's {@code Last(Split(reference, '/'))} compares it, or the
   * reference's id part; a superset of what the logic matches, whose own comparison then decides.
   */
  private List<Resource> referenced(Resource r, String element) {
    if (!(resolve(r, element) instanceof Reference ref) || ref.getReference() == null) {
      return List.of();
    }
    String value = ref.getReference();
    Set<Resource> out = new LinkedHashSet<>(ids().getOrDefault(value.substring(value.lastIndexOf('/') + 1), List.of()));
    if (ref.getReferenceElement().getIdPart() != null) {
      out.addAll(ids().getOrDefault(ref.getReferenceElement().getIdPart(), List.of()));
    }
    return new ArrayList<>(out);
  }

  private static void collect(Object v, Set<String> keys) {
    if (v instanceof Iterable<?> it) {
      for (Object o : it) {
        collect(o, keys);
      }
    } else if (v instanceof CodeableConcept cc) {
      for (Coding c : cc.getCoding()) {
        keys.add(c.getSystem() + "|" + c.getCode());
      }
    } else if (v instanceof Coding c) {
      keys.add(c.getSystem() + "|" + c.getCode());
    }
  }

  /** QI-Core profiles that differ by content rather than by resource type. */
  /** Whether {@code r} is an instance of the profile, by the package's profile catalog ({@link ProfileCatalog}). */
  boolean matchesProfile(Resource r, String templateId) {
    if (templateId == null) {
      return true;
    }
    ProfileCatalog.Rule rule = profiles.rule(templateId);
    if (rule == null) {
      // the package load checks every profile its logic names: reaching here is a defect, never a match-all
      throw new IllegalStateException("no profile catalog describes " + templateId);
    }
    return rule.matches(r);
  }

  @SuppressWarnings("unused")
  private static boolean isBase(IBase b) {
    return b instanceof Base;
  }
}
