#include "mpi_session.h"

#include "blas_threads.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <thread>
#include <vector>

#ifdef NTKVIZ_HAVE_MPI
#include <mpi.h>
#endif

namespace ntk {
namespace {

// mpirun (OpenMPI), and PMI/PMIx as srun and other launchers set it.
bool launchedByMpi() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
        if (std::getenv(name))
            return true;
    return false;
}

#ifdef NTKVIZ_HAVE_MPI
// MPI counts are ints: larger buffers go in pieces.
constexpr std::size_t maxPiece = std::size_t(std::numeric_limits<int>::max() / 2);

class MpiProcessGroup : public ProcessGroup {
public:
    MpiProcessGroup() {
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    void sum(double* values, std::size_t count) override { reduce(values, count, MPI_SUM); }
    void max(double* values, std::size_t count) override { reduce(values, count, MPI_MAX); }
    void gatherRows(const Eigen::MatrixXd& local, Eigen::MatrixXd& global) override {
        // Rows are not contiguous in Eigen's column-major storage, columns of the transposes are.
        const Eigen::Index m = local.cols();
        const Eigen::MatrixXd mine = local.transpose();
        Eigen::MatrixXd all(m, global.rows());
        std::vector<int> counts(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
        for (int r = 0; r < size_; ++r) {
            const ShardRange part = shardRange(global.rows(), r, size_);
            counts[std::size_t(r)] = int(part.count * m);
            offsets[std::size_t(r)] = int(part.first * m);
        }
        MPI_Allgatherv(mine.data(), int(mine.size()), MPI_DOUBLE, all.data(), counts.data(), offsets.data(),
                       MPI_DOUBLE, MPI_COMM_WORLD);
        global = all.transpose();
    }

private:
    static void reduce(double* values, std::size_t count, MPI_Op op) {
        for (std::size_t done = 0; done < count; done += maxPiece)
            MPI_Allreduce(MPI_IN_PLACE, values + done, int(std::min(maxPiece, count - done)), MPI_DOUBLE, op,
                          MPI_COMM_WORLD);
    }
    int rank_ = 0, size_ = 1;
};
#endif

} // namespace

MpiSession::MpiSession([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
    if (!launchedByMpi())
        return;
#ifdef NTKVIZ_HAVE_MPI
    MPI_Init(&argc, &argv);
    initialized_ = true;
    auto group = std::make_unique<MpiProcessGroup>();
    if (group->size() > 1) {
        // Processes on one machine share its cores: more BLAS threads than cores only compete (and MPI's
        // waiting spins on a core as well).
        MPI_Comm local = MPI_COMM_NULL;
        MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, group->rank(), MPI_INFO_NULL, &local);
        int here = 1;
        MPI_Comm_size(local, &here);
        MPI_Comm_free(&local);
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        setBlasThreads(std::max(1, cores / here));
        group_ = std::move(group);
    }
#else
    problem_ = "launched by an MPI launcher, but this ntkviz-cli was built without MPI (install "
               "libopenmpi-dev and rebuild)";
#endif
}

MpiSession::~MpiSession() {
#ifdef NTKVIZ_HAVE_MPI
    if (initialized_)
        MPI_Finalize();
#endif
}

} // namespace ntk
