package org.vigil.resource.sql.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.vigil.plugin.support.Programs;
import org.vigil.tck.AgentTestSupport;

/**
 * Shared by the SQL tests: prerequisites, real data directories made the way an admin makes them (initdb,
 * mariadb-install-db, as the server's user), parameters, a JDBC client.
 */
final class SqlTestSupport {

    static final String PASSWORD = "monitor-test-password";
    static final String PG_USER = "postgres";
    static final String MARIADB_USER = "vigil_monitor";

    private SqlTestSupport() {
    }

    /** Skips with the reason when the engine cannot run here, or fails when CI=true: CI must run every test. */
    static void assume(SqlConfig.Kind kind, String... moreTools) {
        List<String> missing = new ArrayList<>();
        if (!AgentTestSupport.isRoot()) {
            missing.add("root (the servers run as their own users)");
        }
        if (kind == SqlConfig.Kind.POSTGRESQL && pgBin() == null) {
            missing.add("PostgreSQL (Debian package postgresql)");
        }
        if (kind == SqlConfig.Kind.MARIADB && (Programs.resolve("mariadbd") == null
                || Programs.resolve("mariadb-install-db") == null)) {
            missing.add("MariaDB (Debian package mariadb-server)");
        }
        for (String tool : moreTools) {
            if (Programs.resolve(tool) == null) {
                missing.add(tool);
            }
        }
        if (Programs.resolve("setpriv") == null) {
            missing.add("setpriv (util-linux)");
        }
        if (!missing.isEmpty()) {
            String reason = "needs " + String.join(", ", missing) + " (scripts/test.sh installs the packages as root)";
            AgentTestSupport.skipOrFail(reason);
        }
    }

    /** @return the newest installed /usr/lib/postgresql/N/bin, or null */
    static Path pgBin() {
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/postgresql"))) {
            return s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("initdb")))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** @return a new directory everyone may traverse (the servers' users need to reach below it) */
    static Path base() throws IOException {
        return Files.createTempDirectory("vigil-sql-test-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    /** @return the monitor's password file, root-only, in dir */
    static Path passwordFile(Path dir) throws IOException {
        Path f = dir.resolve("monitor.password");
        Files.writeString(f, PASSWORD + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** Creates and initialises a PostgreSQL data directory with initdb, as postgres, password logins only. */
    static void initPostgres(Path data) throws IOException {
        Files.createDirectories(data);
        chown(data, "postgres");
        Path pw = data.getParent().resolve("initdb.pw");
        Files.writeString(pw, PASSWORD + "\n");
        chown(pw, "postgres");
        try {
            run(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                    pgBin().resolve("initdb").toString(), "-D", data.toString(), "-U", PG_USER, "--pwfile=" + pw,
                    "--auth=scram-sha-256", "--no-instructions", "-E", "UTF8", "--locale=C.UTF-8"), data.getParent());
        } finally {
            Files.deleteIfExists(pw);
        }
    }

    /** Creates and initialises a MariaDB data directory with mariadb-install-db, plus the monitor's user. */
    static void initMariadb(Path data) throws IOException {
        Files.createDirectories(data);
        chown(data, "mysql");
        run(List.of("mariadb-install-db", "--no-defaults", "--user=mysql", "--datadir=" + data, "--skip-test-db",
                "--auth-root-authentication-method=socket"), data.getParent());
        // Bootstrap mode: one statement per line; the grant tables are loaded first so CREATE USER works.
        Path sql = data.getParent().resolve("bootstrap.sql");
        Files.writeString(sql, "FLUSH PRIVILEGES;\nCREATE USER '" + MARIADB_USER + "'@'%' IDENTIFIED BY '" + PASSWORD
                + "';\nGRANT ALL ON *.* TO '" + MARIADB_USER + "'@'%';\n");
        try {
            ProcessBuilder pb = new ProcessBuilder("mariadbd", "--no-defaults", "--bootstrap", "--datadir=" + data,
                    "--user=mysql").redirectInput(sql.toFile()).redirectErrorStream(true);
            pb.environment().put("PATH", System.getenv("PATH") + ":" + Programs.SYSTEM_PATH);
            waitFor(pb, "mariadbd --bootstrap");
        } finally {
            Files.deleteIfExists(sql);
        }
    }

    /** @return parameters of a server on 127.0.0.1 */
    static Map<String, String> parameters(SqlConfig.Kind kind, Path data, int port, Path passwordFile,
            Path socketDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("data-directory", data.toString());
        p.put("address", "127.0.0.1");
        p.put("port", Integer.toString(port));
        p.put("monitor-user", kind == SqlConfig.Kind.POSTGRESQL ? PG_USER : MARIADB_USER);
        p.put("monitor-password-file", passwordFile.toString());
        p.put("socket-directory", socketDir.toString());
        return p;
    }

    /** @return a client connection to the test server, autocommit on */
    static Connection connect(SqlConfig.Kind kind, String host, int port) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", kind == SqlConfig.Kind.POSTGRESQL ? PG_USER : MARIADB_USER);
        p.setProperty("password", PASSWORD);
        p.setProperty("connectTimeout", kind == SqlConfig.Kind.POSTGRESQL ? "5" : "5000");
        p.setProperty("socketTimeout", kind == SqlConfig.Kind.POSTGRESQL ? "10" : "10000");
        Driver d = kind == SqlConfig.Kind.POSTGRESQL ? new org.postgresql.Driver() : new org.mariadb.jdbc.Driver();
        String url = kind == SqlConfig.Kind.POSTGRESQL ? "jdbc:postgresql://" + host + ":" + port + "/postgres"
                : "jdbc:mariadb://" + host + ":" + port + "/mysql";
        return d.connect(url, p);
    }

    /** @return a TCP port free on 127.0.0.1 right now */
    static void chown(Path p, String user) throws IOException {
        Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user));
        Files.setAttribute(p, "unix:gid", gidOf(user));
    }

    private static int gidOf(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f.length > 3 && f[0].equals(user)) {
                return Integer.parseInt(f[3]);
            }
        }
        throw new IOException("no user " + user + " in /etc/passwd");
    }

    /** Runs a command to its end (bounded), failing the test with its output when it fails. @return output */
    static String run(List<String> command, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", System.getenv("PATH") + ":" + Programs.SYSTEM_PATH);
        return waitFor(pb, String.join(" ", command));
    }

    private static String waitFor(ProcessBuilder pb, String what) throws IOException {
        Path out = Files.createTempFile("vigil-sql-cmd-", ".log");
        try {
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            try {
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(what + " did not finish within 120 s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            String output = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new AssertionError(what + " failed (exit " + p.exitValue() + "): " + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Runs a clean-up command, bounded, ignoring its failure. */
    static void runQuietly(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
