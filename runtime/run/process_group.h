#pragma once
// Processes that share one computation by splitting its samples (MPI ranks, see runtime/cluster/): each
// holds a contiguous part of the training points, and they meet only to add up parameter-sized sums and to
// gather the rows of a product. A null ProcessGroup* everywhere means one process holding everything.
#include "ntk_operator.h"

#include <Eigen/Dense>
#include <cstddef>

namespace ntk {

class ProcessGroup {
public:
    virtual ~ProcessGroup() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Element-wise over all processes, in place; every process gets the same result.
    virtual void sum(double* values, std::size_t count) = 0;
    virtual void max(double* values, std::size_t count) = 0;
    // Every process's rows (in rank order, each process holding shardRange(global.rows(), rank, size)),
    // into `global`, which is already global.rows() x local.cols(), on every process.
    virtual void gatherRows(const Eigen::MatrixXd& local, Eigen::MatrixXd& global) = 0;
};

// The points [first, first + count) of n that process `rank` of `size` holds: as even as n allows.
struct ShardRange {
    Eigen::Index first = 0, count = 0;
};
ShardRange shardRange(Eigen::Index n, int rank, int size);

// The operator's view of the group for a data set of n points.
ShardExchange shardExchange(ProcessGroup& group, Eigen::Index n);

} // namespace ntk
