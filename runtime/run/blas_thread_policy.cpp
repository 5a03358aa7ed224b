#include "blas_thread_policy.h"

#include "blas_threads.h"

#include <algorithm>
#include <map>
#include <mutex>

namespace ntk {
namespace {

struct Leases {
    // A sweep lease holds no thread preference: while one exists, every BLAS call runs on one thread.
    static constexpr int sweepLease = 0;

    std::mutex mutex;
    std::uint64_t nextId = 1;
    std::map<std::uint64_t, int> preferred; // lease id -> preferred threads, or sweepLease

    int wanted() const {
        int threads = 0;
        for (const auto& [id, wants] : preferred) {
            if (wants == sweepLease)
                return 1;
            threads = std::max(threads, wants);
        }
        return threads > 0 ? threads : defaultBlasThreads();
    }
    std::uint64_t add(int wants) {
        const std::uint64_t id = nextId++;
        preferred[id] = wants;
        apply();
        return id;
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
    // At least one thread, so a run's preference never reads as a sweep lease.
    const int wants = std::max(1, preferredBlasThreads(config, trainSize, inputDim, outputs));
    Leases& all = leases();
    std::lock_guard lock(all.mutex);
    return BlasThreadLease(all.add(wants));
}

BlasThreadLease BlasThreadLease::forSweep() {
    Leases& all = leases();
    std::lock_guard lock(all.mutex);
    return BlasThreadLease(all.add(Leases::sweepLease));
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
    all.preferred.erase(id_);
    all.apply();
}

int policyBlasThreads() {
    Leases& all = leases();
    std::lock_guard lock(all.mutex);
    return all.wanted();
}

} // namespace ntk
