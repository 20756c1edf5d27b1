package org.vigil.rest.internal;

/** What the REST API serves now, for {@code vigil:rest}. */
public interface RestInfo {

    /** @return lines for the admin: enabled or not (and why), addresses, the certificate's fingerprint, the audit log */
    String describe();
}
