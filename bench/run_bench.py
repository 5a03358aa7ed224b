#!/usr/bin/python3
"""Runs ntkviz-bench, the GEMM probes and the PyTorch peers one after the other in one run, on the same shapes,
and prints a Markdown table of ratios against the targets of issue 5, each marked PASS or FAIL.

Usually started through bench/run_bench.sh, which installs what is missing and builds first:
  /usr/bin/python3 bench/run_bench.py --build-dir build-bench [--shapes all] [--reps 9] [--threads 2]
                                      [--skip-gui | --gui-only] [--gui-seconds 25] [--skip-cli-scale]
                                      [--skip-matrix-free] [--peer-timeout 3600]
                                      [--only cli_scale|first_frame|matrix_free|curvature ...]

After ntkviz-bench and the peers, the n = 10,000 run as a user starts it: ntkviz-cli train with --out, timed
from outside (wall time, peak resident memory, the share of the wall time spent writing the files after the
run's last progress line). ntkviz-gui-bench (the real window offscreen: settings change to first frame,
event-loop stalls while training, memory over a long run) runs last, when it was built; --gui-only runs it
alone. --only runs just the named rows (repeatable): cli_scale, first_frame, matrix_free, curvature.

matrix_free (issue 12), after the n = 10,000 run: for n = 2000 and 10,000 (Fashion-MNIST, width 128, depth 1,
10 outputs) `ntkviz-cli spectrum --method lanczos --top-k 32 --tolerance 1e-8` timed from outside, then the
same initial network and training points exported by `ntkviz-cli train --out` (one epoch at lr 1e-300) and
solved by peers/torch_ntk_vp_peer.py (functorch vjp + jvp per output in a scipy LinearOperator, ARPACK eigsh;
at n <= 2000 also its vmapped variant, for context): speed-up of our wall time over the peer's eigsh and the
eigenvalue agreement. Then ntkviz-bench's GEMM peak and the whole training set, n = 60,000: top-32 wall time,
largest residual, peak resident memory, the operator's throughput against that peak (when summary.json has
operator_seconds and operator_flops_per_product), SLQ with 10 probes x 60 steps, and the top-32 again under
`mpirun -np 2` (a failed row when mpirun is missing): peak memory per process against the single process's. A peer that fails or
times out (--peer-timeout) leaves its rows at n/a with the reason; the other rows still run.

The raw JSON of every program goes to --out (default <build-dir>/results/<timestamp>/) beside table.md.
The programs run sequentially, never concurrently, so they do not compete for the 2 cores; a ratio is only
meaningful between numbers of the same run, because this machine is shared and its speed drifts.
"""
import argparse
import csv
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

    add_curvature_rows(table, ours)

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


def add_curvature_rows(table, ours):
    """Issue 13's in-process rows: one Hessian-vector product against one gradient on the same batch, and whole
    epochs of the default scene with the Hessian's extremes every epoch."""
    for shape, label in ((dict(n=200, w=128, L=1), "default network n=200 w=128 L=1 relu ce"),
                         (dict(n=500, w=128, L=2), "n=500 w=128 L=2 tanh mse")):
        entry = find(ours, "hvp_cost", **shape)
        if not entry:
            continue
        r = entry.get("hvp_over_gradient")
        table.check(f"one Hessian-vector product vs one gradient, {label} (both given the forward pass)",
                    fmt_seconds(seconds(entry)), fmt_seconds(entry.get("gradient_seconds_median")),
                    fmt(r, unit="x"), "<= 3x", None if r is None else r <= 3.0)
    epoch = find(ours, "epoch_sharpness", n=200, w=128, L=1)
    if epoch:
        rate = epoch.get("epochs_per_second")
        table.check("default scene n=200 w=128 L=1: epochs with the NTK and the Hessian's extremes every epoch",
                    fmt_seconds(seconds(epoch)) + "/epoch",
                    f"{epoch.get('epochs_without_sharpness', 0):.0f} epochs without a sharpness",
                    fmt(rate, unit=" epochs/s"), ">= 60 epochs/s", None if rate is None else rate >= 60)


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


# ---------------------------------------------------------------------------------------------------------
# Issue 12: the matrix-free spectrum (ntkviz-cli spectrum) against the generic matrix-free route in PyTorch

VP_PEER = os.path.join(HERE, "peers", "torch_ntk_vp_peer.py")
# Fashion-MNIST (the default data set, 10 outputs), the default seed; spectrum ignores the test split, and
# train is told to skip it so that both use exactly the same training points.
MATRIX_FREE_NETWORK = ["--width", "128", "--depth", "1", "--test-n", "0"]
MATRIX_FREE_TOP_K = 32
MATRIX_FREE_TOLERANCE = 1e-8
MATRIX_FREE_SIZES = (2000, 10000)
MATRIX_FREE_WHOLE_SET = 60000
MATRIX_FREE_SPEEDUP_TARGET = 20.0
MATRIX_FREE_AGREEMENT_TARGET = 1e-8
WHOLE_SET_SECONDS_TARGET = 60.0
WHOLE_SET_PEAK_TARGET_BYTES = 2e9
SLQ_FLAGS = ["--probes", "10", "--steps", "60"]
SLQ_SECONDS_TARGET = 300.0
# mpirun refuses root without the two variables; one slot per process on a 2-core machine.
MPI_LAUNCHER = ["env", "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "mpirun", "--oversubscribe",
                "-np", "2"]
MPI_PEAK_SHARE_TARGET = 0.6
OPERATOR_SHARE_TARGET = 0.70
# The peer's vmapped variant (all outputs at once: faster, not the route) is timed for context at
# the sizes up to this one only.
VMAP_VARIANT_MAX_N = 2000


def run_child(command, label, capture_stdout=False, timeout=None):
    """Runs `command` with its stderr passed through (prefixed) and kept; wall time and peak resident memory from
    the child's own rusage (wait4). Never raises for the child's failure: exit_code, a timeout flag and the last
    stderr lines say what happened."""
    print(f"[run_bench] {label}: {' '.join(shlex.quote(c) for c in command)}", file=sys.stderr, flush=True)
    load_before = os.getloadavg()
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE if capture_stdout else subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
    except OSError as error:
        return {"command": command, "exit_code": None, "error": str(error), "stderr_tail": [], "stdout": "",
                "wall_seconds": 0.0, "load_average_before": load_before}
    tail, chunks = [], []

    def read_stderr():
        for raw in iter(proc.stderr.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            print(f"    {line}", file=sys.stderr, flush=True)
            tail.append(line)
            del tail[:-20]

    def read_stdout():
        chunks.append(proc.stdout.read())

    readers = [threading.Thread(target=read_stderr, daemon=True)]
    if capture_stdout:
        readers.append(threading.Thread(target=read_stdout, daemon=True))
    for reader in readers:
        reader.start()
    timed_out = threading.Event()

    def kill_on_timeout():
        timed_out.set()
        proc.kill()  # the child this function started, by its own handle

    timer = threading.Timer(timeout, kill_on_timeout) if timeout else None
    if timer:
        timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if timer:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    proc.stderr.close()
    if capture_stdout:
        proc.stdout.close()
    print(f"[run_bench] {label} took {wall:.0f} s (exit code {proc.returncode})", file=sys.stderr, flush=True)
    return {
        "command": " ".join(shlex.quote(c) for c in command),
        "exit_code": proc.returncode,
        "timed_out": timed_out.is_set(),
        "wall_seconds": wall,
        "peak_resident_bytes_rusage": usage.ru_maxrss * 1024,  # Linux reports kB
        "user_seconds": usage.ru_utime,
        "system_seconds": usage.ru_stime,
        "stderr_tail": tail,
        "stdout": b"".join(c for c in chunks if c).decode(errors="replace") if capture_stdout else "",
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }


def failure_text(child):
    """One line for a table cell: why a child did not deliver."""
    if child.get("error"):
        return child["error"]
    if child.get("timed_out"):
        return f"killed after {child['wall_seconds']:.0f} s (timeout)"
    last = child["stderr_tail"][-1] if child.get("stderr_tail") else "no output"
    return f"exit code {child['exit_code']}: {last}"


def read_eigenvalues_csv(path):
    values, residuals = [], []
    with open(path) as f:
        for row in csv.DictReader(f):
            values.append(float(row["eigenvalue"]))
            residuals.append(float(row["residual"]) if row.get("residual") not in (None, "") else None)
    return values, residuals


def run_spectrum(cli, n, method_flags, scratch_parent, label, launcher=()):
    """`ntkviz-cli spectrum -n N MATRIX_FREE_NETWORK METHOD_FLAGS --out DIR`, timed from outside (started by
    `launcher`, e.g. mpirun, if given); the entry keeps summary.json and the eigenvalues. Returns (entry,
    out_dir); the caller removes out_dir."""
    out_dir = tempfile.mkdtemp(prefix=f"spectrum-n{n}-", dir=scratch_parent)
    flags = ["-n", str(n), *MATRIX_FREE_NETWORK, *method_flags]
    child = run_child([*launcher, cli, "spectrum", *flags, "--out", out_dir], label)
    entry = {"name": label, "n": n, "flags": " ".join(flags), **{k: v for k, v in child.items() if k != "stdout"}}
    summary_path = os.path.join(out_dir, "summary.json")
    if child["exit_code"] == 0 and os.path.exists(summary_path):
        with open(summary_path) as f:
            entry["summary"] = json.load(f)
        eigen_path = os.path.join(out_dir, "eigenvalues.csv")
        if os.path.exists(eigen_path):
            entry["eigenvalues"], entry["residuals"] = read_eigenvalues_csv(eigen_path)
    return entry, out_dir


def export_initial_weights(cli, n, scratch_parent):
    """The initial network and the training points as ntkviz has them: `train --out` writes W<l>.npy/b<l>.npy
    after the last epoch, and needs at least one epoch with lr > 0, so one epoch at lr 1e-300 (which moves no
    weight by an ulp; the peer checks epochs.csv's parameter norm of epochs 0 and 1). The dense kernels it
    writes are removed at once, except ntk_init.npy at small n, which the peer checks one product against."""
    out_dir = tempfile.mkdtemp(prefix=f"weights-n{n}-", dir=scratch_parent)
    flags = ["-n", str(n), *MATRIX_FREE_NETWORK, "--epochs", "1", "--lr", "1e-300", "--top-k",
             str(MATRIX_FREE_TOP_K), "--quiet"]
    child = run_child([cli, "train", *flags, "--out", out_dir], f"initial weights n={n}")
    for name in ["ntk_final.npy"] + (["ntk_init.npy"] if n > 4000 else []):
        path = os.path.join(out_dir, name)
        if os.path.exists(path):
            os.remove(path)
    return {k: v for k, v in child.items() if k != "stdout"}, out_dir


def run_vp_peer(weights_dir, compare_csv, n, threads, outputs, timeout, residuals):
    command = ["/usr/bin/python3", VP_PEER, "--weights-dir", weights_dir, "--top-k", str(MATRIX_FREE_TOP_K),
               "--tol", repr(MATRIX_FREE_TOLERANCE), "--threads", str(threads), "--outputs", outputs]
    if compare_csv:
        command += ["--compare", compare_csv]
    if residuals:
        command.append("--residuals")
    child = run_child(command, f"torch vjp+jvp peer n={n} ({outputs})", capture_stdout=True, timeout=timeout)
    entry = {k: v for k, v in child.items() if k != "stdout"}
    if child["exit_code"] == 0:
        try:
            entry["report"] = json.loads(child["stdout"])
        except ValueError as error:
            entry["error"] = f"no JSON on stdout ({error})"
    return entry


def agreement(ours, theirs):
    """max_i |l_ours_i - l_torch_i| / l_ours_1 over the eigenvalues both have, both sorted descending."""
    if not ours or not theirs:
        return None
    a, b = sorted(ours, reverse=True), sorted(theirs, reverse=True)
    count = min(len(a), len(b))
    return max(abs(x - y) for x, y in zip(a[:count], b[:count])) / abs(a[0])


def gemm_peak_now(bench_dir, threads):
    """ntkviz-bench's GEMM peak (2000^3 doubles, compiled with the core's flags: what every share_of_peak divides
    by), measured alone, just before the runs it is compared with."""
    path = os.path.join(bench_dir, "ntkviz-bench")
    if not os.path.exists(path):
        return {"error": f"{path} was not built"}
    child = run_child([path, "--shapes", "small", "--only", "gemm_peak", "--reps", "5", "--threads", str(threads)],
                      "GEMM peak (ntkviz-bench)", capture_stdout=True)
    if child["exit_code"] != 0:
        return {"error": failure_text(child)}
    try:
        report = json.loads(child["stdout"])
    except ValueError as error:
        return {"error": f"no JSON on stdout ({error})"}
    return {"gflops": report["gemm_peak_gflops"], "products_backend": report.get("products_backend"),
            "eigen_nb_threads": report.get("eigen_nb_threads"), "blas_threads": report.get("blas_threads"),
            "load_average_before": child["load_average_before"]}


def run_matrix_free(cli, bench_dir, scratch_parent, threads, with_peer, peer_timeout, sizes, whole_set):
    """Issue 12's rows, one program at a time: per size ours, the initial weights, the peer (and its vmapped
    variant at small n); then the GEMM peak, the whole training set's top-32 and its SLQ density."""
    report = {"name": "matrix_free", "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%dT%H:%M:%S%z"),
              "network": " ".join(MATRIX_FREE_NETWORK), "top_k": MATRIX_FREE_TOP_K,
              "tolerance": MATRIX_FREE_TOLERANCE, "sizes": [], "peer_skipped": not with_peer}
    lanczos = ["--method", "lanczos", "--top-k", str(MATRIX_FREE_TOP_K), "--tolerance", repr(MATRIX_FREE_TOLERANCE)]
    for n in sizes:
        ours, ours_dir = run_spectrum(cli, n, lanczos, scratch_parent, f"ntkviz-cli spectrum lanczos n={n}")
        size = {"n": n, "ours": ours, "peers": {}}
        if with_peer:
            weights, weights_dir = export_initial_weights(cli, n, scratch_parent)
            size["weights_export"] = weights
            if weights["exit_code"] == 0:
                compare = os.path.join(ours_dir, "eigenvalues.csv")
                compare = compare if os.path.exists(compare) else ""
                variants = ["loop"] + (["vmap"] if n <= VMAP_VARIANT_MAX_N else [])
                for outputs in variants:
                    size["peers"][outputs] = run_vp_peer(weights_dir, compare, n, threads, outputs, peer_timeout,
                                                         residuals=n <= VMAP_VARIANT_MAX_N and outputs == "loop")
            else:
                size["peers"]["loop"] = {"error": "the initial weights were not written: " + failure_text(weights)}
            shutil.rmtree(weights_dir, ignore_errors=True)
        shutil.rmtree(ours_dir, ignore_errors=True)
        report["sizes"].append(size)
    report["gemm_peak"] = gemm_peak_now(bench_dir, threads) if whole_set > 0 else {"error": "not measured"}
    for key, flags in (("whole_set", lanczos), ("whole_set_slq", ["--method", "slq", *SLQ_FLAGS])):
        if whole_set <= 0:
            break
        entry, out_dir = run_spectrum(cli, whole_set, flags, scratch_parent,
                                      f"ntkviz-cli spectrum {flags[1]} n={whole_set}")
        shutil.rmtree(out_dir, ignore_errors=True)
        report[key] = entry
    if whole_set > 0 and not shutil.which("mpirun"):
        # A row of its own, not a silent gap: the target is part of the issue.
        report["whole_set_mpi"] = {"n": whole_set, "error": "mpirun not found (Debian: openmpi-bin, libopenmpi-dev)"}
    elif whole_set > 0:
        entry, out_dir = run_spectrum(cli, whole_set, lanczos, scratch_parent,
                                      f"mpirun -np 2 ntkviz-cli spectrum lanczos n={whole_set}", MPI_LAUNCHER)
        shutil.rmtree(out_dir, ignore_errors=True)
        report["whole_set_mpi"] = entry
    return report


def peer_seconds(peer):
    report = peer.get("report") if peer else None
    return report.get("eigsh_seconds") if report else None


def operator_throughput(entry):
    """(GFLOP/s of the products, products, flops per product) from summary.json's operator fields, or None
    while the CLI does not write them."""
    summary = entry.get("summary") or {}
    flops, spent = summary.get("operator_flops_per_product"), summary.get("operator_seconds")
    products = summary.get("matrix_vector_products")
    if not flops or not spent or not products:
        return None
    return flops * products / spent * 1e-9, products, flops


def add_matrix_free_rows(table, mf):
    if not mf:
        return
    for size in mf["sizes"]:
        n, ours = size["n"], size["ours"]
        label = (f"matrix-free top-{mf['top_k']} n={n} w=128 L=1 Fashion-MNIST: ntkviz-cli spectrum --method lanczos "
                 f"--tolerance {mf['tolerance']:g} (wall) vs torch vjp+jvp per output in a LinearOperator + ARPACK "
                 f"eigsh (its solve)")
        if "summary" not in ours:
            table.check(f"{label}: ran", failure_text(ours).replace("|", "/"), "-", "failed", "exit 0", False)
            continue
        mine = ours["wall_seconds"]
        mine_text = f"{fmt_seconds(mine)} ({fmt(ours['summary'].get('matrix_vector_products'))} products)"
        peer = size["peers"].get("loop")
        if mf["peer_skipped"]:
            table.check(label, mine_text, "peer skipped (--skip-peers)", "n/a", f">= {MATRIX_FREE_SPEEDUP_TARGET:.0f}x "
                        "faster", None)
            continue
        theirs = peer_seconds(peer)
        if theirs is None:
            table.check(label, mine_text, "peer failed: " + failure_text(peer or {}).replace("|", "/"), "n/a",
                        f">= {MATRIX_FREE_SPEEDUP_TARGET:.0f}x faster", None)
            continue
        report = peer["report"]
        speedup = ratio(theirs, mine)
        table.check(label, mine_text, f"{fmt_seconds(theirs)} ({report['matvecs']} products)",
                    f"{fmt(speedup, unit='x')} faster", f">= {MATRIX_FREE_SPEEDUP_TARGET:.0f}x faster",
                    speedup >= MATRIX_FREE_SPEEDUP_TARGET)
        error = agreement(ours.get("eigenvalues"), report["eigenvalues"])
        table.check(f"matrix-free top-{mf['top_k']} n={n}: agreement, max_i abs(l_ours_i - l_torch_i) / l_1",
                    f"lambda_1 {fmt(ours['eigenvalues'][0], 10) if ours.get('eigenvalues') else 'n/a'}",
                    f"torch lambda_1 {fmt(report['eigenvalues'][0], 10)}", fmt(error, 2),
                    f"<= {MATRIX_FREE_AGREEMENT_TARGET:g}",
                    None if error is None else error <= MATRIX_FREE_AGREEMENT_TARGET)

    whole = mf.get("whole_set")
    if whole:
        n = whole["n"]
        label = f"whole training set n={n} w=128 L=1: top-{mf['top_k']} (ntkviz-cli spectrum --method lanczos)"
        if "summary" not in whole:
            table.check(f"{label}: ran", failure_text(whole).replace("|", "/"), "-", "failed", "exit 0", False)
        else:
            summary = whole["summary"]
            residuals = [r for r in whole.get("residuals", []) if r is not None]
            table.check(f"{label}: wall time", fmt_seconds(whole["wall_seconds"]),
                        f"summary.json {fmt_seconds(summary.get('seconds'))}, "
                        f"{summary.get('matrix_vector_products', 0):.0f} products",
                        fmt_seconds(whole["wall_seconds"]), f"<= {WHOLE_SET_SECONDS_TARGET:.0f} s",
                        whole["wall_seconds"] <= WHOLE_SET_SECONDS_TARGET)
            worst = max(residuals) if residuals else None
            table.check(f"{label}: largest residual abs(Theta v - l v) / l of the {len(residuals)}",
                        fmt(worst, 2), f"--tolerance {mf['tolerance']:g}", fmt(worst, 2),
                        f"<= {mf['tolerance']:g}", None if worst is None else worst <= mf["tolerance"])
            peak = summary.get("peak_resident_bytes")
            table.check(f"{label}: peak resident memory (summary.json)", fmt(peak and peak / 1e9, unit=" GB"),
                        f"child's ru_maxrss {fmt(whole['peak_resident_bytes_rusage'] / 1e9, unit=' GB')}",
                        fmt(peak and peak / 1e9, unit=" GB"), f"<= {WHOLE_SET_PEAK_TARGET_BYTES / 1e9:.0f} GB",
                        None if peak is None else peak <= WHOLE_SET_PEAK_TARGET_BYTES)
            throughput = operator_throughput(whole)
            gemm = mf.get("gemm_peak", {})
            if throughput:
                gflops, products, flops = throughput
                peak_gflops = gemm.get("gflops")
                share = ratio(gflops, peak_gflops)
                table.check(f"whole training set n={n}: operator throughput (products x flops per product / "
                            f"operator_seconds) vs the GEMM peak measured in this run",
                            f"{fmt(gflops)} GFLOP/s ({products:.0f} x {fmt(flops)} flops in "
                            f"{fmt_seconds(whole['summary']['operator_seconds'])})",
                            f"GEMM peak {fmt(peak_gflops)} GFLOP/s" if peak_gflops else
                            "GEMM peak: " + gemm.get("error", "n/a"),
                            "n/a" if share is None else f"{share * 100:.1f}%",
                            f">= {OPERATOR_SHARE_TARGET * 100:.0f}%",
                            None if share is None else share >= OPERATOR_SHARE_TARGET)
    mpi, single = mf.get("whole_set_mpi"), mf.get("whole_set")
    if mpi:
        label = f"whole training set n={mpi['n']}: top-{mf['top_k']} under mpirun -np 2, peak memory per process"
        if "summary" not in mpi:
            table.check(f"{label}: ran", failure_text(mpi).replace("|", "/"), "-", "failed", "exit 0", False)
        else:
            per_rank = mpi["summary"].get("peak_resident_bytes")
            alone = (single or {}).get("summary", {}).get("peak_resident_bytes")
            share = ratio(per_rank, alone)
            agreement_error = agreement(mpi.get("eigenvalues"), (single or {}).get("eigenvalues"))
            table.check(label, f"{fmt(per_rank and per_rank / 1e9, unit=' GB')} per process, "
                        f"{fmt_seconds(mpi['wall_seconds'])} wall, eigenvalues within {fmt(agreement_error, 2)} "
                        f"of one process's", f"one process {fmt(alone and alone / 1e9, unit=' GB')}, "
                        f"{fmt_seconds((single or {}).get('wall_seconds'))}",
                        "n/a" if share is None else f"{share:.2f}x", f"<= {MPI_PEAK_SHARE_TARGET}x",
                        None if share is None else share <= MPI_PEAK_SHARE_TARGET)
    slq = mf.get("whole_set_slq")
    if slq:
        label = (f"whole training set n={slq['n']}: SLQ density ({' '.join(SLQ_FLAGS)}, ntkviz-cli spectrum "
                 f"--method slq)")
        if "summary" not in slq:
            table.check(f"{label}: ran", failure_text(slq).replace("|", "/"), "-", "failed", "exit 0", False)
        else:
            summary = slq["summary"]
            estimate = summary.get("trace_estimate")
            table.check(label, fmt_seconds(slq["wall_seconds"]),
                        f"trace estimate {fmt(estimate, 6)} +- {fmt(summary.get('trace_standard_error'), 2)}, exact "
                        f"{fmt(summary.get('exact_trace'), 6)}", fmt_seconds(slq["wall_seconds"]),
                        f"<= {SLQ_SECONDS_TARGET / 60:.0f} min", slq["wall_seconds"] <= SLQ_SECONDS_TARGET)


def matrix_free_context_rows(mf):
    if not mf:
        return []
    rows = []
    gemm = mf.get("gemm_peak", {})
    if "gflops" in gemm:
        rows.append(("matrix-free: GEMM peak 2000^3 (ntkviz-bench, the core's flags), just before the n = "
                     f"{mf['whole_set']['n'] if mf.get('whole_set') else '?'} runs",
                     f"{fmt(gemm['gflops'])} GFLOP/s on {gemm.get('products_backend')}, load average before "
                     + " ".join(f"{v:.2f}" for v in gemm["load_average_before"])))
    for size in mf["sizes"]:
        n, ours = size["n"], size["ours"]
        summary = ours.get("summary") or {}
        text = (f"wall {fmt_seconds(ours['wall_seconds'])}, summary.json {fmt_seconds(summary.get('seconds'))} "
                f"(data loading included), "
                f"{summary.get('matrix_vector_products', 0):.0f} products, peak "
                f"{fmt((summary.get('peak_resident_bytes') or 0) / 1e9, unit=' GB')}, exact trace "
                f"{fmt(summary.get('exact_trace'), 12)}")
        throughput = operator_throughput(ours)
        if throughput:
            text += f", operator {fmt(throughput[0])} GFLOP/s"
        rows.append((f"matrix-free n={n}: ours (load average before "
                     + " ".join(f"{v:.2f}" for v in ours["load_average_before"]) + ")", text))
        for outputs, peer in size["peers"].items():
            report = peer.get("report")
            if not report:
                rows.append((f"matrix-free n={n}: torch peer ({outputs})", "failed: " + failure_text(peer)))
                continue
            checks = report["checks"]
            check_text = ", ".join(f"{key} {fmt(checks[key], 2)}" for key in (
                "exact_trace_rel_error_vs_epochs_csv", "train_loss_rel_error_vs_epochs_csv",
                "parameter_norm_rel_error_vs_epochs_csv", "product_vs_ntk_init_rel_error") if key in checks)
            rows.append((f"matrix-free n={n}: torch peer, outputs {outputs} ({report['functorch']} "
                         f"{report['torch_version']}, {report['threads']} threads, glibc malloc "
                         f"{'tuned' if any((report.get('malloc_environment') or {}).values()) else 'defaults'}; "
                         f"load average before "
                         + " ".join(f"{v:.2f}" for v in peer["load_average_before"]) + ")",
                         f"eigsh {fmt_seconds(report['eigsh_seconds'])}, {report['matvecs']} products at "
                         f"{fmt_seconds(report['seconds_per_matvec'])}, process {fmt_seconds(peer['wall_seconds'])}, "
                         f"peak {fmt(report['peak_resident_bytes'] / 1e9, unit=' GB')}, "
                         f"max residual {fmt(report.get('max_residual'), 2)}, "
                         f"ours {fmt(ratio(report['eigsh_seconds'], ours['wall_seconds']), unit='x')} faster; "
                         f"weights_are_epoch0 {checks.get('weights_are_epoch0')}, {check_text}"))
    for key in ("whole_set", "whole_set_slq"):
        entry = mf.get(key)
        if entry and "summary" in entry:
            summary = entry["summary"]
            rows.append((f"matrix-free n={entry['n']} {summary.get('method')}: CPU and load",
                         f"user {entry['user_seconds']:.0f} s, system {entry['system_seconds']:.0f} s over "
                         f"{entry['wall_seconds']:.0f} s wall, child's ru_maxrss "
                         f"{entry['peak_resident_bytes_rusage'] / 1e9:.2f} GB; load average before "
                         + " ".join(f"{v:.2f}" for v in entry["load_average_before"])))
    return rows


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


def build_context_table(ours, peer, probes, gui=None, cli=None, mf=None):
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
    rows += matrix_free_context_rows(mf)
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
    parser.add_argument("--skip-matrix-free", action="store_true",
                        help="leave out issue 12's matrix-free rows (ntkviz-cli spectrum at n = 2000, 10,000 and "
                             "60,000 against the torch vjp+jvp peer; 10-30 min)")
    parser.add_argument("--peer-timeout", type=float, default=3600.0,
                        help="seconds before a matrix-free torch peer run is killed (default 3600)")
    parser.add_argument("--matrix-free-sizes", default=",".join(str(n) for n in MATRIX_FREE_SIZES),
                        help="comma-separated n of the ours-vs-torch matrix-free rows (default %(default)s)")
    parser.add_argument("--matrix-free-whole-set", type=int, default=MATRIX_FREE_WHOLE_SET,
                        help="n of the whole-training-set rows (default %(default)s, all of Fashion-MNIST; "
                             "0 leaves them out)")
    parser.add_argument("--only", action="append", choices=["cli_scale", "first_frame", "matrix_free", "curvature"],
                        default=[],
                        help="run only these rows (repeatable): cli_scale (the n = 10,000 ntkviz-cli run), "
                             "first_frame (ntkviz-gui-bench --only first-frame), matrix_free (issue 12: ntkviz-cli "
                             "spectrum against the torch vjp+jvp peer, the whole training set, SLQ), curvature "
                             "(issue 13: ntkviz-bench --only curvature)")
    args = parser.parse_args()
    if args.skip_gui and args.gui_only:
        parser.error("--skip-gui and --gui-only exclude each other")
    only = set(args.only)
    if only and (args.gui_only or args.skip_gui or args.skip_cli_scale or args.skip_matrix_free):
        parser.error("--only excludes --gui-only, --skip-gui, --skip-cli-scale and --skip-matrix-free")
    try:
        matrix_free_sizes = [int(v) for v in args.matrix_free_sizes.split(",") if v.strip()]
    except ValueError:
        parser.error(f"--matrix-free-sizes: {args.matrix_free_sizes!r} is not a comma-separated list of n")

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
    if "curvature" in only:
        ours_parts.append(run_json([os.path.join(bench_dir, "ntkviz-bench"), "--shapes", "small", "--reps",
                                    str(args.reps), "--threads", str(args.threads), "--only", "curvature"],
                                   "ntkviz-bench (curvature)"))
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
    # Issue 12's matrix-free rows: every program alone, ours and the peer one after the other per size.
    mf = None
    if "matrix_free" in only or not (only or args.gui_only or args.skip_matrix_free):
        cli_path = os.path.join(args.build_dir, "app", "ntkviz-cli")
        if os.path.exists(cli_path):
            mf = run_matrix_free(cli_path, bench_dir, out, args.threads, not args.skip_peers, args.peer_timeout,
                                 matrix_free_sizes, args.matrix_free_whole_set)
        else:
            print(f"[run_bench] {cli_path} was not built: no matrix-free rows", file=sys.stderr, flush=True)
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
                         ("cli-scale.json", cli), ("matrix-free.json", mf), ("ntkviz-gui-bench.json", gui)):
        if report:  # --gui-only leaves the others empty
            with open(os.path.join(out, name), "w") as f:
                json.dump(report, f, indent=2)
    loadavg = os.getloadavg()
    table = build_target_table(ours, peer) if ours and not only else Table()
    if "curvature" in only:
        add_curvature_rows(table, ours)
    add_cli_scale_rows(table, cli, ours)
    add_matrix_free_rows(table, mf)
    add_gui_rows(table, gui)
    date = (ours or gui or cli or mf or {}).get("date", datetime.datetime.now().isoformat())
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
        build_context_table(ours, peer, probes, gui, cli, mf),
        "",
        f"raw JSON: {out}",
    ])
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
