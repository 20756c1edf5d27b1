package org.vigil.resource.ip.internal;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vigil.api.resource.CommandResult;
import org.vigil.api.resource.OperationContext;
import org.vigil.api.resource.ResourceContext;

/**
 * IPv4 duplicate address detection before an address is added: RFC 5227 probes (ARP requests from 0.0.0.0)
 * sent by {@code arping -D}, and a hold-off for an owner that is releasing the address right now.
 *
 * <p>A <em>listen</em> lasts {@code dad-timeout} (W) and sends up to {@value #MAX_PROBES} probes, one per
 * {@code arping} run: iputils' arping takes whole seconds only ({@code -w}, {@code -i}; it has no {@code -W})
 * and sends one probe a second, so each run sends its probe at once and is stopped with SIGINT by
 * {@code timeout(1)} at the end of its share of W. On SIGINT arping prints how many probes it sent and how many
 * answers it got; a run that shows no probe sent (stopped before it was ready) does not count and is repeated.
 * With {@code -D} arping exits at the first answer, so an owner is known as soon as it answers.
 *
 * <p>The hold-off: when a listen is answered and {@code dad-wait} is not zero, listen again after a short pause,
 * until a listen in which nobody answered (the address is then added at once) or until {@code dad-wait} has
 * passed (start fails, naming the MAC that answered). It never makes two owners: the address is added only
 * after a whole listen in which nobody answered, exactly as without the hold-off.
 */
final class DuplicateAddressCheck {

    /** The most probes one listen sends. */
    static final int MAX_PROBES = 3;

    /** A listen sends one probe per this much of W (at least one, at most {@link #MAX_PROBES}). */
    static final Duration PROBE_SHARE = Duration.ofMillis(100);

    /** The pause between an answered listen and the next one during the hold-off. */
    static final Duration RECHECK_PAUSE = Duration.ofMillis(50);

    /** How many arping runs in a row may end before their probe was out before the check gives up. */
    static final int MAX_UNSENT = 3;

    /** The most answering MACs a message names: results ride in heartbeats, which have a size budget. */
    static final int MAX_NAMED = 4;

    /** Left of start's budget when the hold-off stops: the add and its cleanup need time too. */
    static final Duration RESERVE = Duration.ofSeconds(3);

    private static final Pattern MAC = Pattern.compile("\\[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})]");
    private static final Pattern SENT = Pattern.compile("(?m)^Sent ([1-9]\\d*) probe");
    private static final Pattern RECEIVED = Pattern.compile("(?m)^Received (\\d+) response");

    /**
     * The outcome of the check.
     *
     * @param free true when the last listen heard nobody: the address may be added
     * @param text when not free, why start fails; when free after a hold-off, a note for the admin; else empty
     */
    record Verdict(boolean free, String text) {
    }

    /** One arping run: answered (by {@code mac}), probe sent and nobody answered, no probe sent, or broken. */
    private record Probe(Kind kind, String detail) {
    }

    private enum Kind { ANSWERED, QUIET, UNSENT, BROKEN }

    private final ResourceContext context;
    private final IpConfig config;
    private final String arping;
    private final String timeout;

    /**
     * @param context the resource's context (runs the commands)
     * @param config  the resource's configuration (address, interface, {@code dad-timeout}, {@code dad-wait})
     * @param arping  the path of iputils' arping
     * @param timeout the path of coreutils' timeout
     */
    DuplicateAddressCheck(ResourceContext context, IpConfig config, String arping, String timeout) {
        this.context = context;
        this.config = config;
        this.arping = arping;
        this.timeout = timeout;
    }

    /**
     * Listens for another owner, holding off while one answers (see the class comment).
     *
     * @param op the start operation: its remaining time and cancellation bound the hold-off
     * @return whether the address may be added now
     */
    Verdict run(OperationContext op) {
        Duration wait = config.dadWait();
        long began = System.nanoTime();
        long deadline = began + wait.toNanos();
        long pauseMs = RECHECK_PAUSE.toMillis();
        // Each round lasts at least the pause, so this only backs up the time bound.
        long maxRounds = wait.toMillis() / pauseMs + 2;
        Set<String> answered = new LinkedHashSet<>();
        for (long round = 0; round < maxRounds; round++) {
            Probe p = listen(op);
            if (p.kind() == Kind.QUIET) {
                if (answered.isEmpty()) {
                    return new Verdict(true, "");
                }
                return new Verdict(true, "waited " + millis(System.nanoTime() - began) + " for " + String.join(", ",
                        answered) + " to release " + config.host());
            }
            if (p.kind() == Kind.BROKEN) {
                return new Verdict(false, p.detail());
            }
            if (answered.size() < MAX_NAMED) {
                answered.add(p.detail());
            }
            if (wait.isZero()) {
                return new Verdict(false, "address " + config.host() + " is already in use by " + p.detail()
                        + " (it answered ARP on " + config.iface() + "); not added");
            }
            String why = null;
            if (System.nanoTime() - deadline >= 0) {
                why = "";
            } else if (op.isCancelled() || Thread.currentThread().isInterrupted()) {
                why = "; start was cancelled";
            } else if (op.remaining().compareTo(RESERVE.plus(config.dadTimeout()).plus(RECHECK_PAUSE)) < 0) {
                why = "; start's time ran out before dad-wait did";
            }
            if (why != null) {
                return new Verdict(false, stillAnswered(p.detail(), answered, began, wait) + why + "); not added");
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Verdict(false, stillAnswered(p.detail(), answered, began, wait) + "; start was cancelled);"
                        + " not added");
            }
        }
        String last = answered.stream().reduce((a, b) -> b).orElse("another host");
        return new Verdict(false, stillAnswered(last, answered, began, wait) + "); not added");
    }

    /** One listen of {@code dad-timeout}: answered as soon as a probe is; quiet when all its probes were. */
    private Probe listen(OperationContext op) {
        long w = config.dadTimeout().toMillis();
        int probes = (int) Math.max(1, Math.min(MAX_PROBES, w / PROBE_SHARE.toMillis()));
        long share = w / probes;
        int quiet = 0;
        int unsent = 0;
        // Bounded: each pass counts a quiet probe or an unsent run, and both are capped.
        while (quiet < probes) {
            if (op.isCancelled() || Thread.currentThread().isInterrupted()) {
                return new Probe(Kind.BROKEN, "duplicate address check of " + config.host() + " was cancelled; not"
                        + " added");
            }
            Probe p = probe(share);
            switch (p.kind()) {
                case QUIET:
                    quiet++;
                    break;
                case UNSENT:
                    if (++unsent > MAX_UNSENT) {
                        return new Probe(Kind.BROKEN, "duplicate address check (arping -D on " + config.iface()
                                + ") failed: arping ended " + unsent + " times before its probe was out (" + p.detail()
                                + "); " + config.host() + " not added");
                    }
                    break;
                default:
                    return p;
            }
        }
        return new Probe(Kind.QUIET, "");
    }

    /** Runs arping for {@code shareMs}: its probe goes out at once, it ends at the first answer or at SIGINT. */
    private Probe probe(long shareMs) {
        // arping would end by itself only after this many seconds: later than the SIGINT.
        String count = Long.toString(shareMs / 1000 + 2);
        String seconds = String.format(Locale.ROOT, "%d.%03d", shareMs / 1000, shareMs % 1000);
        CommandResult r = context.run(List.of(timeout, "-s", "INT", "-k", "1", seconds, arping, "-D", "-I",
                config.iface(), "-c", count, config.host()), Duration.ofMillis(shareMs).plusSeconds(3));
        if (r.timedOut() && Thread.currentThread().isInterrupted()) {
            return new Probe(Kind.BROKEN, "duplicate address check of " + config.host() + " was cancelled; not added");
        }
        String out = r.stdout();
        Matcher received = RECEIVED.matcher(out);
        int answers = received.find() ? Integer.parseInt(received.group(1)) : -1;
        Matcher mac = MAC.matcher(out);
        if (!r.timedOut() && (answers > 0 || (r.exitCode() == 1 && mac.find(0)))) {
            return new Probe(Kind.ANSWERED, mac.find(0) ? mac.group(1).toLowerCase(Locale.ROOT) : "another host");
        }
        boolean sent = SENT.matcher(out).find();
        if (!r.timedOut() && (r.exitCode() == 124 || r.exitCode() == 0) && sent && answers == 0) {
            return new Probe(Kind.QUIET, "");
        }
        if (!r.timedOut() && (r.exitCode() == 124 || r.exitCode() == 137) && !sent) {
            return new Probe(Kind.UNSENT, r.describeFailure());
        }
        return new Probe(Kind.BROKEN, "duplicate address check (arping -D on " + config.iface() + ") failed: "
                + r.describeFailure() + "; " + config.host() + " not added");
    }

    private String stillAnswered(String mac, Set<String> answered, long began, Duration wait) {
        return "address " + config.host() + " is already in use by " + mac + " (it still answered ARP on "
                + config.iface() + " after waiting " + millis(System.nanoTime() - began) + ", dad-wait "
                + IpConfig.text(wait) + (answered.size() > 1 ? "; answered meanwhile by " + String.join(", ", answered)
                : "");
    }

    private static String millis(long nanos) {
        return IpConfig.text(Duration.ofNanos(nanos).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }
}
