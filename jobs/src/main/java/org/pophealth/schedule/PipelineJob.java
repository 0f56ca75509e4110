package org.pophealth.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * The Quartz job behind every pipeline trigger. Never two runs of one pipeline at once (one JobDetail
 * per pipeline, concurrent execution disallowed); a run interrupted by a crash is re-fired at the next
 * start (the JobDetail requests recovery) with trigger {@code recovery}.
 */
@DisallowConcurrentExecution
public final class PipelineJob implements Job {
  static final String PIPELINE = "pipeline";
  static final String RUNNER = "pophealth.runner";

  /** What the scheduler calls to run a pipeline (kept in the scheduler context, never persisted). */
  public interface Runner {
    RunPipeline.Result run(String pipeline, String trigger);
  }

  @Override
  public void execute(JobExecutionContext context) throws JobExecutionException {
    String pipeline = context.getMergedJobDataMap().getString(PIPELINE);
    Runner runner;
    try {
      runner = (Runner) context.getScheduler().getContext().get(RUNNER);
    } catch (SchedulerException e) {
      throw new JobExecutionException(e);
    }
    try {
      runner.run(pipeline, context.isRecovering() ? "recovery" : "cron");
    } catch (org.pophealth.ops.LakehouseLease.BusyException e) {
      // recorded in ops.job_attempt as refused; the next fire tries again
      org.slf4j.LoggerFactory.getLogger(PipelineJob.class).warn("pipeline {} not run: {}", pipeline, e.getMessage());
    }
  }
}
