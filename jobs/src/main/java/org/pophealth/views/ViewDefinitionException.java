package org.pophealth.views;

/** An invalid ViewDefinition or FHIRPath expression, or a view that cannot be evaluated on a resource; the message names where. */
public class ViewDefinitionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ViewDefinitionException(String message) {
    super(message);
  }
}
