package org.pophealth.lakehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParallelWritesTest {

  @Test
  void runsEveryWriteSideBySideAndReturnsWhenAllAreDone() {
    Set<String> done = ConcurrentHashMap.newKeySet();
    // the first two writes each wait for the other to start: they finish only when run side by side
    CountDownLatch both = new CountDownLatch(2);
    Runnable meet = () -> {
      both.countDown();
      try {
        if (!both.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the other write did not run beside this one");
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    };
    ParallelWrites.run(2, "test", List.of(
        () -> {
          meet.run();
          done.add("a");
        },
        () -> {
          meet.run();
          done.add("b");
        },
        () -> done.add("c")));
    assertEquals(Set.of("a", "b", "c"), done);
  }

  @Test
  void aFailedWriteIsRethrownAsItsOwnException() {
    IllegalArgumentException failure = new IllegalArgumentException("no such column");
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
        () -> ParallelWrites.run(3, "test", List.of(() -> {}, () -> {
          throw failure;
        }, () -> {})));
    assertSame(failure, thrown);
  }
}
