package org.pophealth.reference;

/**
 * One declared column of a reference table. {@code required}: every line has a value (not empty);
 * {@code optional}: the file may leave the column out of its header (its values then read as empty).
 */
public record Column(String name, ColumnType type, boolean required, boolean optional) {}
