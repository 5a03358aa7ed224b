#include "process_group.h"

namespace ntk {

ShardRange shardRange(Eigen::Index n, int rank, int size) {
    const auto begin = [n, size](int r) { return Eigen::Index((__int128(n) * r) / size); };
    return {begin(rank), begin(rank + 1) - begin(rank)};
}

ShardExchange shardExchange(ProcessGroup& group, Eigen::Index n) {
    ShardExchange exchange;
    exchange.globalRows = n;
    exchange.firstRow = shardRange(n, group.rank(), group.size()).first;
    exchange.sum = [&group](double* values, std::size_t count) { group.sum(values, count); };
    exchange.gatherRows = [&group](const Eigen::MatrixXd& local, Eigen::MatrixXd& global) {
        group.gatherRows(local, global);
    };
    return exchange;
}

} // namespace ntk
