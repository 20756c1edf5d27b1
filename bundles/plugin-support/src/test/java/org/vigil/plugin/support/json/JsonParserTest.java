package org.vigil.plugin.support.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonParserTest {

    @Test
    void readsObjectsInOrderArraysNumbersStringsAndLiterals() throws Exception {
        Object v = JsonParser.parse(" {\"b\": [1, -2.5e3, 123456789012345678, 1234567890123456789, true, false, null],"
                + " \"a\": \"x\\u00e9\\n\\/\\\"\", \"c\": {}}\n", 8);
        assertThat(v).isInstanceOfSatisfying(Map.class, m -> assertThat(m.keySet()).containsExactly("b", "a", "c"));
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat((List<?>) m.get("b")).isEqualTo(Arrays.asList(1L, -2500.0, 123456789012345678L,
                (double) 1234567890123456789L, true, false, null));
        assertThat(m.get("a")).isEqualTo("x\u00e9\n/\"");
        assertThat(m.get("c")).isEqualTo(Map.of());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"a\": 1,}                 | 8  | a member name in double quotes expected",
        "[1 2]                       | 3  | ',' or ']' expected",
        "{} {}                       | 3  | unexpected text after the value",
        "{\"a\": 1, \"a\": 2}        | 14 | member 'a' given twice",
        "\"a\\qb\"                   | 4  | bad escape \\q",
        "01                          | 0  | bad number '01'",
        "Command not found           | 0  | unexpected character 'C'",
        "\"open                      | 5  | unterminated string",
        "''                          | 0  | a value expected, end of text found"})
    void refusesWhatIsNotJsonNamingTheOffset(String text, int offset, String what) {
        String t = text.equals("''") ? "" : text;
        assertThatThrownBy(() -> JsonParser.parse(t, 8)).isInstanceOfSatisfying(JsonParser.Malformed.class, e -> {
            assertThat(e.offset()).isEqualTo(offset);
            assertThat(e.what()).isEqualTo(what);
            assertThat(e.getMessage()).isEqualTo("malformed JSON at offset " + offset + ": " + what);
        });
    }

    @Test
    void aControlCharacterInAStringIsRefused() {
        assertThatThrownBy(() -> JsonParser.parse("\"a\u0001\"", 8)).hasMessageContaining("control character");
    }

    @Test
    void nestingIsBoundedByTheCaller() throws Exception {
        assertThat(JsonParser.parse("[".repeat(3) + "]".repeat(3), 3)).isEqualTo(List.of(List.of(List.of())));
        assertThatThrownBy(() -> JsonParser.parse("[".repeat(4) + "]".repeat(4), 3))
                .hasMessageContaining("nested deeper than 3 levels");
    }
}
