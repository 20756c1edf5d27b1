package org.vigil.systemtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A database client run as its own JVM inside the client's network namespace (so it reaches the group's
 * virtual address like any client of the service). One line per event on standard output, flushed at once:
 *
 * <pre>
 *   insert URL USER PASSWORD_FILE MAX_SECONDS   CONNECTED ms | ACK id ms | ERR ms message   (epoch ms)
 *   ids URL USER PASSWORD_FILE                  ID id ... then COUNT n
 * </pre>
 *
 * insert commits one row per statement (autocommit): ACK means the server acknowledged the commit. An id
 * whose insert failed is never reused (its outcome is unknown). It reconnects every 100 ms to the same URL
 * after a failure, and ends after MAX_SECONDS or when killed.
 */
public final class SqlClient {

    private SqlClient() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String url = args[1];
        Properties p = new Properties();
        p.setProperty("user", args[2]);
        p.setProperty("password", Files.readAllLines(Path.of(args[3]), StandardCharsets.UTF_8).get(0));
        boolean pg = url.startsWith("jdbc:postgresql:");
        p.setProperty("connectTimeout", pg ? "1" : "1000");
        p.setProperty("socketTimeout", pg ? "3" : "3000");
        Driver driver = pg ? new org.postgresql.Driver() : new org.mariadb.jdbc.Driver();
        if (mode.equals("ids")) {
            ids(driver, url, p);
        } else {
            insert(driver, url, p, Long.parseLong(args[4]));
        }
    }

    private static void insert(Driver driver, String url, Properties p, long maxSeconds) throws InterruptedException {
        long end = System.nanoTime() + maxSeconds * 1_000_000_000L;
        Connection c = null;
        boolean created = false;
        for (long id = 1; System.nanoTime() < end; id++) {
            try {
                if (c == null) {
                    c = driver.connect(url, p);
                    out("CONNECTED " + System.currentTimeMillis());
                }
                try (Statement s = c.createStatement()) {
                    if (!created) {
                        s.execute("CREATE TABLE IF NOT EXISTS acked (id BIGINT PRIMARY KEY)");
                        created = true;
                    }
                    s.executeUpdate("INSERT INTO acked VALUES (" + id + ")");
                }
                out("ACK " + id + " " + System.currentTimeMillis());
            } catch (SQLException | RuntimeException e) {
                out("ERR " + System.currentTimeMillis() + " " + String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
                close(c);
                c = null;
                Thread.sleep(100);
            }
        }
        close(c);
    }

    private static void ids(Driver driver, String url, Properties p) throws Exception {
        SQLException last = null;
        for (int attempt = 0; attempt < 30; attempt++) {
            try (Connection c = driver.connect(url, p); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT id FROM acked ORDER BY id")) {
                StringBuilder sb = new StringBuilder();
                int n = 0;
                while (r.next()) {
                    sb.append("ID ").append(r.getLong(1)).append('\n');
                    n++;
                }
                System.out.print(sb);
                out("COUNT " + n);
                return;
            } catch (SQLException e) {
                last = e;
                Thread.sleep(1000);
            }
        }
        throw last;
    }

    private static void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                // the server is gone
            }
        }
    }
}
