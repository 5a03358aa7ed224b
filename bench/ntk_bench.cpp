// ntkviz-bench: times the numerics the app runs every epoch (the layer-wise empirical NTK, the full and the
// top-k spectrum, a whole training epoch) and, in the same run, the machine's Eigen matrix-multiply peak,
// so that every time can be read as a share of what this CPU and these compile flags can do.
// Output: one JSON object on stdout; progress on stderr. See bench/RESULTS.md and bench/run_bench.sh.
#include "blas_threads.h"
#include "data_prep.h"
#include "hessian.h"
#include "loss.h"
#include "mlp.h"
#include "npy.h"
#include "ntk.h"
#include "process_memory.h"
#include "spectrum.h"
#include "trainer.h"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <utility>
#include <vector>

#ifndef NTKVIZ_BENCH_CXX_FLAGS
#define NTKVIZ_BENCH_CXX_FLAGS "unknown"
#endif
#ifndef NTKVIZ_BENCH_BUILD_TYPE
#define NTKVIZ_BENCH_BUILD_TYPE "unknown"
#endif

namespace {

// ---------------------------------------------------------------------------------------------------------
// Command line

enum class ShapeSet { Small, Large, All };

struct Options {
    ShapeSet shapes = ShapeSet::All;
    int reps = 9;          // small shapes; large shapes use about a third, the n = 8000 full solve runs once
    int threads = 0;       // 0 = leave Eigen's default
    std::string exportDir; // kernels and a reference model for the PyTorch peers to load
    std::string only;      // run only the benchmarks whose name contains this (the GEMM peak always runs)
};

[[noreturn]] void usage(int code) {
    std::fprintf(
        code == 0 ? stdout : stderr,
        "usage: ntkviz-bench [--shapes small|large|all] [--reps N] [--threads N] [--export-dir DIR]\n"
        "                    [--only NAME]\n"
        "  --shapes      which shapes to time (default all)\n"
        "  --reps        repetitions for small shapes (default 9); seconds-long shapes use (N+1)/2,\n"
        "                the n=4000 eigen-solve N/3, the n=8000 full eigen-solve always runs once\n"
        "  --threads     Eigen::setNbThreads(N) (a no-op unless built with OpenMP) and, when the core's\n"
        "                products run on OpenBLAS, openblas_set_num_threads(N)\n"
        "  --export-dir  write the spectrum kernels and a small reference network as .npy, so the\n"
        "                PyTorch peers solve the same matrices and can check they compute our kernel\n"
        "  --only        run only benchmarks whose name contains NAME (scale, ntk_build, full_spectrum,\n"
        "                top_spectrum, epoch, curvature, probe), e.g. to profile one of them\n");
    std::exit(code);
}

Options parseOptions(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "ntkviz-bench: %s needs a value\n", flag.c_str());
                usage(2);
            }
            return argv[++i];
        };
        auto positiveInt = [&](const std::string& text) {
            try {
                const int v = std::stoi(text);
                if (v >= 1)
                    return v;
            } catch (const std::exception&) {
            }
            std::fprintf(stderr, "ntkviz-bench: %s needs a positive integer, got '%s'\n", flag.c_str(),
                         text.c_str());
            usage(2);
        };
        if (flag == "--help" || flag == "-h") {
            usage(0);
        } else if (flag == "--shapes") {
            const std::string v = value();
            if (v == "small")
                options.shapes = ShapeSet::Small;
            else if (v == "large")
                options.shapes = ShapeSet::Large;
            else if (v == "all")
                options.shapes = ShapeSet::All;
            else {
                std::fprintf(stderr, "ntkviz-bench: --shapes must be small, large or all, got '%s'\n",
                             v.c_str());
                usage(2);
            }
        } else if (flag == "--reps") {
            options.reps = positiveInt(value());
        } else if (flag == "--threads") {
            options.threads = positiveInt(value());
        } else if (flag == "--export-dir") {
            options.exportDir = value();
        } else if (flag == "--only") {
            options.only = value();
        } else {
            std::fprintf(stderr, "ntkviz-bench: unknown option '%s'\n", flag.c_str());
            usage(2);
        }
    }
    return options;
}

// ---------------------------------------------------------------------------------------------------------
// Backends. The core may route Eigen's products to a BLAS (EIGEN_USE_BLAS, a PUBLIC definition of
// ntkviz_core, so it reaches this file too) and full spectra to LAPACKE; the JSON says which, because
// "SSE2 Eigen on one thread" and "OpenBLAS on every core" are different machines as far as timings go.

std::string productsBackend() {
#ifdef EIGEN_USE_BLAS
    return "BLAS (EIGEN_USE_BLAS)";
#else
    return "Eigen's own kernels";
#endif
}

std::string fullSpectrumBackend() {
#ifdef NTKVIZ_HAVE_LAPACKE
    return "LAPACKE dsyevd";
#else
    return "Eigen SelfAdjointEigenSolver";
#endif
}

// Eigen's own threads (OpenMP builds only) and the BLAS threads, through the core's control
// (core/blas_threads.h), which the app's worker uses too.
void setThreads(int threads) {
    Eigen::setNbThreads(threads);
    ntk::setBlasThreads(threads);
}

// 0 when no OpenBLAS is loaded.
int blasThreads() {
    return ntk::blasThreads();
}

// Shared objects mapped into this process whose file name contains one of `tags`, e.g. the BLAS that
// Debian's alternatives resolved libblas.so.3 to.
std::string mappedLibraries(const std::vector<std::string>& tags) {
    std::ifstream maps("/proc/self/maps");
    std::vector<std::string> found;
    for (std::string line; std::getline(maps, line);) {
        const std::size_t slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::filesystem::path path(line.substr(slash));
        const std::string name = path.filename().string();
        const bool wanted = std::any_of(tags.begin(), tags.end(), [&](const std::string& tag) {
            return name.find(tag) != std::string::npos;
        });
        std::error_code error;
        const std::string resolved = std::filesystem::canonical(path, error).string();
        if (wanted && !error && std::find(found.begin(), found.end(), resolved) == found.end())
            found.push_back(resolved);
    }
    std::string joined;
    for (const std::string& library : found)
        joined += (joined.empty() ? "" : " ") + library;
    return joined.empty() ? "none" : joined;
}

// ---------------------------------------------------------------------------------------------------------
// Timing

using Clock = std::chrono::steady_clock;

// Keeps results observable so the optimizer cannot drop the work being timed.
volatile double benchSink = 0.0;

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t m = values.size() / 2;
    return values.size() % 2 ? values[m] : 0.5 * (values[m - 1] + values[m]);
}

// Runs `work` `warmups` times untimed (first-touch page faults, cold caches), then `reps` times timed.
std::vector<double> timeRepeated(int reps, int warmups, const std::function<void()>& work) {
    for (int i = 0; i < warmups; ++i)
        work();
    std::vector<double> seconds;
    seconds.reserve(reps);
    for (int i = 0; i < reps; ++i) {
        const auto start = Clock::now();
        work();
        seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    return seconds;
}

// Minor page faults so far: each one is a fresh page of a temporary the kernel had to map and zero.
long minorPageFaults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

// Makes the kernel count peakResidentBytes() (core/process_memory.h) again from the current resident size
// (Linux >= 4.0), so one benchmark's peak is its own.
void resetPeakMemory() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

void progress(const std::string& line) {
    std::cerr << "[ntkviz-bench] " << line << std::endl;
}

// ---------------------------------------------------------------------------------------------------------
// Results and JSON

struct ShapeEntry {
    std::string key;
    long long value;
};

struct Result {
    std::string name;
    std::vector<ShapeEntry> shape;
    std::vector<double> seconds;
    std::optional<double> flops; // useful flops of one repetition, when a flop model is meaningful
    std::vector<std::pair<std::string, double>> numbers; // extra measured values
    std::vector<std::pair<std::string, std::string>> notes;
};

// Times `work` into r.seconds (see timeRepeated) and records the minor page faults per repetition: allocation
// churn of n x n temporaries shows up there long before it shows up in a profile.
void timeInto(Result& r, int reps, int warmups, const std::function<void()>& work) {
    for (int i = 0; i < warmups; ++i)
        work();
    const long faultsBefore = minorPageFaults();
    r.seconds = timeRepeated(reps, 0, work);
    r.numbers.push_back({"minor_page_faults_per_rep", double(minorPageFaults() - faultsBefore) / reps});
}

std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

std::string jsonNumber(double v) {
    if (!std::isfinite(v))
        return "null";
    std::ostringstream s;
    s.precision(6);
    s << v;
    return s.str();
}

std::string resultJson(const Result& r, double peakGflops) {
    std::ostringstream s;
    s << "    {\"name\": " << jsonString(r.name) << ", \"shape\": {";
    for (std::size_t i = 0; i < r.shape.size(); ++i)
        s << (i ? ", " : "") << jsonString(r.shape[i].key) << ": " << r.shape[i].value;
    const double med = median(r.seconds);
    s << "}, \"reps\": " << r.seconds.size() << ", \"seconds_median\": " << jsonNumber(med)
      << ", \"seconds_min\": " << jsonNumber(*std::min_element(r.seconds.begin(), r.seconds.end()))
      << ", \"seconds_all\": [";
    for (std::size_t i = 0; i < r.seconds.size(); ++i)
        s << (i ? ", " : "") << jsonNumber(r.seconds[i]);
    s << "]";
    if (r.flops) {
        const double gflops = *r.flops / med * 1e-9;
        s << ", \"flops\": " << jsonNumber(*r.flops) << ", \"gflops\": " << jsonNumber(gflops)
          << ", \"share_of_peak\": " << jsonNumber(peakGflops > 0 ? gflops / peakGflops : NAN);
    } else {
        s << ", \"gflops\": null, \"share_of_peak\": null";
    }
    for (const auto& [key, value] : r.numbers)
        s << ", " << jsonString(key) << ": " << jsonNumber(value);
    for (const auto& [key, value] : r.notes)
        s << ", " << jsonString(key) << ": " << jsonString(value);
    s << "}";
    return s.str();
}

// ---------------------------------------------------------------------------------------------------------
// Problems

struct NetShape {
    int n, d, width, depth, outputs;
};

std::vector<ShapeEntry> shapeEntries(const NetShape& s) {
    return {{"n", s.n}, {"d", s.d}, {"w", s.width}, {"L", s.depth}, {"O", s.outputs}};
}

std::string describe(const NetShape& s) {
    return "n=" + std::to_string(s.n) + " d=" + std::to_string(s.d) + " w=" + std::to_string(s.width) +
           " L=" + std::to_string(s.depth) + " O=" + std::to_string(s.outputs);
}

Eigen::MatrixXd gaussianMatrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
        for (Eigen::Index i = 0; i < rows; ++i)
            m(i, j) = normal(rng);
    return m;
}

// The model the app would build for this shape with RunConfig's defaults (ReLU, NTK parameterization,
// sigma_w = sqrt 2, sigma_b = 0.1), so the timings are those of the default scene's numerics.
ntk::Mlp defaultModel(const NetShape& s, std::uint64_t seed) {
    const ntk::RunConfig defaults;
    ntk::MlpShape shape;
    shape.inputDim = s.d;
    shape.width = s.width;
    shape.depth = s.depth;
    shape.outputs = s.outputs;
    shape.activation = defaults.activation;
    shape.parameterization = defaults.parameterization;
    shape.sigmaW = defaults.sigmaW;
    shape.sigmaB = defaults.sigmaB;
    return ntk::Mlp(shape, seed);
}

// Useful flops of one layer-wise kernel build (core/ntk.cpp), counting a multiply-add as 2 flops and a
// symmetric product, of which only the lower triangle is formed, as n^2 k for an n x k factor:
//   each hidden layer l = 0..L-1 : signal Gram  sum_k D_lk D_lk^T  (O factors of n x w)       n^2 O w
//                                  Hadamard product with the layer Gram, accumulated          n^2
//   each layer l = 1..L          : input Gram A_{l-1} A_{l-1}^T (fan_in = w)                  n^2 w
//   layer 0                      : x x^T is cached across epochs (as the trainer does): 0
//   each descent l = L-1..1      : signal back-propagation D_lk W_l for every output k       2 n O w^2
//   output layer                 : sum_k D D^T = O 1 1^T needs no product; its Gram is counted above
// The element-wise work (phi' products, the top descent) is O(n O w) and left out.
double kernelFlops(const NetShape& s) {
    const double n = s.n, w = s.width, o = s.outputs, depth = s.depth;
    // The hidden layer just below the output needs one rank-w update (its O signals share their slopes,
    // see core/ntk.cpp), every other hidden layer one per output: the flops the core performs, so the
    // share of peak measures how well they run. The PyTorch peer counts O updates for every layer.
    const double signalGrams = (depth - 1) * n * n * o * w + n * n * w + depth * n * n;
    const double inputGrams = depth * n * n * w;
    const double backPropagation = (depth - 1) * 2.0 * n * o * w * w;
    return signalGrams + inputGrams + backPropagation;
}

struct KernelProblem {
    ntk::Mlp model;
    ntk::ForwardCache cache;
    Eigen::MatrixXd inputGram;
};

KernelProblem makeKernelProblem(const NetShape& s, std::uint64_t seed) {
    ntk::Mlp model = defaultModel(s, seed);
    const Eigen::MatrixXd x = gaussianMatrix(s.n, s.d, seed + 1);
    ntk::ForwardCache cache = model.forward(x);
    Eigen::MatrixXd gram = x * x.transpose();
    return {std::move(model), std::move(cache), std::move(gram)};
}

// The NTK of a default w=128, L=1 network on Gaussian inputs: a realistic matrix for the eigen-solvers
// (one dominant mode, a decaying head, a flat bulk), unlike a Wishart matrix whose clustered spectrum
// would be unrepresentatively hard for Lanczos.
Eigen::MatrixXd spectrumTestKernel(int n, std::uint64_t seed) {
    const ntk::Mlp model = defaultModel({n, 784, 128, 1, 10}, seed);
    return ntk::empiricalNtk(model, gaussianMatrix(n, 784, seed + 1));
}

void writeNpy(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

// ---------------------------------------------------------------------------------------------------------
// Benchmarks

class Bench {
public:
    explicit Bench(const Options& options)
        : options_(options) {}

    int smallReps() const { return options_.reps; }
    // Seconds-long shapes: about half the repetitions, still enough for a median on a noisy machine.
    int largeReps() const { return std::max(1, (options_.reps + 1) / 2); }
    // Tens of seconds per repetition (the n = 4000 eigen-solve): a third.
    int slowReps() const { return std::max(1, options_.reps / 3); }
    bool wantSmall() const { return options_.shapes != ShapeSet::Large; }
    bool wantLarge() const { return options_.shapes != ShapeSet::Small; }
    bool selected(const std::string& name) const {
        return options_.only.empty() || name.find(options_.only) != std::string::npos;
    }

    // The reference every share_of_peak divides by: C = A B with 2000 x 2000 doubles, 2 n^3 flops,
    // compiled here with exactly the core's flags and Eigen configuration.
    void gemmPeak() {
        const Eigen::Index n = 2000;
        const Eigen::MatrixXd a = gaussianMatrix(n, n, 11), b = gaussianMatrix(n, n, 12);
        Eigen::MatrixXd c(n, n);
        progress("GEMM peak, 2000 x 2000 double");
        Result r{"gemm_peak", {{"m", n}, {"n", n}, {"k", n}}, {}, 2.0 * double(n) * n * n, {}, {}};
        timeInto(r, std::max(3, largeReps()), 1, [&] {
            c.noalias() = a * b;
            benchSink = benchSink + c(0, 0);
        });
        peakGflops_ = *r.flops / median(r.seconds) * 1e-9;
        r.notes.push_back(
            {"peak_definition", "median over the repetitions; every share_of_peak divides by it"});
        results_.push_back(std::move(r));
    }

    // Why the kernel build runs below the GEMM peak: the same n x k factor through the symmetric rank-k
    // update the core uses (selfadjointView().rankUpdate, n^2 k flops) and through a plain GEMM (2 n^2 k),
    // and the O per-output rank updates of one hidden layer against one update of the stacked factor.
    void syrkProbes() {
        const Eigen::Index n = 2000, k = 512;
        const int outputs = 10;
        const Eigen::MatrixXd factor = gaussianMatrix(n, k, 21);
        Eigen::MatrixXd gram(n, n);
        progress("probe: rank-k update vs GEMM, n=2000 k=512");
        Result syrk{"probe_rank_update", {{"n", n}, {"k", k}}, {}, double(n) * n * k, {}, {}};
        timeInto(syrk, largeReps(), 1, [&] {
            gram.setZero();
            gram.selfadjointView<Eigen::Lower>().rankUpdate(factor);
            benchSink = benchSink + gram(n - 1, 0);
        });
        syrk.notes.push_back(
            {"what", "selfadjointView<Lower>().rankUpdate(D), the product core/ntk.cpp builds on"});
        results_.push_back(std::move(syrk));

        Result gemm{"probe_gemm_same_factor", {{"n", n}, {"k", k}}, {}, 2.0 * double(n) * n * k, {}, {}};
        timeInto(gemm, largeReps(), 1, [&] {
            gram.noalias() = factor * factor.transpose();
            benchSink = benchSink + gram(n - 1, 0);
        });
        gemm.notes.push_back({"what", "D * D^T as a full GEMM (twice the flops of the rank update)"});
        results_.push_back(std::move(gemm));

        // One hidden layer of the n=2000, w=512 kernel: O separate factors vs one n x (O w) factor.
        std::vector<Eigen::MatrixXd> signals;
        for (int o = 0; o < outputs; ++o)
            signals.push_back(gaussianMatrix(n, k, 100 + o));
        Eigen::MatrixXd stacked(n, outputs * k);
        for (int o = 0; o < outputs; ++o)
            stacked.middleCols(o * k, k) = signals[o];
        const double layerFlops = double(n) * n * k * outputs;
        Result perOutput{
            "probe_signal_gram_per_output", {{"n", n}, {"w", k}, {"O", outputs}}, {}, layerFlops, {}, {}};
        timeInto(perOutput, largeReps(), 0, [&] {
            gram.setZero();
            for (const Eigen::MatrixXd& signal : signals)
                gram.selfadjointView<Eigen::Lower>().rankUpdate(signal);
            benchSink = benchSink + gram(n - 1, 0);
        });
        perOutput.notes.push_back({"what", "sum_k rankUpdate(D_k), O = 10 separate updates of k = 512"});
        results_.push_back(std::move(perOutput));
        Result stackedUpdate{
            "probe_signal_gram_stacked", {{"n", n}, {"w", k}, {"O", outputs}}, {}, layerFlops, {}, {}};
        timeInto(stackedUpdate, largeReps(), 0, [&] {
            gram.setZero();
            gram.selfadjointView<Eigen::Lower>().rankUpdate(stacked);
            benchSink = benchSink + gram(n - 1, 0);
        });
        stackedUpdate.notes.push_back({"what", "one rankUpdate of [D_1 ... D_O], k = O w = 5120"});
        results_.push_back(std::move(stackedUpdate));
    }

    // (a) The kernel build alone: forward pass excluded, x x^T passed in as the trainer caches it.
    void kernelBuild(const NetShape& s, int reps, const std::string& name = "ntk_build") {
        progress(name + " " + describe(s));
        const KernelProblem p = makeKernelProblem(s, 31);
        ntk::NtkOptions options;
        options.inputGram = &p.inputGram;
        Result r{name, shapeEntries(s), {}, kernelFlops(s), {}, {}};
        // One untimed build first: a live run rebuilds the kernel every NTK epoch into the buffers the
        // previous build left (core/ntk.cpp), so the steady state is what a user waits for.
        timeInto(r, reps, 1, [&] {
            const Eigen::MatrixXd kernel = ntk::empiricalNtk(p.model, p.cache, options);
            benchSink = benchSink + kernel(0, 0);
        });
        r.notes.push_back({"flop_model",
                           "top hidden: n^2 w + n^2, other hidden: n^2 O w + n^2; layers>=1 Gram: n^2 w; "
                           "descents: 2 n O w^2"});
        results_.push_back(std::move(r));
    }

    // (a') The optional single-precision build against the double one on the same problem, alternating
    // so that load drifts hit both alike; the eigenvalue error is that of the full spectra of the two
    // kernels (double solves for both), relative to lambda_max.
    void kernelBuildSingle(const NetShape& s, int reps) {
        progress("ntk_build_single " + describe(s));
        const KernelProblem p = makeKernelProblem(s, 31);
        ntk::NtkOptions doubleOptions;
        doubleOptions.inputGram = &p.inputGram;
        ntk::NtkOptions singleOptions = doubleOptions;
        singleOptions.precision = ntk::KernelPrecision::Single;
        Eigen::MatrixXd reference = ntk::empiricalNtk(p.model, p.cache, doubleOptions);
        Eigen::MatrixXd single = ntk::empiricalNtk(p.model, p.cache, singleOptions);
        std::vector<double> singleSeconds, doubleSeconds;
        for (int i = 0; i < reps; ++i) {
            auto start = Clock::now();
            single = ntk::empiricalNtk(p.model, p.cache, singleOptions);
            singleSeconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
            start = Clock::now();
            reference = ntk::empiricalNtk(p.model, p.cache, doubleOptions);
            doubleSeconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
        }
        const ntk::Spectrum exact = ntk::fullSpectrum(reference), approximate = ntk::fullSpectrum(single);
        if (!exact.ok() || !approximate.ok())
            throw std::runtime_error("ntk_build_single: a spectrum failed");
        Result r{"ntk_build_single", shapeEntries(s), singleSeconds, kernelFlops(s), {}, {}};
        r.numbers.push_back({"double_seconds_median", median(doubleSeconds)});
        r.numbers.push_back({"speedup_vs_double", median(doubleSeconds) / median(singleSeconds)});
        r.numbers.push_back(
            {"eigenvalue_error",
             (approximate.eigenvalues - exact.eigenvalues).cwiseAbs().maxCoeff() / exact.eigenvalues[0]});
        r.numbers.push_back({"kernel_relative_error", (single - reference).norm() / reference.norm()});
        r.notes.push_back(
            {"eigenvalue_error_definition",
             "max_i |lambda_single_i - lambda_double_i| / lambda_double_1, both solved in double"});
        r.notes.push_back({"timing", "single and double builds alternate, one of each per repetition"});
        results_.push_back(std::move(r));
    }

    // (b) All eigenvalues by Eigen's self-adjoint solver, the trainer's default.
    void fullSpectrum(int n, int reps) {
        progress("full_spectrum n=" + std::to_string(n));
        const Eigen::MatrixXd kernel = spectrumTestKernel(n, 41 + n);
        Result r{"full_spectrum", {{"n", n}}, {}, std::nullopt, {}, {}};
        ntk::Spectrum spectrum;
        timeInto(r, reps, n <= 1000 ? 1 : 0, [&] {
            spectrum = ntk::fullSpectrum(kernel);
            benchSink = benchSink + spectrum.eigenvalues[0];
        });
        if (!spectrum.ok())
            throw std::runtime_error("full spectrum failed: " + std::string(ntk::toString(spectrum.status)));
        r.numbers.push_back({"lambda_max", spectrum.eigenvalues[0]});
        r.notes.push_back({"matrix", "NTK of a default w=128 L=1 net on Gaussian inputs (d=784)"});
        results_.push_back(std::move(r));
        if (!options_.exportDir.empty()) {
            const std::filesystem::path dir(options_.exportDir);
            writeNpy(dir / ("spectrum_kernel_n" + std::to_string(n) + ".npy"), ntk::encodeNpy(kernel));
            writeNpy(dir / ("spectrum_eigenvalues_n" + std::to_string(n) + ".npy"),
                     ntk::encodeNpy(Eigen::VectorXd(spectrum.eigenvalues)));
        }
    }

    // (c) Top-k by Lanczos against the full solve of the same matrix: time of both and their agreement.
    void topSpectrum(int n, int k, int reps) {
        progress("top_spectrum n=" + std::to_string(n) + " k=" + std::to_string(k) +
                 " (building the kernel)");
        const Eigen::MatrixXd kernel = spectrumTestKernel(n, 51);
        ntk::Spectrum top;
        Result r{"top_spectrum", {{"n", n}, {"k", k}}, {}, std::nullopt, {}, {}};
        timeInto(r, reps, 0, [&] {
            top = ntk::topSpectrum(kernel, k);
            benchSink = benchSink + top.eigenvalues[0];
        });
        progress("full_spectrum n=" + std::to_string(n) + " (reference for top-k, runs once)");
        ntk::Spectrum full;
        Result fullResult{"full_spectrum", {{"n", n}}, {}, std::nullopt, {}, {}};
        timeInto(fullResult, 1, 0, [&] {
            full = ntk::fullSpectrum(kernel);
            benchSink = benchSink + full.eigenvalues[0];
        });
        if (!top.ok() || !full.ok())
            throw std::runtime_error("top/full spectrum failed at n=" + std::to_string(n));
        const double agreement =
            (top.eigenvalues - full.eigenvalues.head(top.eigenvalues.size())).cwiseAbs().maxCoeff() /
            full.eigenvalues[0];
        r.numbers.push_back({"agreement_vs_full", agreement});
        r.numbers.push_back({"full_seconds", median(fullResult.seconds)});
        r.numbers.push_back({"speedup_vs_full", median(fullResult.seconds) / median(r.seconds)});
        r.notes.push_back({"agreement_definition", "max_i |lambda_top_i - lambda_full_i| / lambda_full_1"});
        fullResult.notes.push_back({"matrix", "NTK of a default w=128 L=1 net on Gaussian inputs (d=784)"});
        results_.push_back(std::move(r));
        results_.push_back(std::move(fullResult));
    }

    // (d) Whole epochs through ntk::Trainer with RunConfig's defaults (the lecture scene) on a synthetic
    // Gaussian data set: forward, loss, test predictions, NTK + full spectrum + summary, backward, GD step.
    // With hessianEvery = 1 (issue 13) also the Hessian's extremes and G's top every epoch, as the window
    // runs them with "Hessian every 1 epoch".
    void epochs(const NetShape& s, int testSize, int warmups, int reps,
                ntk::KernelPrecision precision = ntk::KernelPrecision::Double, int hessianEvery = 0) {
        const std::string name = hessianEvery > 0                            ? "epoch_sharpness"
                                 : precision == ntk::KernelPrecision::Single ? "epoch_single_kernel"
                                                                             : "epoch";
        progress(name + " " + describe(s) + " test-n=" + std::to_string(testSize));
        ntk::RunConfig config;
        config.trainSize = s.n;
        config.testSize = testSize;
        config.width = s.width;
        config.depth = s.depth;
        config.ntkEvery = 1;
        config.kernelPrecision = precision;
        config.hessianEvery = hessianEvery;
        config.epochs = warmups + reps + 10; // the last epoch is reported, not trained: stay clear of it
        ntk::PreparedData data;
        data.train = syntheticSet(s.n, s.d, s.outputs, 61);
        data.test = syntheticSet(testSize, s.d, s.outputs, 62);
        ntk::Trainer trainer(config, std::move(data));
        // The BLAS threads the live worker would use for this run (core/blas_threads.h), unless --threads
        // asked for a count.
        const int threadsBefore = blasThreads();
        const int threads =
            options_.threads > 0 ? options_.threads : ntk::preferredBlasThreads(config, s.n, s.d, s.outputs);
        setThreads(threads);
        std::vector<double> kernelSeconds;
        // Warm-up epochs include epoch 0, where the trainer computes and caches x x^T once per run.
        for (int i = 0; i < warmups; ++i)
            trainer.advance();
        Result r{name, shapeEntries(s), {}, std::nullopt, {}, {}};
        r.shape.push_back({"test_n", testSize});
        int withoutSharpness = 0;
        timeInto(r, reps, 0, [&] {
            const std::optional<ntk::EpochReport> report = trainer.advance();
            if (!report || !report->hasKernel)
                throw std::runtime_error("epoch benchmark: the run ended or skipped its kernel");
            kernelSeconds.push_back(report->kernelSeconds);
            if (hessianEvery > 0 && !report->sharpness)
                ++withoutSharpness;
        });
        const double perEpoch = median(r.seconds);
        if (hessianEvery > 0)
            r.numbers.push_back({"epochs_without_sharpness", double(withoutSharpness)});
        r.numbers.push_back({"epochs_per_second", 1.0 / perEpoch});
        r.numbers.push_back({"kernel_and_spectrum_seconds_median", median(kernelSeconds)});
        r.numbers.push_back({"kernel_and_spectrum_share", median(kernelSeconds) / perEpoch});
        r.numbers.push_back({"blas_threads", double(blasThreads())});
        if (threadsBefore > 0)
            setThreads(threadsBefore);
        r.notes.push_back(
            {"config", "RunConfig defaults (ce, gd, relu, ntk param, full spectrum), ntkEvery=1, "
                       "hessianEvery=" +
                           std::to_string(hessianEvery) + ", Gaussian features, labels i mod O"});
        results_.push_back(std::move(r));
    }

    // Issue 13: one Hessian-vector product of the training objective against one gradient on the same
    // batch. Both start from the batch's forward pass, as in the trainer, where a curvature epoch shares
    // the epoch's pass; the R-forward and R-backward passes are the product's own work. Alternating, so
    // that load drift hits both alike.
    void curvatureCost(const NetShape& s, ntk::Activation activation, ntk::LossKind loss, int reps) {
        const std::string label = std::string(activation == ntk::Activation::Relu ? "relu" : "tanh") + " " +
                                  (loss == ntk::LossKind::Mse ? "mse" : "ce");
        progress("hvp_cost " + describe(s) + " " + label);
        ntk::Mlp model = defaultModel(s, 91);
        ntk::MlpShape shape = model.shape();
        shape.activation = activation;
        model = ntk::Mlp(shape, 91);
        const Eigen::MatrixXd x = gaussianMatrix(s.n, s.d, 92);
        Eigen::MatrixXd targets = Eigen::MatrixXd::Zero(s.n, s.outputs);
        for (int i = 0; i < s.n; ++i)
            targets(i, i % s.outputs) = 1.0;
        const ntk::ForwardCache cache = model.forward(x);
        const ntk::CurvatureObjective objective{loss, &targets, {}};
        const ntk::LayerSet direction = ntk::unflattenLike(
            model.layers(), Eigen::VectorXd(gaussianMatrix(model.parameterCount(), 1, 93).col(0)));
        std::vector<double> gradientSeconds, productSeconds;
        Eigen::MatrixXd outputGradient;
        const auto gradient = [&] {
            ntk::lossAndGradient(loss, cache.output, targets, outputGradient);
            benchSink = benchSink + model.backward(cache, outputGradient)[0].weight(0, 0);
        };
        const auto product = [&] {
            benchSink =
                benchSink + ntk::hessianVectorProduct(model, cache, objective, direction)[0].weight(0, 0);
        };
        gradient();
        product();
        for (int i = 0; i < reps; ++i) {
            gradientSeconds.push_back(timeRepeated(1, 0, gradient)[0]);
            productSeconds.push_back(timeRepeated(1, 0, product)[0]);
        }
        Result r{"hvp_cost", shapeEntries(s), productSeconds, std::nullopt, {}, {}};
        r.numbers.push_back({"gradient_seconds_median", median(gradientSeconds)});
        r.numbers.push_back({"hvp_over_gradient", median(productSeconds) / median(gradientSeconds)});
        r.numbers.push_back({"parameters", double(model.parameterCount())});
        r.notes.push_back({"network", label});
        r.notes.push_back({"what", "seconds: hessianVectorProduct given the forward pass; gradient: "
                                   "lossAndGradient + backward given the same pass"});
        results_.push_back(std::move(r));
    }

    // Scale: the whole kernel of a large training set and its top eigenvalues, with the memory it takes.
    // The inputs' Gram matrix is not cached here (the trainer caches it only up to n = 4096).
    void scale(const NetShape& s, int k) {
        progress("scale " + describe(s) + " top-" + std::to_string(k));
        resetPeakMemory();
        const ntk::Mlp model = defaultModel(s, 81);
        const Eigen::MatrixXd x = gaussianMatrix(s.n, s.d, 82);
        Result r{"scale", shapeEntries(s), {}, std::nullopt, {}, {}};
        double buildSeconds = 0.0, topSeconds = 0.0, lambdaMax = 0.0, peakAfterBuild = 0.0;
        timeInto(r, 1, 0, [&] {
            const auto start = Clock::now();
            const Eigen::MatrixXd kernel = ntk::empiricalNtk(model, model.forward(x));
            const auto built = Clock::now();
            peakAfterBuild = ntk::peakResidentBytes();
            const ntk::Spectrum top = ntk::topSpectrum(kernel, k);
            if (!top.ok())
                throw std::runtime_error("scale: the top-k solve failed");
            lambdaMax = top.eigenvalues[0];
            buildSeconds = std::chrono::duration<double>(built - start).count();
            topSeconds = std::chrono::duration<double>(Clock::now() - built).count();
        });
        r.shape.push_back({"k", k});
        r.numbers.push_back({"build_seconds", buildSeconds});
        r.numbers.push_back({"top_k_seconds", topSeconds});
        r.numbers.push_back({"peak_resident_bytes", ntk::peakResidentBytes()});
        r.numbers.push_back({"peak_resident_bytes_after_build", peakAfterBuild});
        r.numbers.push_back({"lambda_max", lambdaMax});
        r.notes.push_back({"includes", "forward pass, kernel build, top-k Lanczos; Gaussian inputs"});
        results_.push_back(std::move(r));
    }

    // A small network with its kernel, for the peers to check that they compute exactly our kernel.
    void exportReferenceNetwork() {
        if (options_.exportDir.empty())
            return;
        const NetShape s{40, 12, 24, 2, 4};
        const KernelProblem p = makeKernelProblem(s, 71);
        const std::filesystem::path dir(options_.exportDir);
        writeNpy(dir / "check_x.npy", ntk::encodeNpy(Eigen::MatrixXd(p.cache.input(0))));
        for (int l = 0; l < s.depth + 1; ++l) {
            writeNpy(dir / ("check_W" + std::to_string(l + 1) + ".npy"),
                     ntk::encodeNpy(p.model.layers()[l].weight));
            writeNpy(dir / ("check_b" + std::to_string(l + 1) + ".npy"),
                     ntk::encodeNpy(p.model.layers()[l].bias));
        }
        writeNpy(dir / "check_ntk.npy", ntk::encodeNpy(ntk::empiricalNtk(p.model, p.cache)));
        const ntk::MlpShape& shape = p.model.shape();
        std::ofstream meta(dir / "check_meta.json");
        meta << "{\"n\": " << s.n << ", \"d\": " << s.d << ", \"w\": " << s.width << ", \"L\": " << s.depth
             << ", \"O\": " << s.outputs << ", \"activation\": \"relu\", \"parameterization\": \"ntk\""
             << ", \"sigma_w\": " << jsonNumber(shape.sigmaW) << ", \"sigma_b\": " << jsonNumber(shape.sigmaB)
             << "}\n";
    }

    void run() {
        if (options_.threads > 0)
            setThreads(options_.threads);
        if (!options_.exportDir.empty())
            std::filesystem::create_directories(options_.exportDir);
        const auto start = Clock::now();
        gemmPeak();
        exportReferenceNetwork();
        // Repetitions scale inversely with cost so that the whole run stays within minutes on 2 cores.
        if (wantSmall()) {
            if (selected("ntk_build")) {
                kernelBuild({200, 784, 128, 1, 10}, 5 * smallReps());
                kernelBuild({500, 784, 128, 1, 10}, 3 * smallReps());
                kernelBuildSingle({200, 784, 128, 1, 10}, 5 * smallReps());
            }
            if (selected("full_spectrum")) {
                fullSpectrum(200, 5 * smallReps());
                fullSpectrum(2000, largeReps());
            }
            if (selected("epoch"))
                epochs({200, 784, 128, 1, 10}, 200, 3, 10 * smallReps());
            if (selected("curvature")) {
                curvatureCost({200, 784, 128, 1, 10}, ntk::Activation::Relu, ntk::LossKind::CrossEntropy,
                              10 * smallReps());
                curvatureCost({500, 784, 128, 2, 10}, ntk::Activation::Tanh, ntk::LossKind::Mse,
                              4 * smallReps());
                epochs({200, 784, 128, 1, 10}, 200, 3, 5 * smallReps(), ntk::KernelPrecision::Double, 1);
            }
        }
        if (wantLarge()) {
            // First among the large ones, while the process is still small: its peak memory is its own.
            if (selected("scale"))
                scale({10000, 784, 512, 2, 10}, 32);
            if (selected("probe"))
                syrkProbes();
            if (selected("ntk_build")) {
                kernelBuild({2000, 784, 512, 3, 10}, largeReps());
                // The epoch shape's kernel alone, to split its epoch time into kernel and eigen-solve.
                kernelBuild({2000, 784, 512, 2, 10}, largeReps());
                kernelBuildSingle({2000, 784, 512, 3, 10}, largeReps());
            }
            if (selected("full_spectrum"))
                fullSpectrum(4000, slowReps());
            if (selected("epoch"))
                epochs({2000, 784, 512, 2, 10}, 200, 1, largeReps());
            if (selected("epoch"))
                epochs({2000, 784, 512, 2, 10}, 200, 1, largeReps(), ntk::KernelPrecision::Single);
            if (selected("top_spectrum"))
                topSpectrum(8000, 32, largeReps());
        }
        totalSeconds_ = std::chrono::duration<double>(Clock::now() - start).count();
    }

    void printJson(std::ostream& out) const {
        char date[64];
        const std::time_t now = std::time(nullptr);
        std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
        out << "{\n  \"tool\": \"ntkviz-bench\",\n  \"date\": " << jsonString(date)
            << ",\n  \"eigen_version\": \"" << EIGEN_WORLD_VERSION << '.' << EIGEN_MAJOR_VERSION << '.'
            << EIGEN_MINOR_VERSION
            << "\",\n  \"eigen_simd\": " << jsonString(Eigen::SimdInstructionSetsInUse())
            << ",\n  \"build_type\": " << jsonString(NTKVIZ_BENCH_BUILD_TYPE)
            << ",\n  \"cxx_flags\": " << jsonString(NTKVIZ_BENCH_CXX_FLAGS)
            << ",\n  \"products_backend\": " << jsonString(productsBackend())
            << ",\n  \"full_spectrum_backend\": " << jsonString(fullSpectrumBackend())
            << ",\n  \"blas_libraries\": " << jsonString(mappedLibraries({"blas", "lapack"}))
            << ",\n  \"blas_threads\": " << blasThreads()
            << ",\n  \"requested_threads\": " << options_.threads
            << ",\n  \"eigen_nb_threads\": " << Eigen::nbThreads()
            << ",\n  \"gemm_peak_gflops\": " << jsonNumber(peakGflops_)
            << ",\n  \"total_seconds\": " << jsonNumber(totalSeconds_) << ",\n  \"results\": [\n";
        for (std::size_t i = 0; i < results_.size(); ++i)
            out << resultJson(results_[i], peakGflops_) << (i + 1 < results_.size() ? ",\n" : "\n");
        out << "  ]\n}\n";
    }

private:
    static ntk::Dataset syntheticSet(int n, int d, int classes, std::uint64_t seed) {
        ntk::Dataset set;
        set.features = gaussianMatrix(n, d, seed);
        set.labels.resize(n);
        for (int i = 0; i < n; ++i)
            set.labels[i] = i % classes;
        set.classCount = classes;
        set.task = ntk::TaskKind::Classification;
        set.name = "synthetic-gaussian";
        return set;
    }

    Options options_;
    std::vector<Result> results_;
    double peakGflops_ = 0.0;
    double totalSeconds_ = 0.0;
};

} // namespace

int main(int argc, char** argv) {
    const Options options = parseOptions(argc, argv);
    try {
        Bench bench(options);
        bench.run();
        bench.printJson(std::cout);
    } catch (const std::exception& e) {
        std::cerr << "ntkviz-bench: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
