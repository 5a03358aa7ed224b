#pragma once
#include <Eigen/Dense>
#include <functional>

namespace ntk {

// Y = A V for a symmetric n x n operator A and a block V (n x m): all an iterative eigen-solver needs.
using SymmetricProduct = std::function<Eigen::MatrixXd(const Eigen::MatrixXd&)>;

} // namespace ntk
