package org.vigil.resource.sql.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.vigil.api.ParameterDescription;
import org.vigil.api.resource.ResourceTypeDescription;

/** The two types' descriptions: the same shape, a few engine-specific parameters. */
final class SqlDescriptions {

    /** Covers a long crash recovery after a failover (PostgreSQL replays its WAL, InnoDB its redo log). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(300);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    static final Duration MONITOR_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MONITOR_INTERVAL = Duration.ofSeconds(5);

    private SqlDescriptions() {
    }

    static ResourceTypeDescription describe(SqlConfig.Kind kind) {
        boolean pg = kind == SqlConfig.Kind.POSTGRESQL;
        List<ParameterDescription> p = new ArrayList<>();
        p.add(ParameterDescription.required(SqlConfig.DATA_DIRECTORY, pg
                ? "Absolute path of the PostgreSQL data directory (initialised once with initdb), usually on the"
                        + " group's shared disk: put the disk resource before this one. The server runs as its owner."
                : "Absolute path of the MariaDB data directory (initialised once with mariadb-install-db), usually"
                        + " on the group's shared disk: put the disk resource before this one."));
        p.add(ParameterDescription.required(SqlConfig.ADDRESS,
                "The literal address(es) the server listens on, separated by commas: the group's virtual address,"
                        + " for example 192.0.2.10 (put the ip resource before this one). The wildcard is refused."));
        p.add(ParameterDescription.optional(SqlConfig.PORT, "The TCP port.", Integer.toString(kind.defaultPort)));
        p.add(ParameterDescription.required(SqlConfig.MONITOR_USER,
                "The database user the monitor logs in as over TCP on the first address, to run SELECT 1 (create"
                        + " it with a password; it needs no privileges)."));
        p.add(ParameterDescription.required(SqlConfig.MONITOR_PASSWORD_FILE,
                "Absolute path of a file on every node, readable by root only, whose first line is the monitor"
                        + " user's password. There is no default password."));
        if (pg) {
            p.add(ParameterDescription.optional(SqlConfig.MONITOR_DATABASE, "The database the monitor connects to.",
                    "postgres"));
            p.add(ParameterDescription.optional(SqlConfig.BIN_DIRECTORY,
                    "The directory holding the postgres program, or auto: /usr/lib/postgresql/<version>/bin for the"
                            + " version in the data directory's PG_VERSION.", "auto"));
        } else {
            p.add(ParameterDescription.optional(SqlConfig.MARIADBD,
                    "The server program: a name looked up in PATH and the sbin directories, or an absolute path.",
                    "mariadbd"));
            p.add(ParameterDescription.optional(SqlConfig.USER,
                    "The operating-system user the server switches to; it must own the data directory.", "mysql"));
            p.add(ParameterDescription.optional(SqlConfig.CONFIG_FILE,
                    "An option file for the server (--defaults-file), for tuning. Unset: no option file at all,"
                            + " nothing from /etc/mysql. Vigil's own options (data directory, addresses, port, socket,"
                            + " user) come after it and win.", null));
        }
        p.add(ParameterDescription.optional(SqlConfig.SOCKET_DIRECTORY,
                "The directory of the server's unix socket (for local admin tools). Unset: 'socket' in the"
                        + " resource's state directory, owned by the server's user, mode 0750.", null));
        return new ResourceTypeDescription(pg ? PostgresqlResourceType.TYPE : MariadbResourceType.TYPE, pg
                ? "A PostgreSQL server on the group's shared disk and virtual address, monitored by a query over JDBC"
                : "A MariaDB server on the group's shared disk and virtual address, monitored by a query over JDBC",
                p, START_TIMEOUT, STOP_TIMEOUT, MONITOR_TIMEOUT, MONITOR_INTERVAL);
    }
}
