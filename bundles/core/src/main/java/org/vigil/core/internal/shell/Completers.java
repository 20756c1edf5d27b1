package org.vigil.core.internal.shell;

import java.util.List;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.vigil.core.internal.ClusterService;
import org.vigil.core.internal.model.GroupDef;

/** Completers for the {@code vigil:*} commands. */
public final class Completers {

    private Completers() {
    }

    /** Completes group names. */
    @Service
    public static class Groups implements Completer {
        @Reference
        ClusterService cluster;

        @Override
        public int complete(Session session, CommandLine line, List<String> candidates) {
            return new StringsCompleter(cluster.document().groups().stream().map(GroupDef::name).toList())
                    .complete(session, line, candidates);
        }
    }

    /** Completes node names: this node and every peer heard. */
    @Service
    public static class Nodes implements Completer {
        @Reference
        ClusterService cluster;

        @Override
        public int complete(Session session, CommandLine line, List<String> candidates) {
            TreeSet<String> names = new TreeSet<>(cluster.peers().keySet());
            names.add(cluster.nodeName());
            return new StringsCompleter(names).complete(session, line, candidates);
        }
    }

    /** Completes resource names. */
    @Service
    public static class Resources implements Completer {
        @Reference
        ClusterService cluster;

        @Override
        public int complete(Session session, CommandLine line, List<String> candidates) {
            TreeSet<String> names = new TreeSet<>();
            cluster.document().groups().forEach(g -> g.resources().forEach(r -> names.add(r.name())));
            return new StringsCompleter(names).complete(session, line, candidates);
        }
    }

    /** Completes resource type identifiers installed here. */
    @Service
    public static class Types implements Completer {
        @Reference
        ClusterService cluster;

        @Override
        public int complete(Session session, CommandLine line, List<String> candidates) {
            return new StringsCompleter(cluster.resourceTypes().keySet()).complete(session, line, candidates);
        }
    }
}
