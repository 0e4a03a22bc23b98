#!/usr/bin/python3
"""Merges the four eas-bench reports of benchmarks/peer/side-by-side.sh (and its sogod memory samples) into one
table: memory per parked device, wake latency p50/p99/max, the ratios SOGo / easgate, the load average.

    side_by_side_report.py OUT_DIR DEVICES RATE SOGO_WORKERS SOGO_POLL_SECONDS

Writes OUT_DIR/side-by-side.md and OUT_DIR/side-by-side.json; prints the markdown.
"""
import json
import os
import sys


def load(out, name):
    with open(os.path.join(out, name, "report.json"), encoding="utf-8") as f:
        return json.load(f)


def sample(out, name):
    """'RSS_KB PSS_KB PROCESSES' written by side-by-side.sh, as bytes."""
    with open(os.path.join(out, name), encoding="utf-8") as f:
        rss_kb, pss_kb, procs = (int(v) for v in f.read().split())
    return {"rss_bytes": rss_kb * 1024, "pss_bytes": pss_kb * 1024, "processes": procs}


def per(total, count):
    return None if total is None or not count else total / count


def ratio(a, b):
    return None if a is None or b is None or b <= 0 else a / b


def size(b):
    if b is None:
        return "n/a"
    if abs(b) >= 1024 * 1024:
        return f"{b / 1048576:.1f} MiB"
    return f"{b / 1024:.1f} KiB"


def ms(v):
    if v is None:
        return "n/a"
    return f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.1f} ms"


def times(r):
    return "n/a" if r is None else f"{r:,.0f}×"


def wake_of(report):
    w = report.get("wake") or {}
    keys = ("p50_ms", "p99_ms", "max_ms", "count", "changes", "woken", "misses", "false_wakes", "late_wakes",
            "rate_achieved_per_s", "change_errors")
    return {k: w.get(k) for k in keys}


def main():
    out, devices, rate, workers, poll = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    s_idle, s_wake = load(out, "sogo-idle"), load(out, "sogo-wake")
    e_idle, e_wake = load(out, "easgate-idle"), load(out, "easgate-wake")
    cold = sample(out, "sogo.cold")
    parked_sample = sample(out, "sogo-idle.during")
    s_parked = s_idle.get("parked") or 0
    e_parked = e_idle.get("parked") or 0
    e_mem = e_idle.get("memory", {})
    s_mem = s_idle.get("memory", {})

    sogo = {
        "parked": s_parked,
        "workers": int(workers),
        "poll_seconds": int(poll),
        "cold_idle": cold,
        "parked_sample": parked_sample,
        "rss_delta_per_parked_device": per(parked_sample["rss_bytes"] - cold["rss_bytes"], s_parked),
        "pss_delta_per_parked_device": per(parked_sample["pss_bytes"] - cold["pss_bytes"], s_parked),
        "rss_total_per_parked_device": per(parked_sample["rss_bytes"], s_parked),
        "pss_total_per_parked_device": per(parked_sample["pss_bytes"], s_parked),
        "eas_bench_rss_bytes_per_parked_device": s_idle.get("rss_bytes_per_parked_device"),
        "eas_bench_baseline_rss_bytes": s_mem.get("baseline_rss_bytes"),
        "eas_bench_parked_rss_bytes": s_mem.get("parked_rss_bytes"),
        "idle_errors": s_idle.get("errors"),
        "wake": wake_of(s_wake),
        "wake_errors": s_wake.get("errors"),
    }
    easgate = {
        "parked": e_parked,
        "baseline_rss_bytes": e_mem.get("baseline_rss_bytes"),
        "parked_rss_bytes": e_mem.get("parked_rss_bytes"),
        "rss_per_parked_device": e_idle.get("rss_bytes_per_parked_device"),
        "baseline_live_heap_bytes": e_mem.get("baseline_live_heap_bytes"),
        "parked_live_heap_bytes": e_mem.get("parked_live_heap_bytes"),
        "live_heap_per_parked_device": e_mem.get("live_heap_bytes_per_parked_device"),
        "idle_errors": e_idle.get("errors"),
        "wake": wake_of(e_wake),
        "wake_errors": e_wake.get("errors"),
    }
    e_rss = easgate["rss_per_parked_device"]
    ratios = {
        "rss_delta_sogo_over_easgate_rss": ratio(sogo["rss_delta_per_parked_device"], e_rss),
        "pss_delta_sogo_over_easgate_rss": ratio(sogo["pss_delta_per_parked_device"], e_rss),
        "pss_total_sogo_over_easgate_rss": ratio(sogo["pss_total_per_parked_device"], e_rss),
        "pss_delta_sogo_over_easgate_live_heap": ratio(sogo["pss_delta_per_parked_device"],
                                                       easgate["live_heap_per_parked_device"]),
        "wake_p50": ratio(sogo["wake"]["p50_ms"], easgate["wake"]["p50_ms"]),
        "wake_p99": ratio(sogo["wake"]["p99_ms"], easgate["wake"]["p99_ms"]),
        "wake_max": ratio(sogo["wake"]["max_ms"], easgate["wake"]["max_ms"]),
    }
    with open(os.path.join(out, "loadavg.txt"), encoding="utf-8") as f:
        loads = [line.strip() for line in f if line.strip()]
    result = {"devices": devices, "rate_per_s": float(rate), "sogo": sogo, "easgate": easgate, "ratios": ratios,
              "load": loads}
    with open(os.path.join(out, "side-by-side.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)

    sw, ew = sogo["wake"], easgate["wake"]
    rows = [
        ("devices parked (idle)", f"{e_parked} of {devices}", f"{s_parked} of {devices} ({workers} workers)", ""),
        ("memory before any device", f"RSS {size(easgate['baseline_rss_bytes'])}, live heap "
         f"{size(easgate['baseline_live_heap_bytes'])} (after eas-bench's warm-up)",
         f"VmRSS sum {size(cold['rss_bytes'])}, Pss sum {size(cold['pss_bytes'])} "
         f"({cold['processes']} processes, before any EAS request)", ""),
        ("memory with all parked", f"RSS {size(easgate['parked_rss_bytes'])}, live heap "
         f"{size(easgate['parked_live_heap_bytes'])}",
         f"VmRSS sum {size(parked_sample['rss_bytes'])}, Pss sum {size(parked_sample['pss_bytes'])}", ""),
        ("memory per parked device", f"RSS {size(e_rss)}, live heap {size(easgate['live_heap_per_parked_device'])}",
         f"VmRSS {size(sogo['rss_delta_per_parked_device'])}, Pss {size(sogo['pss_delta_per_parked_device'])} "
         f"(growth over cold idle); Pss total / parked {size(sogo['pss_total_per_parked_device'])}",
         f"RSS: {times(ratios['rss_delta_sogo_over_easgate_rss'])}; Pss vs RSS: "
         f"{times(ratios['pss_delta_sogo_over_easgate_rss'])}; Pss vs live heap: "
         f"{times(ratios['pss_delta_sogo_over_easgate_live_heap'])}"),
        ("wake latency p50", ms(ew["p50_ms"]), ms(sw["p50_ms"]), times(ratios["wake_p50"])),
        ("wake latency p99", ms(ew["p99_ms"]), ms(sw["p99_ms"]), times(ratios["wake_p99"])),
        ("wake latency max", ms(ew["max_ms"]), ms(sw["max_ms"]), times(ratios["wake_max"])),
        ("wakes (changes, misses, false)",
         f"{ew['woken']} of {ew['changes']}, {ew['misses']} misses, {ew['false_wakes']} false",
         f"{sw['woken']} of {sw['changes']}, {sw['misses']} misses, {sw['false_wakes']} false "
         f"(SOGoInternalSyncInterval {poll} s)", ""),
        ("errors (idle, wake)", f"{easgate['idle_errors']}, {easgate['wake_errors']}",
         f"{sogo['idle_errors']}, {sogo['wake_errors']}", ""),
    ]
    lines = [f"# easgate and SOGo side by side: {devices} devices, wake changes {rate}/s (SendMail to oneself)", "",
             "| | easgate (one node, shipped defaults) | SOGo 5.8 ActiveSync | SOGo / easgate |",
             "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "Load average (1, 5, 15 min): " + "; ".join(loads)]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "side-by-side.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
