package org.vigil.heartbeat.serial.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.vigil.api.ParameterDescription;
import org.vigil.api.heartbeat.HeartbeatTransport;
import org.vigil.api.heartbeat.HeartbeatTransportFactory;
import org.vigil.api.heartbeat.PathContext;
import org.vigil.api.heartbeat.TransportDescription;
import org.vigil.plugin.support.heartbeat.PathParameters;

/**
 * Heartbeat paths of type {@code serial}: an RS-232 null-modem cable between two nodes (point to
 * point), through jSerialComm. Frames carry a marker, their length twice and a CRC-32, so they survive
 * noise and partial reads (see {@link SerialFraming}); the frame limit follows from the line speed (see
 * {@link SerialConfig}). Like every transport it moves the core's signed frames unchanged.
 */
@Component(service = HeartbeatTransportFactory.class)
public class SerialTransportFactory implements HeartbeatTransportFactory {

    /** The path type admins write in a path configuration. */
    public static final String TYPE = "serial";

    private static final TransportDescription DESCRIPTION = new TransportDescription(TYPE,
            "RS-232 null-modem cable to one peer (framed, checksummed, resynchronises after noise)",
            List.of(
                    ParameterDescription.required(SerialConfig.DEVICE,
                            "The serial device, as an absolute path: /dev/ttyS0 for a built-in port, /dev/ttyUSB0 "
                                    + "for a USB adapter (better a stable /dev/serial/by-id/... link). The cable goes "
                                    + "to exactly one other node. No flow control is used."),
                    ParameterDescription.optional(SerialConfig.BAUD,
                            "Line speed in baud, the same on both nodes. At the default 115200 a frame may be "
                                    + "566 bytes (see frame-time-ms).",
                            Integer.toString(SerialConfig.DEFAULT_BAUD)),
                    ParameterDescription.optional(SerialConfig.PARITY,
                            "Parity: none, even or odd, the same on both nodes (data bits are always 8: frames "
                                    + "are binary). The frame's CRC-32 already catches line errors.",
                            SerialConfig.DEFAULT_PARITY),
                    ParameterDescription.optional(SerialConfig.STOP_BITS,
                            "Stop bits, 1 or 2, the same on both nodes.",
                            Integer.toString(SerialConfig.DEFAULT_STOP_BITS)),
                    ParameterDescription.optional(SerialConfig.FRAME_TIME,
                            "The most line time one frame may take, in milliseconds (10 to 1000); it sets the "
                                    + "largest frame (bytes per second x this - 10 bytes of framing, at most 4096). "
                                    + "Keep it at or below half the node's heartbeat interval; frames beyond the "
                                    + "line's pace are dropped, not queued.",
                            Integer.toString(SerialConfig.DEFAULT_FRAME_TIME_MS))));

    @Override
    public TransportDescription describe() {
        return DESCRIPTION;
    }

    @Override
    public List<String> validate(Map<String, String> parameters) {
        return PathParameters.validate(parameters, SerialConfig::parse);
    }

    @Override
    public HeartbeatTransport open(PathContext context) throws IOException {
        return SerialTransport.open(PathParameters.require(context, SerialConfig::parse), context);
    }
}
