#include "dataset.h"

namespace ntk {

Eigen::MatrixXd Dataset::targets() const {
    if (task == TaskKind::Regression)
        return values;
    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(size(), classCount);
    for (Eigen::Index i = 0; i < size(); ++i)
        y(i, labels[i]) = 1.0;
    return y;
}

Dataset Dataset::rows(const std::vector<Eigen::Index>& indices) const {
    Dataset out;
    out.classCount = classCount;
    out.task = task;
    out.name = name;
    out.features = features(indices, Eigen::all);
    if (task == TaskKind::Regression)
        out.values = values(indices);
    else
        out.labels = labels(indices);
    return out;
}

} // namespace ntk
