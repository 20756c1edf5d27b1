package org.vigil.rest.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code vigil:rest}: whether the REST API listens, where, and the fingerprint of its TLS certificate. */
@Command(scope = "vigil", name = "rest", description = "Shows the REST API: enabled or not, its addresses, the SHA-256 "
        + "fingerprint of its TLS certificate, its audit log")
@Service
public class RestCommand implements Action {

    @Reference(optional = true)
    RestInfo rest;

    @Override
    public Object execute() {
        System.out.println(rest == null ? "REST API: not running (the vigil-rest component is not active)" : rest.describe());
        return null;
    }
}
