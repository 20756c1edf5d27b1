package org.vigil.resource.sql.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.plugin.support.Programs;

/**
 * Runs one MariaDB server: {@code mariadbd --datadir=<data-directory>} in the foreground, switching to
 * {@code user} itself, listening on the configured addresses only, its unix socket and pid file in the state
 * directory, reading no option file unless {@code config-file} names one (nothing from /etc/mysql). Stop:
 * TERM (MariaDB's normal shutdown), KILL of the process group 1 s before the stop timeout.
 */
final class MariadbHandler extends SqlHandler {

    MariadbHandler(ResourceContext context) {
        super(context, SqlConfig.Kind.MARIADB);
    }

    @Override
    String engine() {
        return "MariaDB";
    }

    @Override
    Launch prepare() throws Refused, IOException {
        Path data = config.dataDirectory();
        if (!Files.isDirectory(data.resolve("mysql"))) {
            throw new Refused(OperationResult.failed(SqlConfig.DATA_DIRECTORY + ": " + data + " holds no MariaDB"
                    + " data directory (no mysql system database). If the shared disk is mounted there, initialise"
                    + " it once, on one node: mariadb-install-db --user=" + config.osUser() + " --datadir=" + data
                    + " (Vigil never initialises a data directory itself: on a failover node an empty one usually"
                    + " means the disk is not mounted)"));
        }
        Path binary = Programs.resolve(config.program());
        if (binary == null) {
            throw new Refused(OperationResult.notInstalled(SqlConfig.MARIADBD + ": '" + config.program() + "' is"
                    + " not installed on this node (Debian package mariadb-server)"));
        }
        if (config.configFile() != null && !Files.isReadable(config.configFile())) {
            throw new Refused(OperationResult.failed(SqlConfig.CONFIG_FILE + ": " + config.configFile()
                    + " cannot be read on this node"));
        }
        String owner = Files.getOwner(data, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(config.osUser())) {
            throw new Refused(OperationResult.failed(SqlConfig.DATA_DIRECTORY + ": " + data + " is owned by " + owner
                    + ", but the server runs as " + SqlConfig.USER + " " + config.osUser() + " (chown -R "
                    + config.osUser() + ": " + data + ")"));
        }
        int uid = (Integer) Files.getAttribute(data, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(data, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        checkSocketPath(socketDirectoryPath().resolve("mysqld.sock"));
        Path sockets = socketDirectory(uid, gid);
        List<String> argv = new ArrayList<>();
        argv.add(binary.toString());
        // Must come first: an option file only when the admin names one, never the node's /etc/mysql.
        argv.add(config.configFile() != null ? "--defaults-file=" + config.configFile() : "--no-defaults");
        argv.addAll(List.of("--datadir=" + data, "--bind-address=" + config.addressList(),
                "--port=" + config.port(), "--socket=" + sockets.resolve("mysqld.sock"),
                "--pid-file=" + sockets.resolve("mariadbd.pid"), "--user=" + config.osUser()));
        return new Launch(argv, Map.of(), "");
    }

    @Override
    OperationResult shutdown(SupervisedProcess server, OperationContext op) throws InterruptedException {
        server.signal("TERM"); // normal shutdown: InnoDB flushes, the server exits
        if (awaitUntilReserve(server, op, KILL_RESERVE)) {
            return OperationResult.ok();
        }
        return kill(server, op, "MariaDB still running 1 s before the stop timeout; killed (InnoDB recovers at"
                + " the next start)");
    }
}
