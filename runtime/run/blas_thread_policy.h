#pragma once
// The BLAS behind Eigen's products (OpenBLAS on Debian) has one thread count for the whole process. This
// is its one owner, with one policy:
//   - while a sweep runs (several trainings at once, one per core), every product uses one thread: the
//     cores are already busy, and more threads would only compete;
//   - otherwise the count is the largest any running run prefers (preferredBlasThreads: one thread for
//     small kernels, where start-up costs more than it saves, the default for large ones);
//   - with nothing running, the count OpenBLAS started with.
// A run or sweep holds a lease for as long as it runs; taking and dropping leases recomputes the count,
// so a sweep that ends restores what it changed.
#include "config.h"

#include <cstdint>

namespace ntk {

class BlasThreadLease {
public:
    static BlasThreadLease forRun(const RunConfig& config, int trainSize, int inputDim, int outputs);
    static BlasThreadLease forSweep();
    BlasThreadLease(BlasThreadLease&& other) noexcept;
    BlasThreadLease& operator=(BlasThreadLease&&) = delete;
    BlasThreadLease(const BlasThreadLease&) = delete;
    ~BlasThreadLease();

private:
    explicit BlasThreadLease(std::uint64_t id)
        : id_(id) {}
    std::uint64_t id_ = 0; // 0: moved from
};

// The count the policy asks for now (for tests and the benchmark's report).
int policyBlasThreads();

} // namespace ntk
