package org.vigil.resource.sql.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The monitor's real query, in-process: a fresh JDBC connection to the first listen address as the monitor
 * user, {@code SELECT 1}, closed again. The driver classes are embedded in this bundle and called directly
 * (never through {@code DriverManager}, which does not see bundle class loaders). Only connect and socket
 * timeouts are used: the drivers' login and query timeouts would start timer threads.
 */
final class JdbcProbe {

    /** How a probe ended. */
    enum Outcome {
        /** the query returned its row */
        OK,
        /** the server answered and refused the credentials or the database: retrying will not help */
        REFUSED,
        /** no answer, refused connection, server still starting up or shutting down, query error */
        FAILED
    }

    /**
     * @param outcome how it ended
     * @param message why, when it is not OK
     */
    record Result(Outcome outcome, String message) {
        boolean ok() {
            return outcome == Outcome.OK;
        }
    }

    private JdbcProbe() {
    }

    /**
     * @param kind    the engine
     * @param config  the resource's configuration
     * @param timeout the budget for connecting, and again for the query
     * @return the outcome
     */
    static Result query(SqlConfig.Kind kind, SqlConfig config, Duration timeout) {
        String password;
        try {
            password = readPassword(config.passwordFile());
        } catch (IOException e) {
            return new Result(Outcome.REFUSED, SqlConfig.MONITOR_PASSWORD_FILE + ": cannot read "
                    + config.passwordFile() + " on this node: " + e);
        }
        Properties p = new Properties();
        p.setProperty("user", config.monitorUser());
        p.setProperty("password", password);
        String url;
        Driver driver;
        if (kind == SqlConfig.Kind.POSTGRESQL) {
            url = "jdbc:postgresql://" + config.urlHost() + ":" + config.port() + "/" + config.database();
            int seconds = (int) Math.max(1, Math.min(3600, (timeout.toMillis() + 999) / 1000));
            p.setProperty("connectTimeout", Integer.toString(seconds));
            p.setProperty("socketTimeout", Integer.toString(seconds));
            p.setProperty("ApplicationName", "vigil-monitor");
            p.setProperty("tcpKeepAlive", "false");
            driver = new org.postgresql.Driver();
        } else {
            url = "jdbc:mariadb://" + config.urlHost() + ":" + config.port() + "/";
            int millis = (int) Math.max(100, Math.min(3_600_000, timeout.toMillis()));
            p.setProperty("connectTimeout", Integer.toString(millis));
            p.setProperty("socketTimeout", Integer.toString(millis));
            driver = new org.mariadb.jdbc.Driver();
        }
        try (Connection c = driver.connect(url, p)) {
            if (c == null) {
                return new Result(Outcome.FAILED, "the JDBC driver does not accept " + url);
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
                if (r.next() && r.getInt(1) == 1) {
                    return new Result(Outcome.OK, null);
                }
                return new Result(Outcome.FAILED, "SELECT 1 on " + url + " returned no row");
            }
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String why = url + " as " + config.monitorUser() + ": " + oneLine(e);
            if (state.startsWith("28")) {
                return new Result(Outcome.REFUSED, SqlConfig.MONITOR_USER + "/" + SqlConfig.MONITOR_PASSWORD_FILE
                        + ": the server refused the monitor's login to " + why);
            }
            if (state.equals("3D000") || e.getErrorCode() == 1049) {
                return new Result(Outcome.REFUSED, SqlConfig.MONITOR_DATABASE + ": no such database: " + why);
            }
            return new Result(Outcome.FAILED, "query failed on " + why);
        } catch (RuntimeException e) {
            return new Result(Outcome.FAILED, "query failed on " + url + ": " + e);
        }
    }

    static String readPassword(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new IOException("the file is empty (the password goes on its first line)");
        }
        return lines.get(0);
    }

    private static String oneLine(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        m = m.replaceAll("\\s+", " ").strip();
        return (e.getSQLState() == null ? "" : "[" + e.getSQLState() + "] ") + m;
    }
}
