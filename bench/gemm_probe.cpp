// ntkviz-gemm-probe: the 2000 x 2000 double GEMM of ntkviz-bench's peak, compiled for this CPU's full
// instruction set (-march=native) and, in the -omp variant, with Eigen's OpenMP threading. Comparing its
// GFLOP/s with ntkviz-bench's gemm_peak shows what the core's compile flags leave unused.
// Output: one JSON object on stdout.
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#ifndef NTKVIZ_PROBE_VARIANT
#define NTKVIZ_PROBE_VARIANT "unknown"
#endif

int main(int argc, char** argv) {
    int reps = 3;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == "--reps")
            reps = std::max(1, std::atoi(argv[++i]));
        else if (std::string(argv[i]) == "--threads")
            Eigen::setNbThreads(std::max(1, std::atoi(argv[++i])));
    }
    const Eigen::Index n = 2000;
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal(0.0, 1.0);
    Eigen::MatrixXd a(n, n), b(n, n), c(n, n);
    for (Eigen::Index i = 0; i < a.size(); ++i) {
        a.data()[i] = normal(rng);
        b.data()[i] = normal(rng);
    }
    c.noalias() = a * b; // warm-up: page faults and Eigen's blocking buffers
    std::vector<double> seconds;
    for (int r = 0; r < reps; ++r) {
        const auto start = std::chrono::steady_clock::now();
        c.noalias() = a * b;
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    const double med = seconds.size() % 2
                           ? seconds[seconds.size() / 2]
                           : 0.5 * (seconds[seconds.size() / 2 - 1] + seconds[seconds.size() / 2]);
    std::printf("{\"tool\": \"ntkviz-gemm-probe\", \"variant\": \"%s\", \"eigen_simd\": \"%s\", "
                "\"eigen_nb_threads\": %d, \"n\": %ld, \"reps\": %d, \"seconds_median\": %.6g, "
                "\"gflops\": %.6g, \"check\": %.6g}\n",
                NTKVIZ_PROBE_VARIANT, Eigen::SimdInstructionSetsInUse(), Eigen::nbThreads(), long(n), reps,
                med, 2.0 * double(n) * n * n / med * 1e-9, c(0, 0));
    return 0;
}
