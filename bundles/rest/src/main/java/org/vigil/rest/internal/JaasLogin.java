package org.vigil.rest.internal;

import java.security.Principal;
import java.util.Set;
import java.util.TreeSet;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;

/** Checks a user name and password against a Karaf JAAS realm (as the SSH shell does) and reads the user's roles. */
final class JaasLogin {

    /** A user the realm accepted: the subject to run commands as, and its roles. */
    record User(String name, Subject subject, Set<String> roles) {
    }

    private final String realm;

    JaasLogin(String realm) {
        this.realm = realm;
    }

    /** @return the user, or null when the realm refused the name or password */
    User login(String name, char[] password) {
        Subject subject = new Subject();
        try {
            LoginContext lc = new LoginContext(realm, subject, callbacks -> {
                for (Callback cb : callbacks) {
                    if (cb instanceof NameCallback n) {
                        n.setName(name);
                    } else if (cb instanceof PasswordCallback p) {
                        p.setPassword(password);
                    } else {
                        throw new UnsupportedCallbackException(cb);
                    }
                }
            });
            lc.login();
        } catch (LoginException e) {
            return null;
        }
        Set<String> roles = new TreeSet<>();
        for (Principal p : subject.getPrincipals(RolePrincipal.class)) {
            roles.add(p.getName());
        }
        return new User(name, subject, roles);
    }
}
