package org.vigil.resource.ip.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.OperationResult;
import org.vigil.api.resource.ProcessSupervisor;
import org.vigil.api.resource.ResourceContext;
import org.vigil.api.resource.ResourceHandler;
import org.vigil.api.resource.SupervisedProcess;
import org.vigil.plugin.support.SecretFiles;
import org.vigil.plugin.support.resource.ParameterCheck;
import org.vigil.resource.ip.internal.LocalNetwork.Presence;

/**
 * Manages one virtual address. Keeps no state of its own about it: the kernel does (is the address on the
 * interface?), so a new handler after a bundle update finds the address its predecessor added.
 *
 * <p>Start: check the interface, check that no other host answers for the address (IPv4: {@code arping -D},
 * waiting a bounded time for an owner that is releasing it, see {@link DuplicateAddressCheck}; IPv6: the
 * kernel's own duplicate address detection), add it, then announce it so neighbours and switches
 * update at once (IPv4: gratuitous ARP, {@code arping -U}; IPv6: unsolicited neighbour advertisement,
 * {@code ndptool} or the kernel's). Repeated announcements run in the background under the core's process
 * supervisor, so start returns as soon as the first one is out. Stop removes the address. Monitor reads the
 * kernel's tables in-process.
 *
 * <p>Once the address is on the interface, start declares its removal (the stop's own {@code ip addr del}) as the
 * release action of the core's process supervisor, and stop withdraws it once the address is gone: if only the
 * node process dies (kill -9, the OOM killer), the address leaves with it, so the other node's duplicate-address
 * check finds nobody answering and its start goes through, instead of being refused and the group banned there.
 */
final class IpHandler implements ResourceHandler {

    /** The supervisor key of the background announcer. */
    static final String ANNOUNCER = "announce";

    /** The supervisor key of the address's release guard (removal when the node process dies). */
    static final String RELEASE = "address";

    /** Time kept back from start's budget to remove an address whose DAD did not finish. */
    static final Duration CLEANUP_RESERVE = Duration.ofSeconds(2);

    /** The longest a DNS update may take, within the operation's budget. */
    static final Duration DNS_TIMEOUT = Duration.ofSeconds(3);

    static final Duration POLL = Duration.ofMillis(50);

    /** An announcer that ends this fast has failed (arping sends one packet a second). */
    static final Duration ANNOUNCER_SETTLE = Duration.ofMillis(50);

    /** How long a short ip(8) command may take. */
    static final Duration IP_TIMEOUT = Duration.ofSeconds(5);

    /** Sends "$1" unsolicited neighbour advertisements with ndptool, one a second, the first at once. */
    private static final String NA_LOOP = "n=$1; tool=$2; i=0; while [ $i -lt $n ]; do"
            + " \"$tool\" -t na -U -i \"$3\" -T \"$4\" send || exit $?; i=$((i+1));"
            + " if [ $i -lt $n ]; then sleep 1; fi; done";

    private final ResourceContext context;
    private final IpConfig config;
    private final String configError;
    private final Tools tools;
    private final LocalNetwork net = new LocalNetwork();
    private final Duration dnsRetry;

    /** The arping found to be iputils' at an earlier start of this handler, or null. */
    private String iputilsArping;
    private long lastDnsAttempt;
    private boolean dnsAttempted;
    private String lastDnsError = "";

    IpHandler(ResourceContext context, Tools tools, Duration dnsRetry) {
        this.context = context;
        this.tools = tools;
        this.dnsRetry = dnsRetry;
        ParameterCheck.Parsed<IpConfig> parsed = ParameterCheck.parse(context.parameters(), IpConfig::parse);
        this.config = parsed.config();
        this.configError = parsed.error();
    }

    @Override
    public OperationResult start(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        String addr = config.addressText();
        String dev = config.iface();
        Optional<String> ip = tools.find("ip");
        if (ip.isEmpty()) {
            return OperationResult.notInstalled("the ip command (package iproute2) is not installed");
        }
        String arping = null;
        if (!config.isIpv6() && (config.dadTimeout().compareTo(Duration.ZERO) > 0 || config.arpCount() > 0)) {
            Optional<String> found = tools.find("arping");
            if (found.isEmpty()) {
                return OperationResult.notInstalled("arping (package iputils-arping) is not installed; it checks that"
                        + " no other host has " + addr + " and announces it");
            }
            if (!found.get().equals(iputilsArping)) { // one fork less per start once known (a switchover's time)
                CommandResult v = context.run(List.of(found.get(), "-V"), IP_TIMEOUT);
                if (!(v.stdout() + v.stderr()).contains("iputils")) {
                    return OperationResult.notInstalled(found.get() + " is not the arping of iputils (package"
                            + " iputils-arping), whose options this agent uses");
                }
                iputilsArping = found.get();
            }
            arping = found.get();
        }
        String timeout = null;
        if (arping != null && !config.dadTimeout().isZero()) {
            Optional<String> found = tools.find("timeout");
            if (found.isEmpty()) {
                return OperationResult.notInstalled("timeout (package coreutils) is not installed; it ends arping's"
                        + " duplicate address check after dad-timeout");
            }
            timeout = found.get();
        }
        DnsRegistration dns = null;
        if (config.hostname() != null) {
            Optional<String> nsupdate = tools.find("nsupdate");
            if (nsupdate.isEmpty()) {
                return OperationResult.notInstalled("hostname: nsupdate (package bind9-dnsutils) is not installed");
            }
            if (config.dnsKey() != null && !Files.isReadable(Path.of(config.dnsKey()))) {
                return OperationResult.notInstalled("dns-key: " + config.dnsKey() + " is missing or unreadable on"
                        + " this node");
            }
            String refused = config.dnsKey() == null ? null : SecretFiles.problem(IpConfig.DNS_KEY, Path.of(config.dnsKey()));
            if (refused != null) {
                return OperationResult.notInstalled(refused);
            }
            dns = new DnsRegistration(context, config, nsupdate.get());
        }

        List<String> notes = new ArrayList<>();
        Presence presence = net.presence(config);
        switch (presence) {
            case NO_INTERFACE:
                return OperationResult.notInstalled("interface " + dev + " does not exist on this node");
            case OTHER_PREFIX:
                return OperationResult.failed("address " + config.host() + " is already on " + dev + " with another"
                        + " prefix length than /" + config.prefix() + "; remove it or correct the address parameter");
            case PRESENT:
                if (!net.isUp(dev)) {
                    return OperationResult.failed(linkDown());
                }
                guardRelease(ip.get()).ifPresent(notes::add);
                registerIfNeeded(dns, op, notes);
                notes.add(0, addr + " already on " + dev);
                return OperationResult.ok(String.join("; ", notes));
            case DAD_FAILED:
                // Left from an earlier conflict: the other host may be gone, so take it off and check afresh.
                CommandResult del = delete(ip.get(), op);
                if (net.presence(config) == Presence.DAD_FAILED) {
                    return OperationResult.failed("address " + addr + " on " + dev + " failed duplicate address"
                            + " detection earlier and cannot be removed: " + del.describeFailure());
                }
                break;
            default:
                break;
        }
        if (!net.isUp(dev)) {
            return OperationResult.failed(linkDown() + "; " + addr + " not added");
        }
        if (presence != Presence.TENTATIVE) {
            Optional<String> elsewhere = net.otherInterfaceWith(config.address(), dev);
            if (elsewhere.isPresent()) {
                return OperationResult.failed("address " + config.host() + " is already on interface "
                        + elsewhere.get() + " of this node; not added to " + dev);
            }
            if (timeout != null && op.isPlannedHandover()) {
                // The core vouches that every other member is heard and has stopped its ip resources: the listen
                // would only hear silence (see README, "Planned hand-over").
                notes.add("no duplicate address listen: planned hand-over");
            } else if (timeout != null) {
                DuplicateAddressCheck.Verdict dad =
                        new DuplicateAddressCheck(context, config, arping, timeout).run(op);
                if (!dad.free()) {
                    return OperationResult.failed(dad.text());
                }
                if (!dad.text().isEmpty()) {
                    notes.add(dad.text());
                }
            }
            if (config.isIpv6()) {
                // Without ndptool, the kernel announces the address once, when its DAD ends, if told to.
                if (tools.find("ndptool").isEmpty() && config.arpCount() > 0) {
                    Tools.enable("net/ipv6/conf/" + dev + "/ndisc_notify").ifPresent(notes::add);
                }
            } else {
                // Deleting the first address of a subnet would otherwise take the other ones with it.
                Tools.enable("net/ipv4/conf/" + dev + "/promote_secondaries").ifPresent(notes::add);
            }
            CommandResult add = context.run(addCommand(ip.get()), IP_TIMEOUT);
            Presence now = net.presence(config);
            if (!add.succeeded() && now != Presence.PRESENT && now != Presence.TENTATIVE) {
                return OperationResult.failed("ip addr add " + config.cidr() + " dev " + dev + ": "
                        + add.describeFailure());
            }
        }
        // Right after the add: from here on the address must leave with the node process.
        guardRelease(ip.get()).ifPresent(notes::add);
        if (config.isIpv6()) {
            Optional<String> failure = awaitIpv6Dad(ip.get(), op);
            if (failure.isPresent()) {
                return OperationResult.failed(failure.get());
            }
        }
        announce(arping).ifPresent(notes::add);
        registerIfNeeded(dns, op, notes);
        notes.add(0, "added " + addr + " to " + dev);
        return OperationResult.ok(String.join("; ", notes));
    }

    /** Waits for the kernel's IPv6 duplicate address detection to end; removes the address if it failed. */
    private Optional<String> awaitIpv6Dad(String ip, OperationContext op) {
        Presence p = net.presence(config);
        while (p == Presence.TENTATIVE && !op.isCancelled() && !Thread.currentThread().isInterrupted()
                && op.remaining().compareTo(CLEANUP_RESERVE) > 0) {
            sleep(POLL);
            p = net.presence(config);
        }
        switch (p) {
            case PRESENT:
                return Optional.empty();
            case DAD_FAILED:
                delete(ip, op);
                withdrawReleaseIfGone();
                return Optional.of("address " + config.host() + " is already in use by another host (it answered"
                        + " IPv6 duplicate address detection on " + config.iface() + "); not added");
            case TENTATIVE:
                delete(ip, op);
                withdrawReleaseIfGone();
                return Optional.of("duplicate address detection of " + config.host() + " on " + config.iface()
                        + " did not end within the start timeout; the address was removed");
            default:
                return Optional.of("address " + config.host() + " vanished from " + config.iface() + " during"
                        + " duplicate address detection (" + p + ")");
        }
    }

    /**
     * Starts the announcements in the background: the first goes out at once, the others one a second, so
     * that start does not wait for them.
     *
     * @return a note for the admin when the address could not be announced
     */
    private Optional<String> announce(String arping) {
        if (config.arpCount() == 0) {
            return Optional.empty();
        }
        stopAnnouncer();
        List<String> cmd;
        String count = Integer.toString(config.arpCount());
        if (!config.isIpv6()) {
            cmd = List.of(arping, "-U", "-c", count, "-I", config.iface(), config.host());
        } else {
            Optional<String> ndptool = tools.find("ndptool");
            if (ndptool.isEmpty()) {
                // The kernel sent one unsolicited advertisement when DAD ended (ndisc_notify, set before adding).
                return Optional.empty();
            }
            cmd = List.of("/bin/sh", "-c", NA_LOOP, "vigil-announce", count, ndptool.get(), config.iface(),
                    config.host());
        }
        try {
            SupervisedProcess p = context.processes().start(ANNOUNCER, cmd, Map.of(), null, null);
            p.awaitExit(ANNOUNCER_SETTLE);
            if (!p.isAlive() && p.exitCode().orElse(0) != 0) {
                return Optional.of("announcing " + config.host() + " failed (" + cmd.get(0) + " exit "
                        + p.exitCode().getAsInt() + "); neighbours learn the new owner only when their entries expire");
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("cannot announce " + config.host() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Ends a running announcer: announcing an address after it is gone would pull its traffic here. */
    private void stopAnnouncer() {
        ProcessSupervisor ps = context.processes();
        Optional<SupervisedProcess> found = ps.find(ANNOUNCER);
        if (found.isEmpty()) {
            return;
        }
        SupervisedProcess p = found.get();
        if (p.isAlive()) {
            p.signal("KILL");
            try {
                p.awaitExit(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ps.forget(ANNOUNCER);
    }

    private void registerIfNeeded(DnsRegistration dns, OperationContext op, List<String> notes) {
        if (dns == null || dns.isRegistered()) {
            return;
        }
        Optional<String> failure = dns.register(dnsBudget(op));
        noteDnsAttempt(failure);
        failure.ifPresent(f -> notes.add("hostname " + config.hostname() + " not registered in DNS (" + f
                + "); the address serves, and monitor retries the registration"));
    }

    private Duration dnsBudget(OperationContext op) {
        Duration left = op.remaining().minusMillis(500);
        Duration d = left.compareTo(DNS_TIMEOUT) < 0 ? left : DNS_TIMEOUT;
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
    }

    private void noteDnsAttempt(Optional<String> failure) {
        dnsAttempted = true;
        lastDnsAttempt = System.nanoTime();
        lastDnsError = failure.orElse("");
    }

    @Override
    public OperationResult stop(OperationContext op) {
        stopAnnouncer();
        if (config == null) {
            context.processes().withdrawGuard(RELEASE);
            return OperationResult.ok("nothing to remove: " + configError);
        }
        String addr = config.addressText();
        String dev = config.iface();
        Presence p = net.presence(config);
        if (p == Presence.NO_INTERFACE || p == Presence.ABSENT || p == Presence.OTHER_PREFIX) {
            context.processes().withdrawGuard(RELEASE);
            forgetDns();
            return p == Presence.NO_INTERFACE ? OperationResult.ok("interface " + dev + " is gone, and " + addr
                    + " with it") : OperationResult.ok();
        }
        Optional<String> ip = tools.find("ip");
        if (ip.isEmpty()) {
            return OperationResult.failed("cannot remove " + addr + " from " + dev + ": the ip command (package"
                    + " iproute2) is not installed");
        }
        List<String> notes = new ArrayList<>();
        if (!config.isIpv6()) {
            Tools.enable("net/ipv4/conf/" + dev + "/promote_secondaries").ifPresent(notes::add);
        }
        CommandResult del = delete(ip.get(), op);
        p = net.presence(config);
        if (p != Presence.ABSENT && p != Presence.NO_INTERFACE && p != Presence.OTHER_PREFIX) {
            // still held: its guard stays, so it still leaves with the node process
            return OperationResult.failed(addr + " is still on " + dev + " after ip addr del: "
                    + del.describeFailure());
        }
        context.processes().withdrawGuard(RELEASE);
        forgetDns();
        return notes.isEmpty() ? OperationResult.ok() : OperationResult.ok(String.join("; ", notes));
    }

    private void forgetDns() {
        if (config.hostname() != null) {
            new DnsRegistration(context, config, "nsupdate").forget();
        }
    }

    @Override
    public OperationResult monitor(OperationContext op) {
        if (config == null) {
            return OperationResult.notConfigured(configError);
        }
        String addr = config.addressText();
        String dev = config.iface();
        switch (net.presence(config)) {
            case NO_INTERFACE:
                return OperationResult.notRunning("interface " + dev + " does not exist");
            case ABSENT:
                return OperationResult.notRunning();
            case OTHER_PREFIX:
                return OperationResult.notRunning(config.host() + " is on " + dev + " with another prefix length than /"
                        + config.prefix());
            case DAD_FAILED:
                return OperationResult.failed(addr + " on " + dev + " failed duplicate address detection: another host"
                        + " claims it");
            case TENTATIVE:
                if (!net.isUp(dev)) {
                    return OperationResult.failed(linkDown());
                }
                return OperationResult.degraded("duplicate address detection of " + addr + " is running on " + dev);
            default:
                break;
        }
        if (!net.isUp(dev)) {
            return OperationResult.failed(linkDown());
        }
        return config.hostname() == null ? OperationResult.ok() : monitorDns(op);
    }

    /** Retries a failed DNS registration now and then; forks only while the name is not registered. */
    private OperationResult monitorDns(OperationContext op) {
        Optional<String> nsupdate = tools.find("nsupdate");
        if (nsupdate.isEmpty()) {
            return OperationResult.degraded("hostname " + config.hostname() + " not registered: nsupdate (package"
                    + " bind9-dnsutils) is not installed");
        }
        DnsRegistration dns = new DnsRegistration(context, config, nsupdate.get());
        if (dns.isRegistered()) {
            return OperationResult.ok();
        }
        if (!dnsAttempted || System.nanoTime() - lastDnsAttempt >= dnsRetry.toNanos()) {
            Optional<String> failure = dns.register(dnsBudget(op));
            noteDnsAttempt(failure);
            if (failure.isEmpty()) {
                return OperationResult.ok();
            }
        }
        return OperationResult.degraded("hostname " + config.hostname() + " not registered in DNS: " + lastDnsError
                + " (retried every " + dnsRetry.toSeconds() + " s)");
    }

    private List<String> addCommand(String ip) {
        List<String> cmd = new ArrayList<>(List.of(ip, config.isIpv6() ? "-6" : "-4", "addr", "add", config.cidr()));
        if (!config.isIpv6()) {
            cmd.addAll(List.of("brd", "+"));
        }
        cmd.addAll(List.of("dev", config.iface()));
        if (config.label() != null) {
            cmd.addAll(List.of("label", config.label()));
        }
        return cmd;
    }

    private CommandResult delete(String ip, OperationContext op) {
        Duration t = op.remaining().compareTo(IP_TIMEOUT) < 0 ? op.remaining() : IP_TIMEOUT;
        if (t.compareTo(Duration.ofSeconds(1)) < 0) {
            t = Duration.ofSeconds(1);
        }
        return context.run(deleteCommand(ip), t);
    }

    private List<String> deleteCommand(String ip) {
        return List.of(ip, config.isIpv6() ? "-6" : "-4", "addr", "del", config.cidr(), "dev", config.iface());
    }

    /**
     * Declares the address's removal as the release action for the death of the node process.
     *
     * @return a note for the admin when it cannot be declared (the address serves, but would outlive the node
     *         process)
     */
    private Optional<String> guardRelease(String ip) {
        try {
            context.processes().guard(RELEASE, deleteCommand(ip), IP_TIMEOUT);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(config.addressText() + " is not guarded: if the node process dies, it stays on "
                    + config.iface() + " until removed (" + e.getMessage() + ")");
        }
    }

    private void withdrawReleaseIfGone() {
        Presence p = net.presence(config);
        if (p == Presence.ABSENT || p == Presence.NO_INTERFACE || p == Presence.OTHER_PREFIX) {
            context.processes().withdrawGuard(RELEASE);
        }
    }

    private String linkDown() {
        return "interface " + config.iface() + " is down (administratively, or no carrier)";
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
