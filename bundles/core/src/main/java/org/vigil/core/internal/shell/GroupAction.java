package org.vigil.core.internal.shell;

import java.util.function.UnaryOperator;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;

/** The base of the commands whose first argument is an existing group (Karaf reads it from a superclass too). */
abstract class GroupAction extends ClusterAction {

    @Argument(index = 0, name = "group", required = true, description = "The group")
    @Completion(Completers.Groups.class)
    String group;

    /**
     * @param change what becomes of the group in the cluster document, changed as the admin running this command
     * @param names  what the document's history names after the command (the group first, then a node, ...)
     * @return the new document
     */
    ClusterDocument changeGroup(UnaryOperator<GroupDef> change, Object... names) {
        return cluster.change(user(), what(names), doc -> doc.nextWithGroup(cluster.nodeName(), group, change));
    }
}
