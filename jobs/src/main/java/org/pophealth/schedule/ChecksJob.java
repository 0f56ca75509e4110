package org.pophealth.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * The Quartz job of {@code scheduler.checks_cron}: the freshness rules and the pipelines' deadlines (a
 * {@link Runnable} kept in the scheduler context, never persisted). A check that fails is logged; the next
 * fire tries again.
 */
@DisallowConcurrentExecution
public final class ChecksJob implements Job {
  static final String CHECKS = "pophealth.checks";

  @Override
  public void execute(JobExecutionContext context) throws JobExecutionException {
    Runnable checks;
    try {
      checks = (Runnable) context.getScheduler().getContext().get(CHECKS);
    } catch (SchedulerException e) {
      throw new JobExecutionException(e);
    }
    if (checks == null) {
      return;
    }
    try {
      checks.run();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(ChecksJob.class).error("scheduler checks failed: {}",
          org.pophealth.io.Messages.firstLine(e));
    }
  }
}
