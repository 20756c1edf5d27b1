package org.vigil.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingsTest {

    private record Item(String service, int filter) {
    }

    @Test
    void servicesBoundBeforeTheNodeRunsAreHandedOverWhenItAttachesThenEachAsItComesAndGoes() {
        Bindings<String> b = new Bindings<>();
        List<String> log = new ArrayList<>();
        b.bind("a");
        b.bind("b");
        b.unbind("a");
        assertThat(log).isEmpty();
        b.attach(s -> log.add("+" + s), s -> log.add("-" + s));
        assertThat(log).containsExactly("+b");
        b.bind("c");
        b.unbind("b");
        b.unbind("never-bound");
        assertThat(log).containsExactly("+b", "+c", "-b");
        assertThat(b.items()).containsExactly("c");

        b.detach();
        b.bind("d");
        b.unbind("c");
        assertThat(log).as("nothing handed on once the node stopped").containsExactly("+b", "+c", "-b");
        assertThat(b.items()).containsExactly("d");
    }

    @Test
    void anItemThatCarriesMoreIsUnboundByItsService() {
        Bindings<Item> b = new Bindings<>(Item::service);
        List<Item> removed = new ArrayList<>();
        b.attach(i -> { }, removed::add);
        b.bind(new Item("mail", 1));
        b.bind(new Item("hook", 2));
        b.unbind("mail");
        assertThat(removed).containsExactly(new Item("mail", 1));
        assertThat(b.items()).containsExactly(new Item("hook", 2));
    }
}
