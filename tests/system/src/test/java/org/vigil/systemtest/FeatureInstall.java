package org.vigil.systemtest;

/**
 * A {@code feature:install} of a feature the distribution has, answered "No matching features" a few seconds after
 * the node started (seen once in CI, NetnsLeaseIT): Karaf's features service was being set up again while the
 * command ran (FileInstall rewrites every etc/*.cfg at a node's first start, apache/karaf#2805, and an update of
 * org.apache.karaf.features restarts the service). The install is tried again, within bounds, by the callers.
 */
final class FeatureInstall {

    private FeatureInstall() {
    }

    /** @return true when {@code command} is a feature install refused as if its repository were not loaded */
    static boolean racedTheBoot(String command, String output) {
        return command.strip().startsWith("feature:install") && output != null && output.contains("No matching features for");
    }
}
