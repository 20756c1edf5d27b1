package org.vigil.core.internal.frame;

/** The kinds of frame nodes exchange over heartbeat paths. */
public enum FrameType {
    /** "I am alive", with the sender's report: document version, installed types, group states. */
    HEARTBEAT(1),
    /** "Send me your cluster document": the payload is the version the sender has. */
    DOCUMENT_REQUEST(2),
    /** The cluster document, in its JSON form. */
    DOCUMENT(3);

    final int code;

    FrameType(int code) {
        this.code = code;
    }

    static FrameType of(int code) {
        for (FrameType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
