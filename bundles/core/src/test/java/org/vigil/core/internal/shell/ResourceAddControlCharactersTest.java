package org.vigil.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vigil.core.internal.ClusterService;
import org.vigil.core.internal.model.ClusterDocument;
import org.vigil.core.internal.model.GroupDef;

/** {@code vigil:resource-add} refuses control characters, naming the parameter, before anything is changed. */
class ResourceAddControlCharactersTest {

    private final List<String> calls = new ArrayList<>();

    private ResourceCommands.Add command(String... params) {
        ClusterDocument doc = ClusterDocument.empty().next("node1", l -> {
            l.add(GroupDef.create("web"));
            return l;
        });
        ResourceCommands.Add add = new ResourceCommands.Add();
        add.cluster = (ClusterService) Proxy.newProxyInstance(ClusterService.class.getClassLoader(),
                new Class<?>[] {ClusterService.class}, (p, m, a) -> {
                    calls.add(m.getName());
                    return switch (m.getName()) {
                        case "document" -> doc;
                        case "validateResource" -> List.of();
                        default -> throw new AssertionError("the command went on to " + m.getName());
                    };
                });
        add.group = "web";
        add.name = "app";
        add.type = "process";
        add.params = List.of(params);
        return add;
    }

    @Test
    void aValueWithAnEscapeSequenceIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> command("command=exec /usr/bin/app \u001b[2J", "check-timeout=1s").run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter command")
                .hasMessageContaining("\\x1b").hasMessageNotContaining("\u001b");
        assertThat(calls).doesNotContain("validateResource", "change");
    }

    @Test
    void aParameterNameWithAControlCharacterIsRefusedEscaped() {
        assertThatThrownBy(() -> command("comm\u0007and=true").run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter name 'comm\\x07and'")
                .hasMessageNotContaining("\u0007");
    }
}
