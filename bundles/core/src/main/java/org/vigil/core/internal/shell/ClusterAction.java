package org.vigil.core.internal.shell;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.vigil.core.internal.ClusterService;

/** The base of the commands that work on this node's cluster service (Karaf injects it, also into a subclass). */
abstract class ClusterAction extends VigilAction {

    @Reference
    ClusterService cluster;
}
