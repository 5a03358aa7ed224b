#!/usr/bin/python3
"""Runs ntkviz-bench, the GEMM probes and the PyTorch peers one after the other in one run, on the same shapes,
and prints a Markdown table of ratios against the targets of issue 5, each marked PASS or FAIL.

Usually started through bench/run_bench.sh, which installs what is missing and builds first:
  /usr/bin/python3 bench/run_bench.py --build-dir build-bench [--shapes all] [--reps 9] [--threads 2]
                                      [--skip-gui | --gui-only] [--gui-seconds 25] [--skip-cli-scale]
                                      [--only cli_scale|first_frame ...]

After ntkviz-bench and the peers, the n = 10,000 run as a user starts it: ntkviz-cli train with --out, timed
from outside (wall time, peak resident memory, the share of the wall time spent writing the files after the
run's last progress line). ntkviz-gui-bench (the real window offscreen: settings change to first frame,
event-loop stalls while training, memory over a long run) runs last, when it was built; --gui-only runs it
alone. --only runs just the named rows (repeatable): cli_scale, first_frame.

The raw JSON of every program goes to --out (default <build-dir>/results/<timestamp>/) beside table.md.
The programs run sequentially, never concurrently, so they do not compete for the 2 cores; a ratio is only
meaningful between numbers of the same run, because this machine is shared and its speed drifts.
"""
import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "peers", "torch_ntk_peer.py")


def run_json(command, label):
    print(f"[run_bench] {label}: {' '.join(shlex.quote(c) for c in command)}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    print(f"[run_bench] {label} took {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return json.loads(completed.stdout)


def merge(parts):
    """One report from the per-half reports: results concatenated, each half's GEMM peak kept.
    Every share_of_peak was computed by its own half against the peak measured in that same process."""
    if not parts:
        return None
    merged = dict(parts[0])
    merged["results"] = [entry for part in parts for entry in part["results"]]
    merged["gemm_peaks_gflops"] = [part["gemm_peak_gflops"] for part in parts]
    return merged


def find(report, name, **shape):
    """The first result called `name` whose shape has all the given entries."""
    if not report:
        return None
    for entry in report["results"]:
        if entry["name"] == name and all(entry["shape"].get(k) == v for k, v in shape.items()):
            return entry
    return None


def seconds(entry):
    return entry.get("seconds_median") if entry else None


def fmt_seconds(value):
    if value is None:
        return "n/a"
    return f"{value * 1e3:.2f} ms" if value < 1.0 else f"{value:.2f} s"


def fmt(value, digits=3, unit=""):
    return "n/a" if value is None else f"{value:.{digits}g}{unit}"


class Table:
    def __init__(self):
        self.rows = []

    def check(self, label, ours, peer, value, target_text, passed):
        verdict = "n/a" if passed is None else ("PASS" if passed else "FAIL")
        self.rows.append((label, ours, peer, value, target_text, verdict))

    def markdown(self):
        header = ("check", "ours", "reference", "measured", "target", "verdict")
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def fastest_layerwise(peer, **shape):
    """The torch layer-wise peer at its faster thread setting (--threads or 1): the stronger reference."""
    candidates = [e for e in (find(peer, "ntk_layerwise", **shape), find(peer, "ntk_layerwise_threads1", **shape)) if e]
    return min(candidates, key=lambda e: e["seconds_median"]) if candidates else None


def build_target_table(ours, peer):
    table = Table()
    kernel_small = dict(n=200, d=784, w=128, L=1, O=10)
    kernel_mid = dict(n=500, d=784, w=128, L=1, O=10)
    kernel_large = dict(n=2000, d=784, w=512, L=3, O=10)

    for label, shape in (("NTK build n=200 w=128 L=1 vs torch layer-wise", kernel_small),
                         ("NTK build n=2000 w=512 L=3 vs torch layer-wise", kernel_large)):
        reference = fastest_layerwise(peer, **shape)
        a, b = seconds(find(ours, "ntk_build", **shape)), seconds(reference)
        r = ratio(a, b)
        threads = f" ({reference['torch_threads']} thr)" if reference else ""
        table.check(label, fmt_seconds(a), fmt_seconds(b) + threads, fmt(r, unit="x"), "<= 0.7x",
                    None if r is None else r <= 0.7)

    large = find(ours, "ntk_build", **kernel_large)
    share = large.get("share_of_peak") if large else None
    table.check("NTK build n=2000 w=512 L=3, share of our GEMM peak",
                f"{fmt(large['gflops'])} GFLOP/s" if large else "n/a",
                f"peak {fmt(large['gflops'] / share)} GFLOP/s" if share else "n/a",
                "n/a" if share is None else f"{share * 100:.0f}%", ">= 80%",
                None if share is None else share >= 0.8)

    single = find(ours, "ntk_build_single", **kernel_large)
    speedup = single.get("speedup_vs_double") if single else None
    table.check("NTK build n=2000 w=512 L=3, single vs double precision (same run, alternating)",
                fmt_seconds(seconds(single)), fmt_seconds(single.get("double_seconds_median")) if single else "n/a",
                fmt(speedup, unit="x faster"), ">= 1.7x faster", None if speedup is None else speedup >= 1.7)
    error = single.get("eigenvalue_error") if single else None
    table.check("single-precision kernel: eigenvalue error, max_i abs(l_single_i - l_double_i) / l_double_1",
                fmt(error), "double kernel", fmt(error), "reported", None)

    a, b = seconds(find(ours, "ntk_build", **kernel_mid)), seconds(find(peer, "ntk_vmap_jacrev", **kernel_mid))
    speedup = ratio(b, a)
    table.check("NTK build n=500 w=128 L=1 vs torch vmap(jacrev)", fmt_seconds(a), fmt_seconds(b),
                f"{fmt(speedup, unit='x')} faster (ratio {fmt(ratio(a, b), 2)})", ">= 100x faster",
                None if speedup is None else speedup >= 100)

    for n in (2000, 4000):
        a, b = seconds(find(ours, "full_spectrum", n=n)), seconds(find(peer, "eigvalsh", n=n))
        r = ratio(a, b)
        table.check(f"full spectrum n={n} vs torch eigvalsh", fmt_seconds(a), fmt_seconds(b), fmt(r, unit="x"),
                    "<= 1.2x", None if r is None else r <= 1.2)

    top = find(ours, "top_spectrum", n=8000)
    full = find(ours, "full_spectrum", n=8000)
    speedup = top.get("speedup_vs_full") if top else None
    table.check("top-32 n=8000 vs our full solve", fmt_seconds(seconds(top)), fmt_seconds(seconds(full)),
                fmt(speedup, unit="x faster"), ">= 10x faster", None if speedup is None else speedup >= 10)
    agreement = top.get("agreement_vs_full") if top else None
    table.check("top-32 n=8000 agreement, max_i abs(l_top_i - l_full_i) / l_full_1", fmt(agreement), "full solve",
                fmt(agreement), "<= 1e-8", None if agreement is None else agreement <= 1e-8)

    epoch = find(ours, "epoch", n=200, w=128, L=1)
    rate = epoch.get("epochs_per_second") if epoch else None
    table.check("default scene n=200 w=128 L=1: whole epochs", fmt_seconds(seconds(epoch)) + "/epoch" if epoch
                else "n/a", "-", fmt(rate, unit=" epochs/s"), ">= 150 epochs/s",
                None if rate is None else rate >= 150)

    epoch = find(ours, "epoch", n=2000, w=512, L=2)
    kernel = epoch.get("kernel_and_spectrum_seconds_median") if epoch else None
    table.check("n=2000 w=512 L=2: NTK + spectrum per epoch", fmt_seconds(kernel),
                f"epoch {fmt_seconds(seconds(epoch))}", fmt_seconds(kernel), "<= 1 s",
                None if kernel is None else kernel <= 1.0)

    epoch = find(ours, "epoch_single_kernel", n=2000, w=512, L=2)
    kernel = epoch.get("kernel_and_spectrum_seconds_median") if epoch else None
    table.check("n=2000 w=512 L=2: NTK + spectrum per epoch, kernel_precision single", fmt_seconds(kernel),
                f"epoch {fmt_seconds(seconds(epoch))}", fmt_seconds(kernel), "<= 1 s",
                None if kernel is None else kernel <= 1.0)

    scale = find(ours, "scale", n=10000, w=512, L=2)
    total = seconds(scale)
    peak = scale.get("peak_resident_bytes") if scale else None
    table.check("scale n=10000 w=512 L=2, the kernel alone (ntkviz-bench): full NTK + top-32", fmt_seconds(total),
                f"build {fmt_seconds(scale.get('build_seconds'))}, top-32 {fmt_seconds(scale.get('top_k_seconds'))}"
                if scale else "n/a", fmt_seconds(total), "<= 60 s", None if total is None else total <= 60.0)
    table.check("scale n=10000 w=512 L=2, the kernel alone (ntkviz-bench): peak resident memory",
                fmt(peak and peak / 1e9, unit=" GB"), "-",
                fmt(peak and peak / 1e9, unit=" GB"), "<= 1.5 GB", None if peak is None else peak <= 1.5e9)
    return table


# ---------------------------------------------------------------------------------------------------------
# The n = 10,000 run as a user starts it (ntkviz-cli), measured from outside

CLI_SCALE_FLAGS = ["--n", "10000", "--width", "512", "--depth", "2", "--top-k", "32", "--epochs", "1",
                   "--test-n", "0"]
CLI_SCALE_PEAK_TARGET_BYTES = 1.8e9
CLI_SCALE_EXPORT_SHARE_TARGET = 0.10
FINISHED_LINE = re.compile(r"^(?P<status>.*) in (?P<seconds>[0-9.eE+-]+) s$")
EPOCH_LINE = re.compile(r"^epoch (?P<epoch>\d+)/")


def run_cli_scale(cli, scratch_parent):
    """`ntkviz-cli train CLI_SCALE_FLAGS --out DIR` in a child process. Wall time and peak resident memory come
    from the child's own rusage (wait4). The CLI prints no export time: its last progress line, "finished at
    epoch 1 in X s", comes when the run is over (X: the run's time from the start of the run driver, data
    loading included) and before the files are written, so the export is the time from that line to the
    process's exit (teardown included, a few ms), each stamped as the line is read from the pipe."""
    out_dir = tempfile.mkdtemp(prefix="cli-scale-", dir=scratch_parent)
    command = [cli, "train", *CLI_SCALE_FLAGS, "--out", out_dir]
    print(f"[run_bench] cli scale: {' '.join(shlex.quote(c) for c in command)}", file=sys.stderr, flush=True)
    load_before = os.getloadavg()
    lines = []
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def read_progress():
        for raw in iter(proc.stderr.readline, b""):
            lines.append((time.perf_counter() - start, raw.decode(errors="replace").rstrip("\n")))

    # Resident memory every 0.2 s, to tell which phase the peak belongs to (the peak itself is ru_maxrss).
    rss = []
    running = threading.Event()
    running.set()

    def sample_rss():
        while running.is_set():
            try:
                with open(f"/proc/{proc.pid}/status") as status_file:
                    for line in status_file:
                        if line.startswith("VmRSS:"):
                            rss.append((time.perf_counter() - start, int(line.split()[1]) * 1024))
                            break
            except OSError:
                pass  # exited (a zombie has no VmRSS line)
            time.sleep(0.2)

    reader = threading.Thread(target=read_progress, daemon=True)
    sampler = threading.Thread(target=sample_rss, daemon=True)
    reader.start()
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    running.clear()
    reader.join()
    sampler.join()
    proc.stderr.close()
    print(f"[run_bench] cli scale took {wall:.0f} s", file=sys.stderr, flush=True)

    files = {}
    for root, _, names in os.walk(out_dir):
        for name in names:
            path = os.path.join(root, name)
            files[os.path.relpath(path, out_dir)] = os.path.getsize(path)
    shutil.rmtree(out_dir)  # 1.6 GB of kernels; the JSON keeps the sizes

    entry = {
        "name": "cli_scale",
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(shlex.quote(c) for c in [os.path.basename(cli), "train", *CLI_SCALE_FLAGS, "--out", "DIR"]),
        "shape": {"n": 10000, "w": 512, "L": 2, "top_k": 32, "epochs": 1, "test_n": 0},
        "exit_code": proc.returncode,
        "wall_seconds": wall,
        "peak_resident_bytes": usage.ru_maxrss * 1024,  # Linux reports kB
        "user_seconds": usage.ru_utime,
        "system_seconds": usage.ru_stime,
        "major_page_faults": usage.ru_majflt,
        "blocks_written": usage.ru_oublock,  # 512-byte units
        "progress": [{"at_s": at, "line": line} for at, line in lines],
        "rss_samples": [{"at_s": at, "bytes": value} for at, value in rss],
        "files": files,
        "bytes_in_files": sum(files.values()),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    finished = [(at, FINISHED_LINE.match(line)) for at, line in lines if FINISHED_LINE.match(line)]
    if proc.returncode == 0 and finished:
        at, match = finished[-1]
        entry["status"] = match["status"]
        entry["run_seconds"] = float(match["seconds"])
        entry["finished_line_at_seconds"] = at
        entry["export_seconds"] = wall - at
        entry["export_share"] = (wall - at) / wall
        entry["share_outside_the_run"] = (wall - entry["run_seconds"]) / wall  # also process start and exit
    epochs = {int(m["epoch"]): at for at, line in lines if (m := EPOCH_LINE.match(line))}
    entry["epoch_line_at_seconds"] = {str(k): v for k, v in sorted(epochs.items())}
    # The largest sampled resident memory in each phase, cut at the progress lines.
    cuts = [("to the epoch 0 line", epochs.get(0)), ("to the finished line", entry.get("finished_line_at_seconds")),
            ("export and exit", wall)]
    phases, begin = {}, 0.0
    for name, end in cuts:
        if end is None:
            continue
        inside = [value for at, value in rss if begin <= at < end]
        phases[name] = {"from_s": begin, "to_s": end, "max_sampled_bytes": max(inside, default=None)}
        begin = end
    entry["rss_by_phase"] = phases
    return entry


def add_cli_scale_rows(table, cli, ours=None):
    if not cli:
        return
    label = ("scale n=10000 w=512 L=2, the run a user starts (ntkviz-cli train --top-k 32 --epochs 1 --test-n 0 "
             "--out)")
    if cli["exit_code"] != 0 or "export_share" not in cli:
        last = cli["progress"][-1]["line"] if cli["progress"] else "no output"
        table.check(f"{label}: ran", f"exit code {cli['exit_code']}", last.replace("|", "/"), "failed", "exit 0",
                    False)
        return
    wall, run, export = cli["wall_seconds"], cli["run_seconds"], cli["export_seconds"]
    epoch_at = cli["epoch_line_at_seconds"]
    table.check(f"{label}: wall time", fmt_seconds(wall),
                f"run {fmt_seconds(run)} (epoch 0 line at {fmt_seconds(epoch_at.get('0'))}, epoch 1 at "
                f"{fmt_seconds(epoch_at.get('1'))}), then export {fmt_seconds(export)}",
                fmt_seconds(wall), "reported", None)
    peak = cli["peak_resident_bytes"]
    kernel_alone = find(ours, "scale", n=10000, w=512, L=2)
    kernel_peak = kernel_alone.get("peak_resident_bytes") if kernel_alone else None
    table.check(f"{label}: peak resident memory (child's ru_maxrss)", fmt(peak / 1e9, unit=" GB"),
                f"kernel alone {fmt(kernel_peak / 1e9, unit=' GB')}" if kernel_peak else "-",
                fmt(peak / 1e9, unit=" GB"), f"<= {CLI_SCALE_PEAK_TARGET_BYTES / 1e9:.1f} GB",
                peak <= CLI_SCALE_PEAK_TARGET_BYTES)
    share = cli["export_share"]
    table.check(f"{label}: share of the wall time spent writing the files (last progress line to exit)",
                f"{fmt_seconds(export)} of {fmt_seconds(wall)}, {cli['bytes_in_files'] / 1e9:.2f} GB in "
                f"{len(cli['files'])} files",
                f"(wall - run)/wall {cli['share_outside_the_run'] * 100:.1f}%",
                f"{share * 100:.1f}%", f"<= {CLI_SCALE_EXPORT_SHARE_TARGET * 100:.0f}%",
                share <= CLI_SCALE_EXPORT_SHARE_TARGET)


def cli_context_rows(cli):
    if not cli or "export_share" not in cli:
        return []
    largest = sorted(cli["files"].items(), key=lambda item: -item[1])[:3]
    rate = cli["bytes_in_files"] / cli["export_seconds"] / 1e6 if cli["export_seconds"] > 0 else 0
    load = " ".join(f"{v:.2f}" for v in cli["load_average_before"])
    return [
        ("cli scale n=10000: progress lines (s after start)",
         "; ".join(f"{p['at_s']:.2f}: {p['line']}" for p in cli["progress"])),
        ("cli scale n=10000: files written",
         f"{cli['bytes_in_files'] / 1e9:.2f} GB in {fmt_seconds(cli['export_seconds'])} ({rate:.0f} MB/s); largest "
         + ", ".join(f"{name} {size / 1e6:.0f} MB" for name, size in largest)),
        ("cli scale n=10000: largest resident memory sampled every 0.2 s, by phase (peak: ru_maxrss "
         f"{cli['peak_resident_bytes'] / 1e9:.2f} GB)",
         "; ".join(f"{name} ({p['from_s']:.0f}-{p['to_s']:.0f} s): "
                   + ("n/a" if p["max_sampled_bytes"] is None else f"{p['max_sampled_bytes'] / 1e9:.2f} GB")
                   for name, p in cli.get("rss_by_phase", {}).items())),
        ("cli scale n=10000: CPU and load",
         f"user {cli['user_seconds']:.0f} s, system {cli['system_seconds']:.0f} s over {cli['wall_seconds']:.0f} s wall; "
         f"load average before {load}"),
    ]


def find_gui(gui, name, scenario=None):
    if not gui:
        return None
    for entry in gui["results"]:
        if entry["name"] == name and (scenario is None or entry.get("scenario") == scenario):
            return entry
    return None


STALL_TARGET_MS = 50.0
GROWTH_TARGET_MB = 50.0
# Settings change to the first frame whose spectrum, lambda_max and trace show the new run's epoch 0.
FIRST_FRAME_TARGET_S = {"large": 1.5, "default_scene": 0.15}


def add_first_frame_rows(table, gui):
    for scenario in ("large", "default_scene"):
        entry = find_gui(gui, "gui_first_frame", scenario)
        if not entry:
            continue
        shape, changes = entry["shape"], entry["changes"]
        target = FIRST_FRAME_TARGET_S[scenario]
        frames = [c["first_frame_s"] for c in changes]
        worst = entry["first_frame_seconds_max"]
        verified = entry["all_verified"] and entry["all_epoch0_values_differ_from_previous_run"]
        label = (f"window {entry['dataset']} n={shape['n']} w={shape['w']} L={shape['L']}: settings change -> first "
                 f"frame with the new run's epoch 0 in spectrum, lambda_max and trace ({len(changes)} changes)")
        ours = f"median {fmt_seconds(entry['first_frame_seconds_median'])}, max {fmt_seconds(worst)}"
        if not verified:
            ours += " (plots NOT verified against the run's history)"
        reference = (f"epoch 0 in the GUI at median "
                     f"{fmt_seconds(statistics.median(c['epoch0_in_history_s'] for c in changes))} (worker NTK + "
                     f"spectrum {fmt_seconds(statistics.median(c['epoch0_kernel_seconds'] for c in changes))})")
        table.check(label, ours, reference, fmt_seconds(worst), f"<= {fmt_seconds(target)} (max)",
                    worst <= target and verified)
        if scenario == "large":
            theory = [c["theory_in_history_s"] for c in changes]
            later = [t - f for t, f in zip(theory, frames)]
            table.check(f"window n={shape['n']} w={shape['w']} L={shape['L']}: epoch 0's theory (spectral bias, "
                        f"linearized, infinite width) after the change",
                        f"in the GUI at median {fmt_seconds(entry['theory_in_history_seconds_median'])}, max "
                        f"{fmt_seconds(entry['theory_in_history_seconds_max'])}; drawn at median "
                        f"{fmt_seconds(entry['theory_first_frame_seconds_median'])}",
                        f"first frame median {fmt_seconds(entry['first_frame_seconds_median'])}",
                        f"{fmt_seconds(min(later))} to {fmt_seconds(max(later))} after the first frame",
                        "after the first frame", min(later) > 0)


def add_gui_rows(table, gui):
    """Issue 5's live-view targets: settings change to first frame, event-loop stalls while training, resident
    memory over a long run."""
    add_first_frame_rows(table, gui)
    for scenario in ("large", "default_scene"):
        entry = find_gui(gui, "gui_responsiveness", scenario)
        if not entry:
            continue
        shape, gaps = entry["shape"], entry["event_loop_gaps"]
        label = (f"live window n={shape['n']} d={shape['d']} w={shape['w']} L={shape['L']}: event-loop stalls "
                 f"while training (gap of a {gaps['timer_interval_ms']} ms GUI timer)")
        ours = (f"max {gaps['max_ms']:.0f} ms, p99 {gaps['p99_ms']:.1f} ms, "
                f"{gaps['stalls_over_50ms']} gaps > 50 ms in {entry['measured_seconds']:.0f} s")
        reference = (f"{entry['epochs_completed']} epochs, NTK + spectrum median "
                     f"{fmt_seconds(entry['kernel_and_spectrum_seconds_median'])}, {entry['redraws']} redraws")
        table.check(label, ours, reference, f"{gaps['max_ms']:.0f} ms", f"< {STALL_TARGET_MS:.0f} ms",
                    gaps["max_ms"] < STALL_TARGET_MS)
        if scenario == "large":
            kernel = entry["kernel_and_spectrum_seconds_median"] if entry["kernel_epochs_measured"] else None
            table.check(f"live window n={shape['n']} w={shape['w']} L={shape['L']}: NTK + spectrum per epoch "
                        f"(worker, median of {entry['kernel_epochs_measured']})", fmt_seconds(kernel), "-",
                        fmt_seconds(kernel), "<= 1 s", None if kernel is None else kernel <= 1.0)
    memory = find_gui(gui, "gui_long_run_memory")
    if memory:
        epochs = memory["shape"]["epochs"]
        growth = memory["rss_growth_mb"] if memory["finished"] and memory["rss_warm_mb"] >= 0 else None
        table.check(f"{epochs} epochs of live plotting (moons n={memory['shape']['n']} w={memory['shape']['w']}): "
                    f"resident memory growth",
                    f"VmRSS {memory['rss_warm_mb']:.0f} MB at epoch {memory['rss_warm_epoch']} -> "
                    f"{memory['rss_end_mb']:.0f} MB at epoch {memory['last_epoch']}",
                    f"{memory['run_seconds']:.0f} s, {memory['redraws']} redraws",
                    "n/a" if growth is None else f"{growth:+.1f} MB", f"< {GROWTH_TARGET_MB:.0f} MB",
                    None if growth is None else growth < GROWTH_TARGET_MB)
        plotted = memory["plotted"]
        all_epochs = memory["last_epoch"] + 1
        complete = bool(plotted) and all(p["points"] == all_epochs and p["first_epoch"] == 0
                                         and p["last_epoch"] == memory["last_epoch"] for p in plotted.values())
        table.check(f"{epochs} epochs of live plotting: every epoch still plotted (spectra decimated)",
                    ", ".join(f"{name} {p['points']} points" for name, p in plotted.items()),
                    f"{memory['stored_spectra']} spectra stored (budget {memory['max_stored_spectra']})",
                    f"{min((p['points'] for p in plotted.values()), default=0)} / {all_epochs}",
                    f"all {all_epochs}", complete if memory["finished"] else None)


def gui_context_rows(gui):
    """Where the GUI thread's time went, per scenario: the basis for any stall's diagnosis."""
    rows = []
    if not gui:
        return rows
    for entry in gui["results"]:
        if entry["name"] == "gui_first_frame":
            shape = entry["shape"]
            label = f"GUI first frame n={shape['n']} w={shape['w']} L={shape['L']} ({entry['window']})"
            opened = entry["window_open"]
            rows.append((f"{label}: opening the window (its first run; data set loaded unless cached)",
                         f"data ready {fmt_seconds(opened['data_ready_s'])}, epoch 0 in the GUI "
                         f"{fmt_seconds(opened['epoch0_in_history_s'])}, first frame "
                         f"{fmt_seconds(opened['first_frame_s'])}, theory {fmt_seconds(opened['theory_in_history_s'])}"))
            rows.append((f"{label}: per change, data ready / epoch 0 in the GUI / first frame / theory in the GUI "
                         f"(worker NTK + spectrum of epoch 0; previous run's epoch on screen)",
                         "; ".join(f"{c['data_ready_s']:.3f} / {c['epoch0_in_history_s']:.3f} / "
                                   f"{c['first_frame_s']:.3f} / {c['theory_in_history_s']:.3f} s "
                                   f"({c['epoch0_kernel_seconds']:.3f} s; epoch {c['previous_latest_epoch']})"
                                   for c in entry["changes"])))
            load = entry["load_average_before"]
            rows.append((f"{label}: load average before", " ".join(f"{v:.2f}" for v in load)))
            continue
        if entry["name"] == "gui_responsiveness":
            shape = entry["shape"]
            label = f"GUI n={shape['n']} w={shape['w']} L={shape['L']} ({entry['window']})"
            busy = entry["gui_thread_cpu_seconds"] / entry["measured_seconds"] if entry["measured_seconds"] else 0
            rows.append((f"{label}: GUI thread CPU", f"{busy * 100:.0f}% of {entry['measured_seconds']:.0f} s"))
        else:
            label = f"GUI long run ({entry['shape']['epochs']} epochs)"
            gaps = entry["event_loop_gaps"]
            rows.append((f"{label}: event-loop gaps", f"max {gaps['max_ms']:.0f} ms, p99 {gaps['p99_ms']:.1f} ms, "
                         f"{gaps['stalls_over_50ms']} > 50 ms"))
            samples = ", ".join(f"{s['epoch']}: {s['rss_mb']:.0f}" for s in entry["rss_samples"])
            rows.append((f"{label}: VmRSS MB by epoch", samples))
        hot = [h for h in entry["dispatch_hotspots"] if not h["dispatch"].startswith("(")][:4]
        if hot:
            rows.append((f"{label}: busiest GUI dispatches (total / max)",
                         "; ".join(f"{h['dispatch']} x{h['count']} {h['total_ms']:.0f} / {h['max_ms']:.0f} ms"
                                   for h in hot)))
        costs = entry.get("plot_costs_after_run")
        if costs:
            rows.append((f"{label}: one redraw per visible plot (rebuild + replot)",
                         "; ".join(f"{c['plot']} {c['rebuild_ms']:.1f} + {c['replot_ms']:.1f} ms" for c in costs)))
        worst = entry["event_loop_gaps"]["worst_stalls"][:3]
        if worst:
            rows.append((f"{label}: worst gaps (GUI thread CPU during them)",
                         "; ".join(f"{w['gap_ms']:.0f} ms ({w['gui_thread_cpu_ms']:.0f} ms CPU, "
                                   f"{w['involuntary_context_switches']} preemptions, "
                                   f"{w.get('voluntary_context_switches', '?')} sleeps, "
                                   f"{w.get('major_page_faults', '?')} major faults)" for w in worst)))
    return rows


def build_context_table(ours, peer, probes, gui=None, cli=None):
    """Numbers that explain the verdicts; no targets."""
    rows = []
    if ours:
        backend = ours.get("products_backend", "Eigen's own kernels")
        threads = ours.get("blas_threads") if backend.startswith("BLAS") else ours["eigen_nb_threads"]
        rows.append((f"GEMM 2000^3 as the core builds it: products on {backend}, {threads} thread(s); "
                     f"Eigen's own SIMD {ours['eigen_simd']}; full spectra on {ours.get('full_spectrum_backend', '?')}",
                     " / ".join(f"{fmt(p)}" for p in ours["gemm_peaks_gflops"]) + " GFLOP/s"
                     + (" (small / large half)" if len(ours["gemm_peaks_gflops"]) > 1 else "")))
    for probe in probes:
        rows.append((f"Eigen's own GEMM 2000^3, {probe['variant']} ({probe['eigen_simd'].split(',')[0]}, "
                     f"{probe['eigen_nb_threads']} thread(s))", f"{fmt(probe['gflops'])} GFLOP/s"))
    if peer:
        blas = ", ".join(os.path.basename(os.path.dirname(p)) + "/" + os.path.basename(p)
                         for p in peer["blas_libraries"] if "libblas" in p) or "?"
        rows.append((f"torch.mm 2000^3 ({peer['threads']} threads, BLAS {blas})",
                     " / ".join(f"{fmt(p)}" for p in peer["gemm_peaks_gflops"]) + " GFLOP/s"))
    for shape in (dict(n=200, d=784, w=128, L=1, O=10), dict(n=500, d=784, w=128, L=1, O=10),
                  dict(n=2000, d=784, w=512, L=3, O=10), dict(n=2000, d=784, w=512, L=2, O=10)):
        label = f"n={shape['n']} w={shape['w']} L={shape['L']}"
        mine = find(ours, "ntk_build", **shape)
        if mine:
            faults = mine.get("minor_page_faults_per_rep")
            rows.append((f"NTK build {label}: ours", f"{fmt_seconds(seconds(mine))}, {fmt(mine['gflops'])} GFLOP/s "
                         f"({mine['share_of_peak'] * 100:.0f}% of our peak), "
                         f"{fmt(faults)} minor page faults per build"))
        for name in ("ntk_layerwise", "ntk_layerwise_threads1"):
            theirs = find(peer, name, **shape)
            if theirs:
                rows.append((f"NTK build {label}: torch layer-wise, {theirs['torch_threads']} torch thread(s)",
                             f"{fmt_seconds(seconds(theirs))}, {fmt(theirs['gflops'])} GFLOP/s (flops it performs)"))
        jac = find(peer, "ntk_vmap_jacrev", **shape)
        if jac and "skipped" in jac:
            rows.append((f"NTK build {label}: torch vmap(jacrev)", "skipped: " + jac["skipped"]))
        elif jac:
            rows.append((f"NTK build {label}: torch vmap(jacrev)",
                         f"{fmt_seconds(seconds(jac))} ({jac['jacobian_gigabytes']:.1f} GB Jacobian)"))
    for n in (200, 2000, 4000, 8000):
        mine, theirs = find(ours, "full_spectrum", n=n), find(peer, "eigvalsh", n=n)
        if mine or theirs:
            text = f"ours {fmt_seconds(seconds(mine))}, torch {fmt_seconds(seconds(theirs))}"
            if theirs and "agreement_with_ntkviz" in theirs:
                text += f", eigenvalues agree to {fmt(theirs['agreement_with_ntkviz'], 2)} of lambda_1"
            rows.append((f"full spectrum n={n}", text))
    for shape in (dict(n=200, w=128, L=1), dict(n=2000, w=512, L=2)):
        epoch = find(ours, "epoch", **shape)
        if epoch:
            rows.append((f"epoch n={shape['n']} w={shape['w']} L={shape['L']} (test-n {epoch['shape']['test_n']})",
                         f"{fmt_seconds(seconds(epoch))}, of which NTK + spectrum + summary "
                         f"{epoch['kernel_and_spectrum_share'] * 100:.0f}%"))
    for name in ("probe_rank_update", "probe_gemm_same_factor", "probe_signal_gram_per_output",
                 "probe_signal_gram_stacked"):
        probe = find(ours, name)
        if probe:
            rows.append((f"{name} {probe['shape']}", f"{fmt_seconds(seconds(probe))}, {fmt(probe['gflops'])} GFLOP/s"))
    if peer:
        for key, value in peer["checks"].items():
            if key.endswith("rel_error"):
                rows.append((f"check {key}", fmt(value, 2)))
    rows += cli_context_rows(cli)
    rows += gui_context_rows(gui)
    lines = ["| measurement | value |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True, help="where ntkviz-bench and the probes were built")
    parser.add_argument("--shapes", choices=["small", "large", "all"], default="all")
    parser.add_argument("--reps", type=int, default=9, help="repetitions for small shapes (large: (N+1)/2)")
    parser.add_argument("--threads", type=int, default=2, help="threads for torch and Eigen::setNbThreads")
    parser.add_argument("--out", default="", help="directory for the raw JSON (default <build-dir>/results/<time>)")
    parser.add_argument("--skip-peers", action="store_true", help="time ntkviz only")
    parser.add_argument("--skip-gui", action="store_true", help="leave out ntkviz-gui-bench")
    parser.add_argument("--gui-only", action="store_true", help="run ntkviz-gui-bench alone")
    parser.add_argument("--gui-seconds", type=float, default=25.0,
                        help="training time measured per responsiveness scenario of ntkviz-gui-bench")
    parser.add_argument("--skip-cli-scale", action="store_true",
                        help="leave out the n = 10,000 ntkviz-cli run (1-5 min, about 2 GB of memory and of disk)")
    parser.add_argument("--only", action="append", choices=["cli_scale", "first_frame"], default=[],
                        help="run only these rows (repeatable): cli_scale (the n = 10,000 ntkviz-cli run), "
                             "first_frame (ntkviz-gui-bench --only first-frame)")
    args = parser.parse_args()
    if args.skip_gui and args.gui_only:
        parser.error("--skip-gui and --gui-only exclude each other")
    only = set(args.only)
    if only and (args.gui_only or args.skip_gui or args.skip_cli_scale):
        parser.error("--only excludes --gui-only, --skip-gui and --skip-cli-scale")

    bench_dir = os.path.join(args.build_dir, "bench")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or os.path.join(args.build_dir, "results", stamp)
    kernels = os.path.join(out, "kernels")
    os.makedirs(kernels, exist_ok=True)
    start = time.perf_counter()

    # Ours and the peer alternate per half (small shapes, then large ones) so that the two sides of every ratio
    # are minutes apart rather than the whole run apart: the load of a shared machine drifts.
    ours_parts, peer_parts = [], []
    halves = [] if args.gui_only or only else (["small", "large"] if args.shapes == "all" else [args.shapes])
    for half in halves:
        common = ["--shapes", half, "--reps", str(args.reps), "--threads", str(args.threads)]
        ours_parts.append(run_json([os.path.join(bench_dir, "ntkviz-bench"), *common, "--export-dir", kernels],
                                   f"ntkviz-bench ({half})"))
        if not args.skip_peers:
            peer_parts.append(run_json(["/usr/bin/python3", PEER, *common, "--kernel-dir", kernels],
                                       f"torch peer ({half})"))
    ours, peer = merge(ours_parts), merge(peer_parts)
    probes = []
    for name in ("ntkviz-gemm-probe", "ntkviz-gemm-probe-omp"):
        path = os.path.join(bench_dir, name)
        if os.path.exists(path) and not args.gui_only and not only:
            probes.append(run_json([path, "--reps", "3", "--threads", str(args.threads)], name))
    shutil.rmtree(kernels)  # up to ~170 MB of exported matrices; the JSON keeps every number
    # The run a user starts at n = 10,000, alone: it takes both cores and about 2 GB.
    cli = None
    if "cli_scale" in only or not (only or args.gui_only or args.skip_cli_scale):
        cli_path = os.path.join(args.build_dir, "app", "ntkviz-cli")
        if os.path.exists(cli_path):
            cli = run_cli_scale(cli_path, out)
        else:
            print(f"[run_bench] {cli_path} was not built: no CLI scale rows", file=sys.stderr, flush=True)
    # Last and alone: it trains in the background while timing the GUI thread, so nothing else may run.
    gui = None
    gui_bench = os.path.join(bench_dir, "ntkviz-gui-bench")
    # One process per measurement: the long run's memory must start from a fresh heap, not from one that the
    # n = 2000 kernels have already grown.
    gui_parts = (["first-frame"] if "first_frame" in only else []) if only else \
        ([] if args.skip_gui else ["memory", "first-frame", "responsiveness"])
    if gui_parts:
        if os.path.exists(gui_bench):
            parts = []
            for part in gui_parts:
                extra = ["--seconds", str(args.gui_seconds)] if part == "responsiveness" else []
                parts.append(run_json([gui_bench, "--only", part, *extra], f"ntkviz-gui-bench ({part})"))
            gui = dict(parts[0], results=[entry for part in parts for entry in part["results"]])
        else:
            print(f"[run_bench] {gui_bench} was not built: no GUI rows", file=sys.stderr, flush=True)

    for name, report in (("ntkviz-bench.json", ours), ("torch-peer.json", peer), ("gemm-probes.json", probes),
                         ("cli-scale.json", cli), ("ntkviz-gui-bench.json", gui)):
        if report:  # --gui-only leaves the others empty
            with open(os.path.join(out, name), "w") as f:
                json.dump(report, f, indent=2)
    loadavg = os.getloadavg()
    table = build_target_table(ours, peer) if ours else Table()
    add_cli_scale_rows(table, cli, ours)
    add_gui_rows(table, gui)
    date = (ours or gui or cli or {}).get("date", datetime.datetime.now().isoformat())
    if only:
        title = f"run_bench --only {' '.join(sorted(only))}"
    else:
        title = "ntkviz-gui-bench (the live window offscreen)" if args.gui_only else "ntkviz-bench vs PyTorch peers"
    text = "\n".join([
        f"{title}, {date}, total {time.perf_counter() - start:.0f} s, "
        f"load average at the end {loadavg[0]:.2f} {loadavg[1]:.2f} {loadavg[2]:.2f}",
        "",
        table.markdown(),
        "",
        build_context_table(ours, peer, probes, gui, cli),
        "",
        f"raw JSON: {out}",
    ])
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
