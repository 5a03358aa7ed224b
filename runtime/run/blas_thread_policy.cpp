#include "blas_thread_policy.h"

#include "blas_threads.h"

#include <algorithm>
#include <map>
#include <mutex>

namespace ntk {
namespace {

struct Leases {
    std::mutex mutex;
    std::uint64_t nextId = 1;
    std::map<std::uint64_t, int> runs; // lease id -> preferred threads
    int sweeps = 0;
    std::map<std::uint64_t, bool> isSweep;

    int wanted() const {
        if (sweeps > 0)
            return 1;
        int threads = 0;
        for (const auto& [id, preferred] : runs)
            threads = std::max(threads, preferred);
        return threads > 0 ? threads : defaultBlasThreads();
    }
    void apply() const {
        if (const int threads = wanted(); threads > 0)
            setBlasThreads(threads);
    }
};

Leases& leases() {
    static Leases instance;
    return instance;
}

} // namespace

BlasThreadLease BlasThreadLease::forRun(const RunConfig& config, int trainSize, int inputDim, int outputs) {
    const int preferred = preferredBlasThreads(config, trainSize, inputDim, outputs);
    Leases& all = leases();
    std::lock_guard lock(all.mutex);
    const std::uint64_t id = all.nextId++;
    all.runs[id] = preferred;
    all.isSweep[id] = false;
    all.apply();
    return BlasThreadLease(id);
}

BlasThreadLease BlasThreadLease::forSweep() {
    Leases& all = leases();
    std::lock_guard lock(all.mutex);
    const std::uint64_t id = all.nextId++;
    ++all.sweeps;
    all.isSweep[id] = true;
    all.apply();
    return BlasThreadLease(id);
}

BlasThreadLease::BlasThreadLease(BlasThreadLease&& other) noexcept
    : id_(other.id_) {
    other.id_ = 0;
}

BlasThreadLease::~BlasThreadLease() {
    if (id_ == 0)
        return;
    Leases& all = leases();
    std::lock_guard lock(all.mutex);
    if (all.isSweep[id_])
        --all.sweeps;
    all.runs.erase(id_);
    all.isSweep.erase(id_);
    all.apply();
}

int policyBlasThreads() {
    Leases& all = leases();
    std::lock_guard lock(all.mutex);
    return all.wanted();
}

} // namespace ntk
