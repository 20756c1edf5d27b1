package org.vigil.heartbeat.serial.internal;

import org.vigil.plugin.support.heartbeat.PathParameters;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vigil.api.ParameterDescription;

class SerialConfigTest {

    private final SerialTransportFactory factory = new SerialTransportFactory();

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static SerialConfig config(String... kv) {
        PathParameters<SerialConfig> p = SerialConfig.parse(params(kv));
        assertThat(p.problems()).isEmpty();
        return p.config();
    }

    @Test
    void describesTypeAndParameters() {
        var d = factory.describe();
        assertThat(d.type()).isEqualTo("serial");
        assertThat(d.parameters()).extracting(ParameterDescription::name)
                .containsExactly("device", "baud", "parity", "stop-bits", "frame-time-ms");
        assertThat(d.parameters()).extracting(ParameterDescription::defaultValue)
                .containsExactly(null, "115200", "none", "1", "50");
    }

    @Test
    void theFrameBudgetFollowsTheLineSpeed() {
        assertThat(config("device", "/dev/ttyS0").maxFrameSize()).isEqualTo(566); // 11520 B/s x 50 ms - 10
        assertThat(config("device", "/dev/ttyS0", "baud", "57600").maxFrameSize()).isEqualTo(278);
        assertThat(config("device", "/dev/ttyS0", "baud", "230400").maxFrameSize()).isEqualTo(1142);
        assertThat(config("device", "/dev/ttyS0", "baud", "921600").maxFrameSize()).isEqualTo(4096); // capped
        assertThat(config("device", "/dev/ttyS0", "parity", "even", "stop-bits", "2").maxFrameSize()).isEqualTo(470); // 12 bits a byte
        assertThat(config("device", "/dev/ttyS0", "baud", "9600", "frame-time-ms", "500").maxFrameSize()).isEqualTo(470);
        assertThat(config("device", "/dev/ttyS0").nanosPerByte()).isEqualTo(86_806);
        assertThat(config("device", "/dev/ttyUSB0", "parity", "ODD").format()).isEqualTo("8O1");
    }

    @Test
    void rejectsBadParametersNamingThem() {
        assertThat(factory.validate(params())).containsExactly("device: required (the serial device, for example /dev/ttyS0)");
        assertThat(factory.validate(params("device", "ttyS0"))).singleElement().asString()
                .startsWith("device: 'ttyS0' is not an absolute device path");
        assertThat(factory.validate(params("device", "/dev/../etc/passwd"))).hasSize(1);
        assertThat(factory.validate(params("device", "/dev/ttyS0", "baud", "fast"))).containsExactly(
                "baud: 'fast' is not a number from 50 to 4000000");
        assertThat(factory.validate(params("device", "/dev/ttyS0", "parity", "mark"))).containsExactly(
                "parity: 'mark' is not none, even or odd");
        assertThat(factory.validate(params("device", "/dev/ttyS0", "stop-bits", "3"))).containsExactly(
                "stop-bits: '3' is not a number from 1 to 2");
        assertThat(factory.validate(params("device", "/dev/ttyS0", "baud", "9600"))).singleElement().asString()
                .isEqualTo("frame-time-ms: at 9600 baud 8N1 a frame of 50 ms carries only 38 bytes, and a heartbeat needs "
                        + "at least 256; raise baud, or raise frame-time-ms to at least 278 together with the node's heartbeat interval");
        assertThat(factory.validate(params("baud", "x", "parity", "y"))).hasSize(3);
        assertThat(factory.validate(null)).isNotEmpty();
    }
}
