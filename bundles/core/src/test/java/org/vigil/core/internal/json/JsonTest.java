package org.vigil.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void roundTripsNestedValues() {
        Object v = Json.parse("{\"a\":[1,2.5,\"x\\n\\u00e9\",true,null],\"b\":{}}");
        assertThat(Json.parse(Json.write(v))).isEqualTo(v);
        assertThat(Json.parse(Json.writePretty(v))).isEqualTo(v);
        assertThat(((Map<?, ?>) v).get("a")).isEqualTo(java.util.Arrays.asList(1L, 2.5, "x\n\u00e9", true, null));
    }

    @Test
    void malformedInputNamesWhereItBroke() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,}")).hasMessageContaining("offset");
        assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessageContaining("expected ',' or ']'");
        assertThatThrownBy(() -> Json.parse("{\"a\":1} x")).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Json.parse("\"abc")).hasMessageContaining("unexpected end");
        assertThatThrownBy(() -> Json.parse("[".repeat(100))).hasMessageContaining("nested too deeply");
    }

    @Test
    void randomTextOnlyEverFailsWithJsonException() {
        Random rnd = new Random(7);
        String alphabet = "{}[]\":,0123456789.-eEtrufalsn \\u";
        for (int i = 0; i < 50_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = rnd.nextInt(40);
            for (int k = 0; k < n; k++) {
                b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            try {
                Json.parse(b.toString());
            } catch (Json.JsonException expected) {
                // the only acceptable failure
            }
        }
    }

    @Test
    void readerNamesTheFieldThatIsWrong() {
        JsonReader r = new JsonReader(Json.parseObject("{\"g\":[{\"name\":5}]}"), "document");
        assertThatThrownBy(() -> r.objects("g").get(0).string("name")).hasMessage("document.g[0].name must be a string");
        assertThat(r.strings("missing")).isEqualTo(List.of());
    }
}
