package org.pophealth.views;

/**
 * One output column of a {@link ViewDefinition}: its name, its FHIR type (declared, else inferred, else null),
 * whether it holds a list of values, and its description.
 */
public record ViewColumn(String name, String type, boolean collection, String description)
    implements java.io.Serializable {}
