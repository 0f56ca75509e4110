package org.pophealth.views;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceBlockDefinition;

/**
 * The FHIR R4 type of an element path, from HAPI's model: used only while a ViewDefinition is parsed, to infer
 * column types and to reject a where path that is not boolean. Backbone elements are named by their path
 * ({@code Patient.contact}); choice elements and unknown names give null.
 */
final class StaticTypes {
  private final String resourceType;

  StaticTypes(String resourceType) {
    this.resourceType = resourceType;
  }

  String resourceType() {
    return resourceType;
  }

  /** The type of element {@code name} of type {@code parent}, or null when unknown. */
  String childType(String parent, String name) {
    if (parent == null) {
      return null;
    }
    try {
      BaseRuntimeElementCompositeDefinition<?> def = composite(parent);
      if (def == null) {
        return null;
      }
      BaseRuntimeChildDefinition child = def.getChildByName(name);
      if (child == null) {
        return null;
      }
      BaseRuntimeElementDefinition<?> element = child.getChildByName(name);
      if (element == null) {
        return null;
      }
      if (element instanceof RuntimeResourceBlockDefinition) {
        return parent + "." + name;
      }
      return element.getName();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static BaseRuntimeElementCompositeDefinition<?> composite(String type) {
    FhirContext ctx = FhirContext.forR4Cached();
    String[] parts = type.split("\\.");
    BaseRuntimeElementDefinition<?> def = Character.isUpperCase(parts[0].charAt(0))
        ? lookup(ctx, parts[0]) : null;
    for (int i = 1; i < parts.length && def instanceof BaseRuntimeElementCompositeDefinition<?> c; i++) {
      BaseRuntimeChildDefinition child = c.getChildByName(parts[i]);
      def = child == null ? null : child.getChildByName(parts[i]);
    }
    return def instanceof BaseRuntimeElementCompositeDefinition<?> c ? c : null;
  }

  private static BaseRuntimeElementDefinition<?> lookup(FhirContext ctx, String name) {
    if (ctx.getResourceTypes().contains(name)) {
      return ctx.getResourceDefinition(name);
    }
    return ctx.getElementDefinition(name);
  }
}
