package org.vigil.core.internal.policy;

/**
 * One resource on this node, as the policy needs it.
 *
 * @param name              the resource
 * @param state             its state here
 * @param lastMonitor       when it was last monitored or probed (monotonic ms)
 * @param monitorInterval   how often to monitor it while it runs (ms)
 * @param typeInstalled     true when its type's bundle is present here
 */
public record LocalResource(String name, ResourceState state, long lastMonitor, long monitorInterval,
        boolean typeInstalled) {
}
