#pragma once
// A labelled data set as plain Eigen values: one row per point.
#include <Eigen/Dense>
#include <string>

namespace ntk {

enum class TaskKind { Classification, Regression };

struct Dataset {
    Eigen::MatrixXd features; // n x d, one row per point
    Eigen::VectorXi labels;   // n class indices in [0, classCount) (classification only)
    Eigen::VectorXd values;   // n regression targets (regression only)
    int classCount = 0;       // 0 for regression
    TaskKind task = TaskKind::Classification;
    std::string name; // for messages and exports

    Eigen::Index size() const { return features.rows(); }
    Eigen::Index dimension() const { return features.cols(); }
    int outputCount() const { return task == TaskKind::Regression ? 1 : classCount; }
    // n x outputCount targets: one-hot rows for classification, the values for regression.
    Eigen::MatrixXd targets() const;
    Dataset rows(const std::vector<Eigen::Index>& indices) const;
};

} // namespace ntk
