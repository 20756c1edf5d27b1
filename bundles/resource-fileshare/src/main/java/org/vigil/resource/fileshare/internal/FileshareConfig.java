package org.vigil.resource.fileshare.internal;

import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.vigil.plugin.support.Endpoints;
import org.vigil.plugin.support.resource.InvalidParameterException;

/**
 * The parsed parameters of one {@code fileshare} resource. Parsing is validation: {@link #parse} throws an
 * {@link InvalidParameterException} naming the first wrong parameter. Every value ends up in the generated
 * smb.conf, so each is held to what Samba reads literally (no {@code %} macros, no line breaks).
 *
 * @param path         the directory shared
 * @param listen       the one address and port smbd listens on
 * @param share        the share's name, as clients write it ({@code //address/share})
 * @param passdb       the tdbsam account database, or null for none (only with guest access)
 * @param validUsers   the users and {@code @groups} allowed in; empty: every account of the database
 * @param readOnly     true when clients may not write
 * @param guestOk      true when clients may connect without an account, as the guest account
 * @param guestAccount the Unix user guests act as
 * @param smbd         the smbd program: an absolute path, or a name looked up in PATH and the sbin directories
 */
record FileshareConfig(Path path, InetSocketAddress listen, String share, Path passdb, List<String> validUsers,
        boolean readOnly, boolean guestOk, String guestAccount, String smbd) {

    static final String PATH = "path";
    static final String LISTEN = "listen";
    static final String SHARE = "share";
    static final String PASSDB = "passdb";
    static final String VALID_USERS = "valid-users";
    static final String READ_ONLY = "read-only";
    static final String GUEST_OK = "guest-ok";
    static final String GUEST_ACCOUNT = "guest-account";
    static final String SMBD = "smbd";

    static final String DEFAULT_READ_ONLY = "false";
    static final String DEFAULT_GUEST_OK = "false";
    static final String DEFAULT_GUEST_ACCOUNT = "nobody";
    static final String DEFAULT_SMBD = "smbd";

    private static final Pattern SHARE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,79}");
    private static final Set<String> RESERVED_SHARES = Set.of("global", "homes", "printers", "print$", "ipc$");
    private static final Pattern USER = Pattern.compile("@?[A-Za-z0-9_][A-Za-z0-9._-]{0,31}");
    private static final Pattern UNIX_USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern PROGRAM = Pattern.compile("[^\\s\"'\\\\$;%]+");

    /**
     * @param parameters the parameters, with defaults filled in; unset optional ones absent, null or blank
     * @return the configuration
     * @throws InvalidParameterException naming the first wrong parameter
     */
    static FileshareConfig parse(Map<String, String> parameters) {
        Path path = absolutePath(PATH, value(parameters, PATH), "required: the directory to share, usually on the"
                + " group's shared disk");
        InetSocketAddress listen = parseListen(value(parameters, LISTEN));

        String share = value(parameters, SHARE);
        if (share == null) {
            throw new InvalidParameterException(SHARE, "required: the share's name, as in //address/name");
        }
        share = share.strip();
        if (!SHARE_NAME.matcher(share).matches()) {
            throw new InvalidParameterException(SHARE, "expected 1 to 80 letters, digits, '.', '_' or '-' (starting"
                    + " with a letter or digit), got '" + share + "'");
        }
        if (RESERVED_SHARES.contains(share.toLowerCase(Locale.ROOT))) {
            throw new InvalidParameterException(SHARE, "'" + share + "' is a name Samba reserves; choose another");
        }

        boolean readOnly = bool(parameters, READ_ONLY, DEFAULT_READ_ONLY);
        boolean guestOk = bool(parameters, GUEST_OK, DEFAULT_GUEST_OK);

        String passdbRaw = value(parameters, PASSDB);
        Path passdb = null;
        if (passdbRaw == null) {
            if (!guestOk) {
                throw new InvalidParameterException(PASSDB, "required (unless guest-ok=true): the tdbsam account"
                        + " database every node reads, for example /srv/office/samba/passdb.tdb on the shared disk,"
                        + " made with pdbedit (see the fileshare manual, bundles/resource-fileshare/README.md)");
            }
        } else {
            passdb = absolutePath(PASSDB, passdbRaw, null);
            if (passdb.startsWith(path)) {
                throw new InvalidParameterException(PASSDB, passdb + " is inside the shared directory " + path
                        + "; keep the account database outside the share");
            }
        }

        List<String> validUsers = new ArrayList<>();
        String usersRaw = value(parameters, VALID_USERS);
        if (usersRaw != null) {
            for (String user : usersRaw.strip().split("[\\s,]+")) {
                if (!USER.matcher(user).matches()) {
                    throw new InvalidParameterException(VALID_USERS, "expected user names (or @group) separated by"
                            + " spaces or commas, got '" + user + "'");
                }
                validUsers.add(user);
            }
        }

        String guestAccount = orDefault(value(parameters, GUEST_ACCOUNT), DEFAULT_GUEST_ACCOUNT).strip();
        if (!UNIX_USER.matcher(guestAccount).matches()) {
            throw new InvalidParameterException(GUEST_ACCOUNT, "expected a Unix user name, got '" + guestAccount
                    + "'");
        }
        String smbd = orDefault(value(parameters, SMBD), DEFAULT_SMBD).strip();
        if (!PROGRAM.matcher(smbd).matches() || (smbd.contains("/") && !smbd.startsWith("/"))) {
            throw new InvalidParameterException(SMBD, "expected an absolute path or a program name, got '" + smbd
                    + "'");
        }
        return new FileshareConfig(path, listen, share, passdb, List.copyOf(validUsers), readOnly, guestOk,
                guestAccount, smbd);
    }

    private static InetSocketAddress parseListen(String raw) {
        if (raw == null) {
            throw new InvalidParameterException(LISTEN, "required: the group's virtual address and port, for example"
                    + " 192.0.2.10:445");
        }
        List<String> problems = new ArrayList<>();
        InetSocketAddress listen = Endpoints.endpoint(LISTEN, raw.strip(), problems);
        if (listen == null) {
            // Endpoints' message already starts with "listen: "
            throw new InvalidParameterException(LISTEN, problems.get(0).substring(LISTEN.length() + 2));
        }
        if (listen.getAddress().isAnyLocalAddress()) {
            throw new InvalidParameterException(LISTEN, "the wildcard address would serve on every address of the"
                    + " node; give the group's virtual address");
        }
        if (listen.getAddress().isMulticastAddress()) {
            throw new InvalidParameterException(LISTEN, "'" + raw.strip() + "' is a multicast address");
        }
        if (listen.getAddress().getHostAddress().contains("%")) {
            throw new InvalidParameterException(LISTEN, "an IPv6 zone (%...) cannot be written to smb.conf; give a"
                    + " global address");
        }
        return listen;
    }

    private static boolean bool(Map<String, String> parameters, String name, String defaultValue) {
        String v = orDefault(value(parameters, name), defaultValue).strip();
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidParameterException(name, "expected true or false, got '" + v + "'");
        };
    }

    /** An absolute path written into smb.conf: no line break or control character, no '%' (Samba's macros). */
    private static Path absolutePath(String parameter, String raw, String missing) {
        if (raw == null) {
            throw new InvalidParameterException(parameter, missing != null ? missing
                    : "required, and must not be blank");
        }
        String v = raw.strip();
        if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '%' || c == '"' || c == '\\')) {
            throw new InvalidParameterException(parameter, "must not contain '%' (Samba would expand it), quotes,"
                    + " backslashes or control characters, got '" + raw + "'");
        }
        Path p;
        try {
            p = Path.of(v);
        } catch (InvalidPathException e) {
            throw new InvalidParameterException(parameter, "not a path: '" + raw + "'");
        }
        if (!p.isAbsolute()) {
            throw new InvalidParameterException(parameter, "expected an absolute path, got '" + raw + "'");
        }
        return p.normalize();
    }

    /** @return the value, or null when absent or blank (the admin set nothing) */
    private static String value(Map<String, String> parameters, String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static String orDefault(String value, String defaultValue) {
        return value == null ? defaultValue : value;
    }

    /** @return the address as smb.conf's {@code interfaces} takes it: the literal, IPv6 without brackets */
    String interfaceAddress() {
        return listen.getAddress().getHostAddress();
    }

    /** @return the listen address for messages: 192.0.2.10:445 or [2001:db8::10]:445 */
    String listenText() {
        return Endpoints.format(listen);
    }
}
