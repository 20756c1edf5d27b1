package org.vigil.systemtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Two real nodes (node1, node2) running group {@code web}: the demo web service as a {@code process} resource
 * with check-http, on 127.0.0.1:PORT. Watched from the start by a {@link ServiceWatch}.
 */
final class WebCluster implements AutoCloseable {

    static final String GROUP = "web";

    final Lab lab;
    final int port;
    final ServiceWatch watch;

    private WebCluster(Lab lab, int port, ServiceWatch watch) {
        this.lab = lab;
        this.port = port;
        this.watch = watch;
    }

    /**
     * @param name     the lab's name (its directory under target/labs)
     * @param offset   added to the module's base ports, so two test classes never share a port
     */
    static WebCluster start(String name, int offset) {
        return start(name, offset, java.util.Map.of());
    }

    /** @param environment more environment for every vigil-lab call (for example JAVA_HOME) */
    static WebCluster start(String name, int offset, java.util.Map<String, String> environment) {
        return start(name, offset, environment, true);
    }

    /** As {@link #start(String, int, java.util.Map)} without the group: the test adds and brings it in. */
    static WebCluster startNodes(String name, int offset, java.util.Map<String, String> environment) {
        return start(name, offset, environment, false);
    }

    private static WebCluster start(String name, int offset, java.util.Map<String, String> environment, boolean bringIn) {
        Path dist = Prerequisites.require();
        int ssh = Prerequisites.intProperty("vigil.system.sshBase", 8301) + offset;
        int udp = Prerequisites.intProperty("vigil.system.udpBase", 7301) + offset;
        int port = Prerequisites.intProperty("vigil.system.webPort", 18301) + offset;
        if (Http.get(port) != null) {
            throw new AssertionError("something already answers on 127.0.0.1:" + port + "; stop it first");
        }
        Lab lab = Lab.setUp(name, 2, ssh, udp, dist, environment);
        ServiceWatch watch = null;
        try {
            watch = new ServiceWatch(lab.dir().resolve("vigil-demo-web.py"), port);
            long t0 = System.nanoTime();
            lab.start("node1", "node2");
            log("%s: node1 and node2 started in %d ms", name, (System.nanoTime() - t0) / 1_000_000);
            lab.awaitOnline("node1", "node2", Duration.ofSeconds(30));
            lab.awaitOnline("node2", "node1", Duration.ofSeconds(30));
            if (bringIn) {
                lab.addWebGroup("node1", GROUP, port);
                String out = lab.cliOk("node1", "vigil:bring-in --wait 30 " + GROUP);
                log("%s: %s", name, out.strip().replace('\n', ' '));
            }
            return new WebCluster(lab, port, watch);
        } catch (RuntimeException | Error e) {
            String logs = lab.logTails();
            if (watch != null) {
                watch.close();
            }
            lab.close();
            e.addSuppressed(new AssertionError("node logs:\n" + logs));
            throw e;
        }
    }

    /** @return the one node that runs the service (process seen and HTTP answering from it), waiting up to 10 s */
    String awaitSingleActive(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            Set<String> nodes = watch.nodesNow();
            String served = Http.servedBy(port);
            if (nodes.size() == 1 && nodes.contains(served)) {
                return served;
            }
            last = "processes on " + nodes + ", HTTP served by " + served;
            Lab.sleep(50);
        }
        throw new AssertionError("the service does not run on exactly one node: " + last + "\n"
                + lab.cli("node1", "vigil:status").output());
    }

    /**
     * Polls every 20 ms until the service runs on {@code node} (its process seen, and HTTP answering "served by
     * node").
     *
     * @return the wall-clock time (epoch ms) it was first seen so, or -1 after the timeout
     */
    long awaitServedBy(String node, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (watch.nodesNow().contains(node) && node.equals(Http.servedBy(port))) {
                return System.currentTimeMillis();
            }
            Lab.sleep(20);
        }
        return -1;
    }

    static String other(String node) {
        return node.equals("node1") ? "node2" : "node1";
    }

    static void log(String format, Object... args) {
        System.out.printf("[system] " + format + "%n", args);
        System.out.flush();
    }

    @Override
    public void close() {
        try {
            watch.close();
        } finally {
            lab.close();
        }
    }
}
