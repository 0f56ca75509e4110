package org.pophealth.ops.alerts;

/** Sends one event somewhere. Never throws for a delivery problem: the outcome says what happened. */
public interface Notifier {
  /** {@code webhook}, {@code command}: the name recorded in ops.alert. */
  String name();

  Outcome send(AlertEvent event);

  /**
   * How a send ended.
   *
   * @param detail why it failed (an HTTP status, an exit code, a timeout): never a secret
   */
  record Outcome(boolean sent, int attempts, String detail) {}
}
