package org.vigil.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;

/** How a vigil command's failure reaches Karaf: a rejection is Karaf's CommandException with one line of help. */
class VigilActionTest {

    @Command(scope = "vigil", name = "probe", description = "test")
    static final class Probe extends VigilAction {
        RuntimeException toThrow;

        @Override
        protected Object run() {
            if (toThrow != null) {
                throw toThrow;
            }
            return ExitStatus.DEGRADED;
        }
    }

    @Test
    void rejectionBecomesOneLineCommandException() {
        Probe p = new Probe();
        p.toThrow = new IllegalArgumentException("no group named 'x\ny'");
        // Karaf logs an exception whose simple name is CommandException at DEBUG, anything else at ERROR with its trace
        assertThatThrownBy(p::execute).isInstanceOf(CommandException.class)
                .satisfies(e -> assertThat(((CommandException) e).getNiceHelp())
                        .isEqualTo("Error executing command vigil:probe: no group named 'x; y'"))
                .hasNoCause();
    }

    @Test
    void operationalFailureIsAlsoOneLine() {
        Probe p = new Probe();
        p.toThrow = new IllegalStateException("group web did not come up on node2 within 5 s");
        assertThatThrownBy(p::execute).isInstanceOf(CommandException.class)
                .hasMessage("group web did not come up on node2 within 5 s");
    }

    @Test
    void bugKeepsItsStackTrace() {
        Probe p = new Probe();
        p.toThrow = new NullPointerException("bug");
        assertThatThrownBy(p::execute).isInstanceOf(NullPointerException.class);
    }

    @Test
    void successReturnsNothingForKarafToPrint() throws Exception {
        assertThat(new Probe().execute()).isNull();
    }

    @Test
    void oneLineEscapesControlCharacters() {
        assertThat(VigilAction.oneLine("b\r\tc\u001b[31m\u0085d\u2028e")).isEqualTo("b\\r\\tc\\u001b[31m\\u0085d\\u2028e");
        assertThat(VigilAction.oneLine("resource x not added:\n  a: bad\n  b: missing\n")).isEqualTo("resource x not added: a: bad; b: missing");
        assertThat(VigilAction.oneLine("plain 'text' ok")).isEqualTo("plain 'text' ok");
    }
}
