#pragma once
// A symmetric matrix stored as its lower triangle, column after column (LAPACK's packed 'L' layout):
// n(n + 1)/2 numbers instead of n². A run keeps its initial kernel this way, 0.4 GB instead of 0.8 GB at
// n = 10,000, since after epoch 0 it is only read (by the kernel distance and the export), never solved.
#include <Eigen/Dense>
#include <vector>

namespace ntk {

class PackedSymmetricMatrix {
public:
    PackedSymmetricMatrix() = default;
    // Reads the lower triangle of a square matrix (the upper one is taken to mirror it).
    explicit PackedSymmetricMatrix(const Eigen::MatrixXd& symmetric);

    Eigen::Index size() const { return n_; } // rows = columns
    bool empty() const { return n_ == 0; }
    double operator()(Eigen::Index row, Eigen::Index col) const;
    // Columns [first, first + count) of the whole matrix into `out` (n x count); by symmetry they are also
    // its rows, which is what a C-order writer wants.
    void copyColumns(Eigen::Index first, Eigen::Index count, Eigen::MatrixXd& out) const;
    Eigen::MatrixXd toDense() const;
    double norm() const { return norm_; } // Frobenius norm of the whole matrix
    // <this, other> summed over the whole matrix, reading only `other`'s lower triangle (it must be
    // symmetric and of the same size).
    double frobeniusInner(const Eigen::MatrixXd& other) const;

private:
    // Where column `col`'s stored part (rows col..n-1) begins.
    std::size_t columnStart(Eigen::Index col) const {
        return std::size_t(col) * std::size_t(n_) - std::size_t(col) * std::size_t(col - 1) / 2;
    }

    Eigen::Index n_ = 0;
    std::vector<double> lower_;
    double norm_ = 0.0;
};

} // namespace ntk
