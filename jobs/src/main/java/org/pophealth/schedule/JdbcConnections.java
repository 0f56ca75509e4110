package org.pophealth.schedule;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connection provider for the job store: plain JDBC connections from {@link DriverManager}
 * (the scheduler needs a handful; no pool library). Quartz sets the bean properties from
 * {@code org.quartz.dataSource.main.*}.
 */
public final class JdbcConnections implements ConnectionProvider {
  private String url;
  private String user;
  private String password;

  public void setUrl(String url) {
    this.url = url;
  }

  public void setUser(String user) {
    this.user = user;
  }

  public void setPassword(String password) {
    this.password = password;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
  }

  @Override
  public void shutdown() {
    // connections are closed by Quartz after each use
  }

  @Override
  public void initialize() {
    // nothing to set up
  }
}
