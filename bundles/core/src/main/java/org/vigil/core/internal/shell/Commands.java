package org.vigil.core.internal.shell;

import java.util.Arrays;
import java.util.List;
import org.vigil.core.internal.ClusterService;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;

/** Shared checks for the shell commands, so every command words its errors the same way. */
final class Commands {

    private Commands() {
    }

    static GroupDef group(ClusterService c, String name) {
        return c.document().group(name).orElseThrow(() -> new IllegalArgumentException("no group named '" + name
                + "' (groups: " + String.join(", ", c.document().groups().stream().map(GroupDef::name).toList()) + ")"));
    }

    /** @return the group that holds resource {@code name} in {@code doc}; fails naming the resource when none does */
    static GroupDef groupOf(ClusterDocument doc, String name) {
        return doc.groupOf(name).orElseThrow(() -> new IllegalArgumentException("no resource named '" + name + "'"));
    }

    static List<String> nodes(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static long seconds(String option, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(option + " must not be negative (got " + value + ")");
        }
        return value * 1000;
    }
}
