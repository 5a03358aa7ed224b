#!/usr/bin/python3
"""PyTorch peers for ntkviz-bench: the same kernels and spectra, timed the same way (median of repetitions
after one warm-up, forward pass excluded, x x^T cached), in float64.

  (a) vmap_jacrev  the empirical NTK from per-sample Jacobians, functorch vmap(jacrev(f)), contracted with
                   einsum('naf,maf->nm') summed over outputs: the "trace" mode of PyTorch's
                   "Neural Tangent Kernels" tutorial.
  (b) layerwise    the formula of core/ntk.h written as well as PyTorch allows:
                   Theta = sum_l (sum_k D_lk D_lk^T) o (c_w(l)^2 A_{l-1} A_{l-1}^T + c_b^2)
                   with the O signals stacked as one n x (O w) factor, so each hidden layer is one GEMM.
  (c) eigvalsh     torch.linalg.eigvalsh (LAPACK syevd through the system BLAS/LAPACK).

The network is core/mlp.h's, NTK parameterization: z_l = (sigma_w / sqrt(fan_in)) W_l a_{l-1} + sigma_b b_l,
W and b ~ N(0, 1), ReLU, sigma_w = sqrt 2, sigma_b = 0.1 (RunConfig's defaults).

Run with Debian's /usr/bin/python3 (python3-torch 1.13): the pyenv python3 on PATH has no torch.
Output: one JSON object on stdout, progress on stderr.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

# torch's OpenMP pool and Debian's pthreaded OpenBLAS pool share the 2 cores; with GOMP's default active
# spin-wait, the idle OpenMP thread starves the BLAS threads and a 3 ms kernel takes 60 ms. Passive waiting
# removes that artefact, so the peer is as fast as this torch can be. Must be set before torch loads libgomp.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

try:  # torch >= 2.0
    from torch.func import jacrev, vmap

    FUNCTORCH_SOURCE = "torch.func"
except ImportError:  # Debian 12 ships torch 1.13, where the same transforms live in functorch
    from functorch import jacrev, vmap

    FUNCTORCH_SOURCE = "functorch"

DTYPE = torch.float64
SIGMA_W = math.sqrt(2.0)
SIGMA_B = 0.1

# Shapes, as in bench/ntk_bench.cpp.
SMALL_KERNELS = [(200, 784, 128, 1, 10), (500, 784, 128, 1, 10)]
LARGE_KERNELS = [(2000, 784, 512, 3, 10), (2000, 784, 512, 2, 10)]
SMALL_SPECTRA = [200, 2000]
LARGE_SPECTRA = [4000]
# Above this many Jacobian entries (n * O * P doubles) vmap(jacrev) is not attempted: at n=2000, w=512,
# L=3 the Jacobian alone would be 2000 * 10 * 0.93M * 8 bytes = 149 GB.
MAX_JACOBIAN_ENTRIES = 6e8


def progress(line):
    print(f"[torch-peer] {line}", file=sys.stderr, flush=True)


def time_repeated(reps, warmups, work):
    for _ in range(warmups):
        work()
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return seconds


def blas_libraries():
    """The BLAS/LAPACK shared objects actually mapped into this process (Debian picks them by alternatives)."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if "/" in line else ""
            name = os.path.basename(path)
            if any(tag in name for tag in ("blas", "lapack", "mkl", "blis")):
                found.add(os.path.realpath(path))
    return sorted(found)


# ---------------------------------------------------------------------------------------------------------
# The network, NTK parameterization (core/mlp.h)


def weight_scale(fan_in):
    return SIGMA_W / math.sqrt(fan_in)


def make_params(d, w, depth, outputs, generator):
    """[(W_1, b_1), ..., (W_{L+1}, b_{L+1})], W_l raw fan_out x fan_in, all N(0, 1)."""
    dims = [d] + [w] * depth + [outputs]
    return [
        (torch.randn(dims[l + 1], dims[l], generator=generator, dtype=DTYPE),
         torch.randn(dims[l + 1], generator=generator, dtype=DTYPE))
        for l in range(depth + 1)
    ]


def mlp_apply(flat_params, x):
    """f(x) for a batch x (n x d); flat_params = (W_1, b_1, W_2, b_2, ...)."""
    a = x
    layer_count = len(flat_params) // 2
    for l in range(layer_count):
        weight, bias = flat_params[2 * l], flat_params[2 * l + 1]
        z = weight_scale(weight.shape[1]) * (a @ weight.T) + SIGMA_B * bias
        a = torch.relu(z) if l + 1 < layer_count else z
    return a


def forward_cache(params, x):
    """Layer inputs A_l (inputs[0] = x) and ReLU slopes phi'(z_l) of the hidden layers."""
    inputs, slopes = [x], []
    for weight, bias in params[:-1]:
        z = weight_scale(weight.shape[1]) * (inputs[-1] @ weight.T) + SIGMA_B * bias
        inputs.append(torch.relu(z))
        slopes.append((z > 0).to(DTYPE))
    return inputs, slopes


# ---------------------------------------------------------------------------------------------------------
# (a) vmap(jacrev): per-sample Jacobians, contracted over parameters and summed over outputs


def ntk_vmap_jacrev(flat_params, x):
    def f_single(p, xi):
        return mlp_apply(p, xi.unsqueeze(0)).squeeze(0)

    jacobians = vmap(jacrev(f_single), in_dims=(None, 0))(flat_params, x)  # each n x O x param shape
    kernel = None
    for jac in jacobians:
        jac = jac.flatten(2)
        term = torch.einsum("naf,maf->nm", jac, jac)
        kernel = term if kernel is None else kernel.add_(term)
    return kernel


# ---------------------------------------------------------------------------------------------------------
# (b) The layer-wise formula, with the per-output signals kept as one n x O x w tensor so that
# sum_k D_lk D_lk^T is a single n x (O w) GEMM and the back-propagation a single (n O) x w GEMM.


def ntk_layerwise(params, inputs, slopes, input_gram):
    depth = len(params) - 1
    n = inputs[0].shape[0]
    outputs = params[-1][0].shape[0]
    cb2 = SIGMA_B * SIGMA_B

    def layer_gram(l):
        # c_w^2 A A^T + c_b^2, with x x^T cached for the first layer as the trainer does.
        cw2 = weight_scale(params[l][0].shape[1]) ** 2
        if l == 0:
            return torch.mul(input_gram, cw2).add_(cb2)
        gram = torch.full((n, n), cb2, dtype=DTYPE)
        return torch.addmm(gram, inputs[l], inputs[l].T, beta=1.0, alpha=cw2)

    # Output layer: its own weights give sum_k D D^T = O 1 1^T.
    kernel = layer_gram(depth).mul_(float(outputs))
    top_weight = params[depth][0]
    signals = slopes[depth - 1].unsqueeze(1) * (weight_scale(top_weight.shape[1]) * top_weight).unsqueeze(0)
    for l in range(depth - 1, -1, -1):
        stacked = signals.reshape(n, -1)
        kernel.addcmul_(stacked @ stacked.T, layer_gram(l))
        if l > 0:
            weight = params[l][0]
            signals = torch.matmul(signals, weight).mul_(weight_scale(weight.shape[1]))
            signals.mul_(slopes[l - 1].unsqueeze(1))
    return kernel


def kernel_flops(n, d, w, depth, outputs):
    """The flops this layer-wise formula performs: one rank-w update per output in every hidden layer.
    (ntkviz needs only one for the layer below the output; its kernelFlops() counts what it performs.)"""
    signal_grams = depth * (n * n * outputs * w + n * n)
    input_grams = depth * n * n * w
    back_propagation = (depth - 1) * 2.0 * n * outputs * w * w
    return signal_grams + input_grams + back_propagation


# ---------------------------------------------------------------------------------------------------------


def result(name, shape, seconds, flops=None, peak=None, **extra):
    med = statistics.median(seconds)
    entry = {"name": name, "shape": shape, "reps": len(seconds), "seconds_median": med,
             "seconds_min": min(seconds), "seconds_all": seconds}
    if flops is not None:
        entry["flops"] = flops
        entry["gflops"] = flops / med * 1e-9
        entry["share_of_peak"] = entry["gflops"] / peak if peak else None
    else:
        entry["gflops"] = None
        entry["share_of_peak"] = None
    entry.update(extra)
    return entry


def gemm_peak(reps):
    """torch.mm of two 2000 x 2000 doubles: what this torch's BLAS reaches, for context."""
    a = torch.randn(2000, 2000, dtype=DTYPE)
    b = torch.randn(2000, 2000, dtype=DTYPE)
    gemm = result("gemm_peak", {"m": 2000, "n": 2000, "k": 2000}, time_repeated(reps, 1, lambda: torch.mm(a, b)),
                  flops=2.0 * 2000 ** 3)
    gemm["share_of_peak"] = 1.0
    return gemm


def relative_error(a, b):
    return float((a - b).abs().max() / b.abs().max())


def load_npy(directory, name):
    return torch.from_numpy(np.load(os.path.join(directory, name))).to(DTYPE)


def correctness_checks(kernel_dir):
    checks = {}
    # The layer-wise formula against the Jacobian kernel, on a shape small enough for any method.
    gen = torch.Generator().manual_seed(5)
    params = make_params(7, 16, 2, 3, gen)
    x = torch.randn(20, 7, generator=gen, dtype=DTYPE)
    inputs, slopes = forward_cache(params, x)
    flat = tuple(t for layer in params for t in layer)
    reference = ntk_vmap_jacrev(flat, x)
    layerwise = ntk_layerwise(params, inputs, slopes, x @ x.T)
    checks["layerwise_vs_vmap_jacrev_rel_error"] = relative_error(layerwise, reference)
    checks["layerwise_vs_vmap_jacrev_shape"] = {"n": 20, "d": 7, "w": 16, "L": 2, "O": 3}

    # Both PyTorch kernels against ntkviz's own kernel of a network it exported (same x, same weights).
    if kernel_dir and os.path.exists(os.path.join(kernel_dir, "check_meta.json")):
        with open(os.path.join(kernel_dir, "check_meta.json")) as f:
            meta = json.load(f)
        x = load_npy(kernel_dir, "check_x.npy")
        params = [(load_npy(kernel_dir, f"check_W{l + 1}.npy"), load_npy(kernel_dir, f"check_b{l + 1}.npy"))
                  for l in range(meta["L"] + 1)]
        ours = load_npy(kernel_dir, "check_ntk.npy")
        inputs, slopes = forward_cache(params, x)
        flat = tuple(t for layer in params for t in layer)
        checks["ntkviz_vs_vmap_jacrev_rel_error"] = relative_error(ours, ntk_vmap_jacrev(flat, x))
        checks["ntkviz_vs_layerwise_rel_error"] = relative_error(ours, ntk_layerwise(params, inputs, slopes, x @ x.T))
        checks["ntkviz_check_shape"] = {k: meta[k] for k in ("n", "d", "w", "L", "O")}
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", choices=["small", "large", "all"], default="all")
    parser.add_argument("--reps", type=int, default=9,
                        help="repetitions for small shapes; large shapes (N+1)/2, n=4000 N/3, vmap(jacrev) N/4")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--kernel-dir", default="",
                        help="ntkviz-bench --export-dir: solve the same kernels and check against its network")
    args = parser.parse_args()
    if args.reps < 1 or args.threads < 1:
        parser.error("--reps and --threads must be at least 1")

    torch.set_num_threads(args.threads)
    # The same repetition policy as ntkviz-bench: seconds-long shapes (N+1)/2, the n=4000 solve N/3.
    small_reps, large_reps, slow_reps = args.reps, max(1, (args.reps + 1) // 2), max(1, args.reps // 3)
    want_small, want_large = args.shapes != "large", args.shapes != "small"
    wall_start = time.perf_counter()
    results = []

    progress("GEMM peak, 2000 x 2000 double")
    gemm = gemm_peak(max(3, large_reps))
    peak = gemm["gflops"]
    results.append(gemm)

    progress("correctness checks")
    checks = correctness_checks(args.kernel_dir)

    kernels = (SMALL_KERNELS if want_small else []) + (LARGE_KERNELS if want_large else [])
    for n, d, w, depth, outputs in kernels:
        shape = {"n": n, "d": d, "w": w, "L": depth, "O": outputs}
        gen = torch.Generator().manual_seed(31)
        params = make_params(d, w, depth, outputs, gen)
        x = torch.randn(n, d, generator=gen, dtype=DTYPE)
        with torch.no_grad():
            inputs, slopes = forward_cache(params, x)
            input_gram = x @ x.T
            reps = small_reps * (5 if n <= 200 else 3) if n <= 500 else large_reps
            # Small shapes are also timed at 1 torch thread: there, one torch thread beside OpenBLAS's own threads
            # is sometimes faster, and the targets should be measured against the stronger setting. Large shapes
            # are GEMM-bound, and OpenBLAS threads them the same either way.
            settings = [(args.threads, "ntk_layerwise")]
            if n <= 500 and args.threads != 1:
                settings.append((1, "ntk_layerwise_threads1"))
            for threads, name in settings:
                torch.set_num_threads(threads)
                progress(f"layerwise n={n} w={w} L={depth}, {threads} torch threads")
                seconds = time_repeated(reps, 1 if n <= 500 else 0,
                                        lambda: ntk_layerwise(params, inputs, slopes, input_gram))
                results.append(result(name, shape, seconds, flops=kernel_flops(n, d, w, depth, outputs), peak=peak,
                                      torch_threads=threads))
            torch.set_num_threads(args.threads)
        parameter_count = sum(W.numel() + bias.numel() for W, bias in params)
        jacobian_entries = n * outputs * parameter_count
        if jacobian_entries > MAX_JACOBIAN_ENTRIES:
            results.append({"name": "ntk_vmap_jacrev", "shape": shape, "skipped": (
                f"the Jacobian would hold {jacobian_entries:.3g} doubles ({jacobian_entries * 8 / 1e9:.0f} GB)")})
            continue
        progress(f"vmap(jacrev) n={n} w={w} L={depth} ({jacobian_entries * 8 / 1e9:.1f} GB of Jacobian)")
        flat = tuple(t for layer in params for t in layer)
        # Tens of seconds per repetition at n=500: fewer repetitions and no warm-up beyond n=200.
        results.append(result("ntk_vmap_jacrev", shape,
                              time_repeated(max(1, args.reps // 4), 1 if n <= 200 else 0,
                                            lambda: ntk_vmap_jacrev(flat, x)),
                              jacobian_gigabytes=jacobian_entries * 8 / 1e9, functorch=FUNCTORCH_SOURCE))

    spectra = (SMALL_SPECTRA if want_small else []) + (LARGE_SPECTRA if want_large else [])
    for n in spectra:
        progress(f"eigvalsh n={n}")
        extra = {}
        kernel_file = os.path.join(args.kernel_dir, f"spectrum_kernel_n{n}.npy") if args.kernel_dir else ""
        if kernel_file and os.path.exists(kernel_file):
            kernel = load_npy(args.kernel_dir, f"spectrum_kernel_n{n}.npy")
            extra["matrix"] = "ntkviz-bench's exported kernel (the very matrix Eigen solved)"
        else:
            gen = torch.Generator().manual_seed(41 + n)
            params = make_params(784, 128, 1, 10, gen)
            x = torch.randn(n, 784, generator=gen, dtype=DTYPE)
            inputs, slopes = forward_cache(params, x)
            kernel = ntk_layerwise(params, inputs, slopes, x @ x.T)
            extra["matrix"] = "NTK of a w=128 L=1 net on Gaussian inputs, built here"
        values = None

        def solve():
            nonlocal values
            values = torch.linalg.eigvalsh(kernel)

        reps = small_reps * 5 if n <= 500 else (large_reps if n <= 2000 else slow_reps)
        seconds = time_repeated(reps, 1 if n <= 2000 else 0, solve)
        ours_file = os.path.join(args.kernel_dir, f"spectrum_eigenvalues_n{n}.npy") if args.kernel_dir else ""
        if ours_file and os.path.exists(ours_file):
            ours = load_npy(args.kernel_dir, f"spectrum_eigenvalues_n{n}.npy")
            descending = torch.flip(values, [0])
            extra["agreement_with_ntkviz"] = float((descending - ours).abs().max() / ours[0])
        results.append(result("eigvalsh", {"n": n}, seconds, **extra))

    report = {
        "tool": "torch-peer",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "torch_version": torch.__version__,
        "functorch": FUNCTORCH_SOURCE,
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "blas_libraries": blas_libraries(),
        "gemm_peak_gflops": peak,
        "checks": checks,
        "total_seconds": time.perf_counter() - wall_start,
        "results": results,
    }
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
