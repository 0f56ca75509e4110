package org.pophealth.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import org.pophealth.config.SchedulerConfig;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived Quartz scheduler: one durable job and one cron trigger per configured pipeline, kept in
 * Quartz's JDBC job store (embedded H2 file by default, PostgreSQL in production; {@code memory} keeps
 * nothing). The job-store tables are created on first use from Quartz's own DDL. On every start the
 * stored triggers are reconciled with the configuration: new pipelines are added, changed crons replaced,
 * removed pipelines deleted; unchanged triggers are kept, so a run missed while the scheduler was down is
 * detected as a misfire and runs once, at start (misfire policy "fire once now").
 */
public final class PipelineScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineScheduler.class);
  /** Quartz group of the pipeline jobs and triggers. */
  public static final String GROUP = "pipelines";

  private final SchedulerConfig config;
  private final Scheduler scheduler;
  private final Runnable checks;

  /** Quartz group of the checks job and trigger ({@code scheduler.checks_cron}). */
  public static final String CHECKS_GROUP = "checks";

  public PipelineScheduler(SchedulerConfig config, PipelineJob.Runner runner) throws SchedulerException {
    this(config, runner, null);
  }

  /**
   * @param checks run on {@code scheduler.checks_cron} (freshness rules, deadlines); null: no checks trigger
   */
  public PipelineScheduler(SchedulerConfig config, PipelineJob.Runner runner, Runnable checks)
      throws SchedulerException {
    this.config = config;
    this.checks = checks;
    Properties p = properties(config);
    if (!"memory".equals(store(config))) {
      createTablesIfMissing(p);
    }
    StdSchedulerFactory factory = new StdSchedulerFactory();
    factory.initialize(p);
    this.scheduler = factory.getScheduler();
    scheduler.getContext().put(PipelineJob.RUNNER, runner);
    if (checks != null) {
      scheduler.getContext().put(ChecksJob.CHECKS, checks);
    }
  }

  static String store(SchedulerConfig c) {
    String s = c.jobStore() == null ? "h2" : c.jobStore();
    if (!List.of("h2", "postgres", "memory").contains(s)) {
      throw new IllegalArgumentException("scheduler.job_store must be h2, postgres or memory, not '" + s + "'");
    }
    return s;
  }

  static Properties properties(SchedulerConfig c) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "pophealth");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(Math.max(1, c.threads())));
    p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(c.misfireThresholdSeconds() * 1000L));
    switch (store(c)) {
      case "memory" -> p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
      case "h2" -> {
        if (c.h2File() == null || c.h2File().isBlank()) {
          throw new IllegalArgumentException("scheduler.h2_file is required for job_store h2");
        }
        jdbc(p, "jdbc:h2:file:" + Path.of(c.h2File()).toAbsolutePath() + ";MODE=PostgreSQL", null, null);
      }
      default -> {
        if (c.jdbcUrl() == null || !c.jdbcUrl().startsWith("jdbc:postgresql:")) {
          throw new IllegalArgumentException("scheduler.jdbc_url must be a jdbc:postgresql: URL for job_store postgres");
        }
        jdbc(p, c.jdbcUrl(), c.user(), password(c));
      }
    }
    return p;
  }

  private static void jdbc(Properties p, String url, String user, String password) {
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    // H2 runs in PostgreSQL mode with the PostgreSQL DDL, so one delegate serves both
    p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", "main");
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.dataSource.main.connectionProvider.class", JdbcConnections.class.getName());
    p.setProperty("org.quartz.dataSource.main.url", url);
    if (user != null) {
      p.setProperty("org.quartz.dataSource.main.user", user);
      p.setProperty("org.quartz.dataSource.main.password", password == null ? "" : password);
    }
  }

  /** The database password from the environment variable named in the config, else from the password file. */
  static String password(SchedulerConfig c) {
    return org.pophealth.config.Secrets.fromEnvOrFile(c.passwordEnv(), c.passwordFile(), "scheduler.password_file");
  }

  /** Runs Quartz's DDL for PostgreSQL (used for H2 too, in PostgreSQL mode) when QRTZ_LOCKS is missing. */
  static void createTablesIfMissing(Properties p) {
    String url = p.getProperty("org.quartz.dataSource.main.url");
    String user = p.getProperty("org.quartz.dataSource.main.user");
    try (Connection c = user == null ? DriverManager.getConnection(url)
        : DriverManager.getConnection(url, user, p.getProperty("org.quartz.dataSource.main.password"))) {
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT COUNT(*) FROM QRTZ_LOCKS").close();
        return;
      } catch (SQLException missing) {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
      }
      String ddl;
      try (InputStream in = Scheduler.class.getResourceAsStream("/org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
        ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      int n = 0;
      try (Statement s = c.createStatement()) {
        for (String stmt : statements(ddl)) {
          s.execute(stmt);
          n++;
        }
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
      LOG.info("scheduler: created the Quartz job-store tables ({} statements)", n);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("scheduler: cannot prepare the job store at " + url.replaceAll("password=[^&;]*", "password=***")
          + ": " + e.getMessage(), e);
    }
  }

  static List<String> statements(String ddl) {
    StringBuilder clean = new StringBuilder();
    for (String line : ddl.split("\n")) {
      String l = line.strip();
      if (l.startsWith("--") || l.isEmpty() || l.toUpperCase().startsWith("COMMIT")) {
        continue;
      }
      clean.append(line).append('\n');
    }
    List<String> out = new ArrayList<>();
    for (String s : clean.toString().split(";")) {
      String t = s.strip();
      if (!t.isEmpty() && !t.toUpperCase().startsWith("DROP ")) {
        out.add(t);
      }
    }
    return out;
  }

  /** Brings the stored jobs and triggers in line with the configured pipelines. */
  public void reconcile() throws SchedulerException {
    List<String> names = new ArrayList<>();
    for (SchedulerConfig.Pipeline pl : config.pipelines() == null ? List.<SchedulerConfig.Pipeline>of() : config.pipelines()) {
      PipelinePlan.of(pl);
      if (pl.cron() == null || !CronExpression.isValidExpression(pl.cron())) {
        throw new IllegalArgumentException("scheduler.pipelines[" + pl.name() + "].cron is not a Quartz cron expression: "
            + pl.cron() + " (seconds minutes hours day-of-month month day-of-week, e.g. \"0 0 2 * * ?\")");
      }
      names.add(pl.name());
      JobKey jk = JobKey.jobKey(pl.name(), GROUP);
      TriggerKey tk = TriggerKey.triggerKey(pl.name(), GROUP);
      TimeZone tz = TimeZone.getTimeZone(pl.timeZone() == null ? "UTC" : pl.timeZone());
      Trigger existing = scheduler.getTrigger(tk);
      if (existing instanceof CronTrigger ct && ct.getCronExpression().equals(pl.cron())
          && ct.getTimeZone().getID().equals(tz.getID()) && scheduler.checkExists(jk)) {
        continue; // unchanged: keep its next fire time, so a missed run is seen as a misfire
      }
      JobDetail job = JobBuilder.newJob(PipelineJob.class).withIdentity(jk).usingJobData(PipelineJob.PIPELINE, pl.name())
          .storeDurably().requestRecovery().build();
      Trigger trigger = TriggerBuilder.newTrigger().withIdentity(tk).forJob(jk)
          .withSchedule(CronScheduleBuilder.cronSchedule(pl.cron()).inTimeZone(tz)
              .withMisfireHandlingInstructionFireAndProceed())
          .build();
      scheduler.addJob(job, true);
      if (existing != null) {
        scheduler.rescheduleJob(tk, trigger);
      } else {
        scheduler.scheduleJob(trigger);
      }
      LOG.info("scheduler: pipeline {} on cron '{}' ({})", pl.name(), pl.cron(), tz.getID());
    }
    reconcileChecks();
    Set<JobKey> stored = scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP));
    for (JobKey k : stored) {
      if (!names.contains(k.getName())) {
        scheduler.deleteJob(k);
        LOG.info("scheduler: pipeline {} is no longer configured: removed", k.getName());
      }
    }
  }

  /**
   * The checks trigger: on {@code scheduler.checks_cron} when the cron is set (and checks are given), else none.
   * A missed check is not caught up (the next one checks the same rules).
   */
  private void reconcileChecks() throws SchedulerException {
    JobKey jk = JobKey.jobKey("checks", CHECKS_GROUP);
    TriggerKey tk = TriggerKey.triggerKey("checks", CHECKS_GROUP);
    String cron = config.checksCron();
    if (cron == null || cron.isBlank()) {
      if (scheduler.checkExists(jk)) {
        scheduler.deleteJob(jk);
      }
      return;
    }
    if (checks == null) {
      return; // a scheduler that runs no checks (scheduler status) leaves the stored trigger as it is
    }
    if (!CronExpression.isValidExpression(cron)) {
      throw new IllegalArgumentException("scheduler.checks_cron is not a Quartz cron expression: " + cron
          + " (seconds minutes hours day-of-month month day-of-week, e.g. \"0 0/15 * * * ?\")");
    }
    Trigger existing = scheduler.getTrigger(tk);
    if (existing instanceof CronTrigger ct && ct.getCronExpression().equals(cron) && scheduler.checkExists(jk)) {
      return;
    }
    scheduler.addJob(JobBuilder.newJob(ChecksJob.class).withIdentity(jk).storeDurably().build(), true);
    Trigger trigger = TriggerBuilder.newTrigger().withIdentity(tk).forJob(jk)
        .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(TimeZone.getTimeZone("UTC"))
            .withMisfireHandlingInstructionDoNothing())
        .build();
    if (existing != null) {
      scheduler.rescheduleJob(tk, trigger);
    } else {
      scheduler.scheduleJob(trigger);
    }
    LOG.info("scheduler: checks (freshness, deadlines) on cron '{}'", cron);
  }

  public void start() throws SchedulerException {
    reconcile();
    scheduler.start();
  }

  public Scheduler quartz() {
    return scheduler;
  }

  /** Stops firing; with {@code waitForJobs}, waits for the running pipeline to finish. */
  public void shutdown(boolean waitForJobs) throws SchedulerException {
    if (!scheduler.isShutdown()) {
      scheduler.shutdown(waitForJobs);
    }
  }

  @Override
  public void close() throws SchedulerException {
    shutdown(true);
  }
}
