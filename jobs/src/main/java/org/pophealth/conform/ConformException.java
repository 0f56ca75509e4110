package org.pophealth.conform;

/** A resource that cannot be loaded: a stable reason code and a message naming the element, never its value. */
public final class ConformException extends Exception {
  private final String reasonCode;

  public ConformException(String reasonCode, String message) {
    super(message, null, false, false);
    this.reasonCode = reasonCode;
  }

  public String reasonCode() {
    return reasonCode;
  }
}
