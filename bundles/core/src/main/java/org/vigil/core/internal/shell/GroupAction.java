package org.vigil.core.internal.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** The base of the commands whose first argument is an existing group (Karaf reads it from a superclass too). */
abstract class GroupAction extends ClusterAction {

    @Argument(index = 0, name = "group", required = true, description = "The group")
    @Completion(Completers.Groups.class)
    String group;
}
