#!/usr/bin/env python3
"""Tables and JSON from bench/lab-failover.sh's CSV files.

    lab-report.py trials TRIALS_CSV RUN_TXT OUT_MD OUT_JSON
        One table per set-up (quorum on, quorum off), one row per scenario: trials, the client's outage (median,
        worst, best), trials still not served at the end of their observation, two-owner instants (sampled every
        10 ms, summed over the trials) and, for crash and cables, keepalived's outage in the same trials with
        the ratio of the medians (Vigil / keepalived); for switchover too (keepalived's planned move).

    lab-report.py reanalyze OUT
        Computes the outage columns of OUT/trials.csv again from the raw requests in OUT/raw (after a change
        of http-poll.py's gap), then writes OUT/results.md and OUT/results.json.

    lab-report.py saturate SATURATE_CSV RUN_TXT OUT_MD OUT_JSON
        The false failovers of an idle cluster under CPU saturation, one row per set-up.

An outage marked >= is a lower bound: in at least one trial the client was still (or again) not served when the
observation ended.
"""
import csv
import json
import os
import statistics
import subprocess
import sys

SCENARIOS = ["crash", "cables", "hbcut", "freeze1", "freeze3", "freeze10", "jvmkill", "switchover"]
WHAT = {
    "crash": "crash (every process killed, every cable pulled)",
    "cables": "every cable pulled (the node runs)",
    "hbcut": "heartbeat links cut (service links up)",
    "freeze1": "JVM frozen 1 s (SIGSTOP/SIGCONT)",
    "freeze3": "JVM frozen 3 s",
    "freeze10": "JVM frozen 10 s",
    "jvmkill": "JVM killed (kill -9, the rest runs)",
    "switchover": "planned switchover to node2 and back (keepalived: nopreempt move, its holder's keepalived restarted)",
}


def median(xs):
    return int(statistics.median(xs)) if xs else None


def summarize(rows):
    outs = [int(r["outage_ms"]) for r in rows]
    bound = [r for r in rows if r["served_after"] == "0" or r["down_at_end"] == "1"]
    owners = [int(r["two_owner_samples"] or 0) for r in rows]
    served = [int(r["served_ms"]) for r in rows if int(r["served_ms"]) >= 0]
    return {
        "served_again_median_ms": median(served),
        "never_served_trials": len(rows) - len(served),
        "trials": len(rows),
        "median_ms": median(outs),
        "worst_ms": max(outs) if outs else None,
        "best_ms": min(outs) if outs else None,
        "outages_ms": outs,
        "lower_bound_trials": len(bound),
        "two_owner_samples": sum(owners),
        "trials_with_two_owners": sum(1 for o in owners if o > 0),
        "sampler_max_gap_ms": max((int(r["sampler_max_gap_ms"] or 0) for r in rows), default=0),
        "left_at_end": sorted({"address on %s, served by %s" % (r["end_holders"], r["end_served"])
                               for r in rows if r.get("end_holders")}),
    }


def ms(v, bound):
    if v is None:
        return "-"
    return ("&ge; " if bound else "") + "%d ms" % v


def header(run_txt):
    with open(run_txt) as f:
        return [line[2:].rstrip() if line.startswith("# ") else line.rstrip() for line in f if line.strip()]


def trials(csv_path, run_txt, out_md, out_json):
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    setups = [s for s in ("on", "off") if any(r["setup"] == s for r in rows)]
    result = {"run": header(run_txt), "results": []}
    md = ["## Failover lab (bench/lab-failover.sh)", ""] + ["- " + h for h in result["run"]] + [""]
    for setup in setups:
        md += ["### Quorum %s" % setup, "",
               "| scenario | trials | served again, median | outage median | worst | best | two-owner instants (trials) "
               "| keepalived median | keepalived worst | ratio to keepalived | left at the end |",
               "|---|---|---|---|---|---|---|---|---|---|---|"]
        for scen in SCENARIOS + sorted({r["scenario"] for r in rows} - set(SCENARIOS)):
            vig = [r for r in rows if r["setup"] == setup and r["scenario"] == scen and r["system"] == "vigil"]
            if not vig:
                continue
            ka = [r for r in rows if r["setup"] == setup and r["scenario"] == scen and r["system"] == "keepalived"]
            v = summarize(vig)
            k = summarize(ka) if ka else None
            ratio = None
            if k and k["median_ms"]:
                ratio = round(v["median_ms"] / k["median_ms"], 2)
            v.update({"setup": setup, "scenario": scen, "system": "vigil", "ratio_to_keepalived": ratio})
            result["results"].append(v)
            if k:
                k.update({"setup": setup, "scenario": scen, "system": "keepalived"})
                result["results"].append(k)
            b = v["lower_bound_trials"] > 0
            md.append("| %s | %d | %s | %s | %s | %s | %d (%d) | %s | %s | %s | %s |" % (
                WHAT.get(scen, scen), v["trials"],
                ms(v["served_again_median_ms"], False) + (" (%d never)" % v["never_served_trials"]
                                                          if v["never_served_trials"] else ""),
                ms(v["median_ms"], b), ms(v["worst_ms"], b),
                ms(v["best_ms"], False), v["two_owner_samples"], v["trials_with_two_owners"],
                ms(k["median_ms"], k["lower_bound_trials"] > 0) if k else "-",
                ms(k["worst_ms"], k["lower_bound_trials"] > 0) if k else "-",
                ("%.2f" % ratio) if ratio is not None else "-", "; ".join(v["left_at_end"])))
        md.append("")
    md += ["Served again: from the fault until the client was first served again (the issue's \"crash -> the "
           "client is served again\"; 0 ms: no request failed). Outage: the longest gap between two successful answers to the client (polling every "
           "10 ms), from the fault, so a second interruption later in the trial (a heal, the node's return) counts; "
           "the ratio to keepalived compares outage medians of the same trials. Two-owner instants: 10 ms samples at which both nodes held the address on an interface "
           "that is up, from the fault to the end of the trial (node1 powered on again and online included); "
           "(trials) = how many trials had any. &ge;: at least one trial was still not served at its end. "
           "Left at the end: where the address was and who answered when the trial ended (before the bench set "
           "the lab up again for the next trial). Longest time between two samples of the sampler: %d ms." % max(
               (r["sampler_max_gap_ms"] for r in result["results"]), default=0), ""]
    with open(out_md, "w") as f:
        f.write("\n".join(md))
    with open(out_json, "w") as f:
        json.dump(result, f, indent=2)
    return 0


def saturate(csv_path, run_txt, out_md, out_json):
    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    result = {"run": header(run_txt), "results": rows}
    md = ["## False failovers of an idle cluster under CPU saturation (bench/lab-failover.sh --saturate)", ""]
    md += ["- " + h for h in result["run"]] + [""]
    md += ["| set-up | seconds | busy loops | node-lost events | path-down events | moves of the address "
           "| two-owner instants | longest gap for the client | load average (1/5/15 min) at the end |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        md.append("| quorum %s | %s | %d | %s | %s | %s | %s | %s ms | %s |" % (
            r["setup"], r["seconds"], 2 * int(r["cores"]), r["node_lost"], r["path_down"],
            r["holder_changes"], r["two_owner_samples"], r["longest_gap_ms"], r["loadavg"]))
    md += ["", "A false failover is a node-lost event or any change of the address's holder while both nodes ran "
           "(the client polling every 50 ms through it).", ""]
    with open(out_md, "w") as f:
        f.write("\n".join(md))
    with open(out_json, "w") as f:
        json.dump(result, f, indent=2)
    return 0


def reanalyze(out):
    path = os.path.join(out, "trials.csv")
    with open(path) as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    poll = os.path.join(os.path.dirname(os.path.abspath(__file__)), "http-poll.py")
    for r in rows:
        raw = os.path.join(out, "raw", "%s-%s-%s.poll" % (r["setup"], r["scenario"], r["trial"]))
        g = subprocess.run([sys.executable, poll, "gap", raw, r["system"], r["fault_ms"]], check=True,
                           capture_output=True, text=True).stdout.split()
        for kv in g:
            k, _, v = kv.partition("=")
            if k in r:
                r[k] = v
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return trials(path, os.path.join(out, "run.txt"), os.path.join(out, "results.md"),
                  os.path.join(out, "results.json"))


def main(argv):
    if len(argv) == 3 and argv[1] == "reanalyze":
        return reanalyze(argv[2])
    if len(argv) == 6 and argv[1] == "trials":
        return trials(*argv[2:])
    if len(argv) == 6 and argv[1] == "saturate":
        return saturate(*argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
