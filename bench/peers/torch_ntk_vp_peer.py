#!/usr/bin/python3
"""The generic matrix-free route to the top of the NTK spectrum, in PyTorch: issue 12's peer.

What a researcher does with neural-tangents' empirical_ntk_vp_fn, written with functorch: the traced
empirical NTK Theta = sum_k J_k J_k^T (J_k = d f_k / d theta, n x P, summed over the O outputs) is never
formed; a scipy.sparse.linalg.LinearOperator applies it,

    Theta v = sum_k jvp(f, theta; vjp(f, theta; v e_k^T))[:, k]

(for each output k a vjp with the cotangent v on output k, then a jvp with that parameter-space vector,
column k kept, summed over k), and ARPACK's eigsh(k=32, which='LA', tol=...) finds the top eigenvalues.
The vjp's linearization (the forward pass it keeps) is built once and reused by every product, which is
slightly kinder to the peer than neural-tangents (which runs one forward pass per product); the jvp runs
its own forward pass each time, as functorch's forward mode does. `--outputs vmap` vmaps the same vjp and
jvp over the O one-hot cotangents instead of looping (faster on 2 cores, O times the memory): a stronger
variant for context, not the route the issue names.

The network and the data are ntkviz's own: `ntkviz-cli train --out DIR` writes W<l>.npy, b<l>.npy (raw
parameters), x_train.npy and config.json; this script reads them from --weights-dir. To get the
*initial* weights, train for one epoch with --lr 1e-300 (ntkviz requires at least one epoch and lr > 0;
that step changes no weight by even one ulp, and epochs.csv's parameter_norm of epochs 0 and 1 proves it,
which --weights-dir checks). The parameterization is core/mlp.h's: z_l = c_w(l) W_l a_{l-1} + c_b b_l with
c_w = sigma_w / sqrt(fan_in), c_b = sigma_b ("ntk") or c_w = c_b = 1 ("standard"), ReLU, read from
config.json.

Checks (in "checks" of the JSON): the forward pass's cross-entropy loss and accuracy against epochs.csv's
epoch 0, the parameter norm against epochs.csv, the exact trace of Theta (per-sample gradient norms, in
closed form) against epochs.csv's epoch-0 trace, one product against the dense kernel ntk_init.npy when it
is there and n <= --dense-check-max, and with --compare (an ntkviz-cli spectrum eigenvalues.csv) the
agreement max_i |l_ours_i - l_torch_i| / l_ours_1.

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-scipy); float64 throughout.
Output: one JSON object on stdout (time, products, eigenvalues, peak resident memory), progress on stderr.
"""
import argparse
import csv
import json
import math
import os
import resource
import sys
import time

# torch's OpenMP pool and Debian's pthreaded OpenBLAS pool share the 2 cores; with GOMP's default active
# spin-wait the idle OpenMP thread starves the BLAS threads (see torch_ntk_peer.py). Before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# glibc's malloc hands every freed block above its mmap threshold back to the kernel and trims the heap
# top, so the n x width temporaries of a product's 2 O passes are page-faulted in afresh: at n = 10,000 a product
# spent 2.2 of its 3.1 s in the kernel (280,000 minor faults). Keeping freed memory in the process removes that
# artefact (1.2 s, 700 faults), so the peer is as fast as this torch can be. glibc reads these at its first
# malloc, before this line runs, hence the re-exec; --glibc-malloc-defaults keeps glibc's defaults.
MALLOC_TUNING = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "4294967296",
                 "MALLOC_TOP_PAD_": "268435456"}
if "--glibc-malloc-defaults" not in sys.argv and any(k not in os.environ for k in MALLOC_TUNING):
    for key, value in MALLOC_TUNING.items():
        os.environ.setdefault(key, value)
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy.sparse.linalg import LinearOperator, eigsh  # noqa: E402

try:  # torch >= 2.0
    from torch.func import jvp, vjp, vmap

    FUNCTORCH_SOURCE = "torch.func"
except ImportError:  # Debian 12 ships torch 1.13, where the same transforms live in functorch
    from functorch import jvp, vjp, vmap

    FUNCTORCH_SOURCE = "functorch"

import scipy  # noqa: E402

DTYPE = torch.float64


def progress(line):
    print(f"[torch-vp-peer] {line}", file=sys.stderr, flush=True)


def blas_libraries():
    """The BLAS/LAPACK shared objects mapped into this process (Debian picks them by alternatives)."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if "/" in line else ""
            name = os.path.basename(path)
            if any(tag in name for tag in ("blas", "lapack", "mkl", "blis")):
                found.add(os.path.realpath(path))
    return sorted(found)


def peak_resident_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports kB


# ---------------------------------------------------------------------------------------------------------
# ntkviz's network, read from a `train --out` directory


class Network:
    def __init__(self, directory):
        with open(os.path.join(directory, "config.json")) as f:
            self.config = json.load(f)
        activation = self.config.get("activation", "relu")
        if activation != "relu":
            raise SystemExit(f"torch_ntk_vp_peer: activation {activation!r} (only relu is implemented)")
        self.param = self.config.get("param", "ntk")
        if self.param not in ("ntk", "standard"):
            raise SystemExit(f"torch_ntk_vp_peer: param {self.param!r} (expected ntk or standard)")
        self.sigma_w = float(self.config.get("sigma_w", math.sqrt(2.0)))
        self.sigma_b = float(self.config.get("sigma_b", 0.1))
        depth = int(self.config["depth"])
        self.weights, self.biases = [], []
        for l in range(1, depth + 2):
            self.weights.append(torch.from_numpy(np.load(os.path.join(directory, f"W{l}.npy"))).to(DTYPE))
            self.biases.append(torch.from_numpy(np.load(os.path.join(directory, f"b{l}.npy"))).to(DTYPE))
        self.x = torch.from_numpy(np.load(os.path.join(directory, "x_train.npy"))).to(DTYPE).contiguous()
        labels = os.path.join(directory, "y_train.npy")
        self.y = torch.from_numpy(np.load(labels)) if os.path.exists(labels) else None
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            fan_in = self.x.shape[1] if l == 0 else self.weights[l - 1].shape[0]
            if w.shape[1] != fan_in or b.shape != (w.shape[0],):
                raise SystemExit(f"torch_ntk_vp_peer: W{l + 1} {tuple(w.shape)} / b{l + 1} {tuple(b.shape)} "
                                 f"do not chain from fan-in {fan_in}")
        self.params = tuple(t for pair in zip(self.weights, self.biases) for t in pair)

    @property
    def n(self):
        return self.x.shape[0]

    @property
    def outputs(self):
        return self.weights[-1].shape[0]

    def weight_scale(self, fan_in):
        return self.sigma_w / math.sqrt(fan_in) if self.param == "ntk" else 1.0

    def bias_scale(self):
        return self.sigma_b if self.param == "ntk" else 1.0

    def apply(self, params, x):
        """f(x), n x O, for flat params (W_1, b_1, W_2, b_2, ...)."""
        a = x
        layers = len(params) // 2
        for l in range(layers):
            weight, bias = params[2 * l], params[2 * l + 1]
            z = self.weight_scale(weight.shape[1]) * (a @ weight.T) + self.bias_scale() * bias
            a = torch.relu(z) if l + 1 < layers else z
        return a

    def exact_trace(self):
        """sum_i Theta_ii = sum_i sum_k sum_l ||d f_k(x_i) / d W_l||^2 + ||d f_k(x_i) / d b_l||^2, in closed form:
        with delta_lk = d f_k / d z_l, the l-th layer gives c_w^2 ||delta_lk||^2 ||a_{l-1}||^2 + c_b^2 ||delta_lk||^2.
        A path independent of the vjp/jvp products, so it checks the network and the data, not the operator."""
        with torch.no_grad():
            inputs, slopes = [self.x], []
            for weight, bias in zip(self.weights[:-1], self.biases[:-1]):
                z = self.weight_scale(weight.shape[1]) * (inputs[-1] @ weight.T) + self.bias_scale() * bias
                inputs.append(torch.relu(z))
                slopes.append((z > 0).to(DTYPE))
            cb2 = self.bias_scale() ** 2
            depth = len(self.weights) - 1
            # Output layer: delta = e_k, so sum_k ||delta_k||^2 = O.
            top = self.weights[-1]
            trace = float(self.outputs * (self.weight_scale(top.shape[1]) ** 2 * (inputs[depth] ** 2).sum()
                                          + cb2 * self.n))
            # n x O x w signals, propagated down.
            signals = slopes[depth - 1].unsqueeze(1) * (self.weight_scale(top.shape[1]) * top).unsqueeze(0)
            for l in range(depth - 1, -1, -1):
                norms = (signals ** 2).sum(dim=(1, 2))  # sum_k ||delta_lk||^2 per sample
                cw2 = self.weight_scale(self.weights[l].shape[1]) ** 2
                trace += float((norms * (cw2 * (inputs[l] ** 2).sum(dim=1) + cb2)).sum())
                if l > 0:
                    weight = self.weights[l]
                    signals = torch.matmul(signals, weight).mul_(self.weight_scale(weight.shape[1]))
                    signals.mul_(slopes[l - 1].unsqueeze(1))
            return trace


# ---------------------------------------------------------------------------------------------------------
# The operator: Theta v = sum_k J_k J_k^T v by functorch vjp + jvp per output


class NtkVectorProduct:
    """outputs="loop": the O outputs one after the other (the route of issue 12); "vmap": the same vjp and jvp
    vmapped over the O one-hot cotangents, a faster variant for context (O x the memory of one output)."""

    def __init__(self, net, outputs="loop"):
        self.net = net
        self.mode = outputs
        self.params = net.params
        x = net.x

        def f(*params):
            return net.apply(params, x)

        self.f = f
        self.out, self.vjp_fn = vjp(f, *self.params)  # the linearization, kept for every product
        self.products = 0
        self.seconds = 0.0
        self.one_hot = torch.eye(net.outputs, dtype=DTYPE)

    def __call__(self, v):
        start = time.perf_counter()
        v = torch.from_numpy(np.ascontiguousarray(v, dtype=np.float64).reshape(-1))
        result = self._vmapped(v) if self.mode == "vmap" else self._loop(v)
        self.products += 1
        self.seconds += time.perf_counter() - start
        return result.numpy()

    def _vmapped(self, v):
        cotangents = self.one_hot.unsqueeze(1) * v.view(1, -1, 1)  # O x n x O: number k has v in column k
        tangents = vmap(self.vjp_fn)(cotangents)

        def push(*tangent):
            return jvp(self.f, self.params, tangent)[1]

        pushed = vmap(push)(*tangents)  # O x n x O
        return torch.einsum("knk->n", pushed)

    def _loop(self, v):
        result = torch.zeros(self.net.n, dtype=DTYPE)
        cotangent = torch.zeros_like(self.out)
        for k in range(self.net.outputs):
            cotangent.zero_()
            cotangent[:, k] = v
            tangents = self.vjp_fn(cotangent)  # J_k^T v, one tensor per parameter
            _, pushed = jvp(self.f, self.params, tuple(tangents))  # J (J_k^T v), n x O
            result += pushed[:, k]
        return result


def read_epoch0(directory):
    path = os.path.join(directory, "epochs.csv")
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return (rows[0] if rows else None), (rows[1] if len(rows) > 1 else None)


def read_ntkviz_eigenvalues(path):
    with open(path) as f:
        return np.array([float(row["eigenvalue"]) for row in csv.DictReader(f)])


def relative(a, b):
    return abs(a - b) / abs(b) if b else None


def checks_against_ntkviz(net, op, directory, dense_check_max):
    checks = {}
    epoch0, epoch1 = read_epoch0(directory)
    with torch.no_grad():
        outputs = net.apply(net.params, net.x)
    parameter_norm = float(torch.sqrt(sum((p ** 2).sum() for p in net.params)))
    checks["parameter_norm"] = parameter_norm
    if epoch0:
        ours = float(epoch0["parameter_norm"])
        checks["parameter_norm_rel_error_vs_epochs_csv"] = relative(parameter_norm, ours)
        if epoch1:
            # Weights written after one epoch; they are the initial ones only if that step moved nothing.
            checks["weights_are_epoch0"] = epoch1["parameter_norm"] == epoch0["parameter_norm"]
        if net.y is not None and net.config.get("loss", "ce") == "ce" and epoch0.get("train_loss"):
            loss = float(torch.nn.functional.cross_entropy(outputs, net.y.long()))
            accuracy = float((outputs.argmax(dim=1) == net.y.long()).to(DTYPE).mean())
            checks["train_loss"] = loss
            checks["train_loss_rel_error_vs_epochs_csv"] = relative(loss, float(epoch0["train_loss"]))
            checks["train_accuracy"] = accuracy
            checks["train_accuracy_vs_epochs_csv"] = accuracy - float(epoch0["train_accuracy"])
    trace = net.exact_trace()
    checks["exact_trace"] = trace
    if epoch0 and epoch0.get("trace"):
        checks["exact_trace_rel_error_vs_epochs_csv"] = relative(trace, float(epoch0["trace"]))
    # One product with a random vector against the dense kernel ntkviz wrote (train --out's ntk_init.npy).
    dense = os.path.join(directory, "ntk_init.npy")
    if os.path.exists(dense) and net.n <= dense_check_max:
        kernel = np.load(dense)
        v = np.random.default_rng(7).standard_normal(net.n)
        products_before, seconds_before = op.products, op.seconds
        mine = op(v)
        op.products, op.seconds = products_before, seconds_before  # not part of the solve
        reference = kernel @ v
        checks["product_vs_ntk_init_rel_error"] = float(np.abs(mine - reference).max() / np.abs(reference).max())
        checks["ntk_init_trace"] = float(np.trace(kernel))
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights-dir", required=True,
                        help="an `ntkviz-cli train --out` directory: W<l>.npy, b<l>.npy, x_train.npy, config.json")
    parser.add_argument("--top-k", type=int, default=32, help="eigenvalues to compute (default 32)")
    parser.add_argument("--tol", type=float, default=1e-8, help="ARPACK's relative tolerance (default 1e-8)")
    parser.add_argument("--ncv", type=int, default=0, help="ARPACK's Lanczos basis size (default scipy's)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--compare", default="", help="ntkviz-cli spectrum's eigenvalues.csv to compare with")
    parser.add_argument("--outputs", choices=["loop", "vmap"], default="loop",
                        help="loop: one vjp + jvp per output (default, issue 12's route); vmap: vmapped over outputs")
    parser.add_argument("--glibc-malloc-defaults", action="store_true",
                        help="keep glibc's malloc thresholds (default: tuned, see MALLOC_TUNING)")
    parser.add_argument("--residuals", action="store_true",
                        help="also report ||Theta v - lambda v|| / lambda per eigenpair (top-k more products)")
    parser.add_argument("--dense-check-max", type=int, default=4000,
                        help="check one product against ntk_init.npy when present and n <= this (default 4000)")
    args = parser.parse_args()
    if args.top_k < 1 or args.threads < 1 or not (0 < args.tol < 1):
        parser.error("--top-k and --threads must be at least 1, --tol between 0 and 1")

    wall_start = time.perf_counter()
    torch.set_num_threads(args.threads)
    progress(f"loading {args.weights_dir}")
    net = Network(args.weights_dir)
    parameter_count = sum(p.numel() for p in net.params)
    if args.top_k >= net.n:
        parser.error(f"--top-k {args.top_k} needs n > k (n = {net.n})")
    setup_start = time.perf_counter()
    op = NtkVectorProduct(net, args.outputs)
    setup_seconds = time.perf_counter() - setup_start
    progress(f"n={net.n} d={net.x.shape[1]} widths={[w.shape[0] for w in net.weights[:-1]]} O={net.outputs} "
             f"P={parameter_count}; checks")
    checks = checks_against_ntkviz(net, op, args.weights_dir, args.dense_check_max)
    progress("checks: " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                                     for k, v in checks.items()))

    v0 = np.random.default_rng(1).standard_normal(net.n)  # fixed, so reruns do the same work
    ncv = args.ncv or None
    progress(f"eigsh(k={args.top_k}, which='LA', tol={args.tol:g}, ncv={ncv or 'default'})")

    # One line of progress every 10 products, so a long run shows it is alive.
    inner = op.__call__

    def counted(v):
        result = inner(v)
        if op.products % 10 == 0:
            progress(f"{op.products} products, {op.seconds / op.products:.3f} s each")
        return result

    operator = LinearOperator((net.n, net.n), matvec=counted, dtype=np.float64)
    solve_start = time.perf_counter()
    values, vectors = eigsh(operator, k=args.top_k, which="LA", tol=args.tol, v0=v0, ncv=ncv)
    eigsh_seconds = time.perf_counter() - solve_start
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    progress(f"eigsh took {eigsh_seconds:.1f} s, {op.products} products, lambda_max {values[0]:.10g}")

    # Residuals ||Theta v - lambda v|| / lambda on request: k more products, outside the timed solve.
    products_in_solve, seconds_in_solve = op.products, op.seconds
    residuals = []
    if args.residuals:
        progress(f"residuals: {len(values)} more products")
        residuals = [float(np.linalg.norm(inner(vectors[:, j]) - values[j] * vectors[:, j]) / abs(values[j]))
                     for j in range(len(values))]

    report = {
        "tool": "torch-ntk-vp-peer",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "route": "scipy LinearOperator: per output k, functorch vjp (cotangent v on output k) then jvp"
                 + (" (vmapped over the outputs)" if args.outputs == "vmap" else " (outputs in a loop)")
                 + "; ARPACK eigsh which='LA'",
        "outputs_mode": args.outputs,
        "torch_version": torch.__version__,
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "functorch": FUNCTORCH_SOURCE,
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "malloc_environment": {key: os.environ.get(key) for key in MALLOC_TUNING},
        "blas_libraries": blas_libraries(),
        "weights_dir": os.path.abspath(args.weights_dir),
        "shape": {"n": net.n, "d": int(net.x.shape[1]), "widths": [int(w.shape[0]) for w in net.weights[:-1]],
                  "O": net.outputs, "P": int(parameter_count)},
        "top_k": args.top_k,
        "tol": args.tol,
        "ncv": ncv,
        "setup_seconds": setup_seconds,
        "eigsh_seconds": eigsh_seconds,
        "matvecs": products_in_solve,
        "seconds_in_products": seconds_in_solve,
        "seconds_per_matvec": seconds_in_solve / products_in_solve if products_in_solve else None,
        "eigenvalues": [float(v) for v in values],
        "residuals": residuals,
        "max_residual": max(residuals) if residuals else None,
        "peak_resident_bytes": peak_resident_bytes(),
        "checks": checks,
    }
    if args.compare:
        ours = read_ntkviz_eigenvalues(args.compare)
        count = min(len(ours), len(values))
        report["agreement_with_ntkviz"] = float(np.abs(ours[:count] - values[:count]).max() / abs(ours[0]))
        report["compared_eigenvalues"] = count
        progress(f"agreement with ntkviz: {report['agreement_with_ntkviz']:.3g} of lambda_1")
    report["total_seconds"] = time.perf_counter() - wall_start
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
