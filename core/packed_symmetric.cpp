#include "packed_symmetric.h"

#include <cassert>
#include <cmath>
#include <stdexcept>

namespace ntk {

PackedSymmetricMatrix::PackedSymmetricMatrix(const Eigen::MatrixXd& symmetric)
    : n_(symmetric.rows()) {
    if (symmetric.rows() != symmetric.cols())
        throw std::invalid_argument("a packed symmetric matrix needs a square matrix");
    lower_.resize(std::size_t(n_) * std::size_t(n_ + 1) / 2);
    double diagonal = 0.0, offDiagonal = 0.0;
    for (Eigen::Index col = 0; col < n_; ++col) {
        const auto stored = symmetric.col(col).tail(n_ - col);
        Eigen::Map<Eigen::VectorXd>(lower_.data() + columnStart(col), n_ - col) = stored;
        diagonal += stored[0] * stored[0];
        offDiagonal += stored.tail(n_ - col - 1).squaredNorm();
    }
    norm_ = std::sqrt(diagonal + 2.0 * offDiagonal);
}

double PackedSymmetricMatrix::operator()(Eigen::Index row, Eigen::Index col) const {
    assert(row >= 0 && col >= 0 && row < n_ && col < n_);
    if (row < col)
        std::swap(row, col);
    return lower_[columnStart(col) + std::size_t(row - col)];
}

void PackedSymmetricMatrix::copyColumns(Eigen::Index first, Eigen::Index count, Eigen::MatrixXd& out) const {
    assert(first >= 0 && count >= 0 && first + count <= n_);
    out.resize(n_, count);
    // Below and on the diagonal, each column is stored whole.
    for (Eigen::Index j = 0; j < count; ++j) {
        const Eigen::Index col = first + j;
        out.col(j).tail(n_ - col) =
            Eigen::Map<const Eigen::VectorXd>(lower_.data() + columnStart(col), n_ - col);
    }
    // Above it, entry (r, col) with r < col is (col, r): row `col` of stored column r. For one r the block's
    // columns are consecutive rows of that stored column, so they are read as one contiguous run.
    for (Eigen::Index r = 0; r < first + count - 1; ++r) {
        const Eigen::Index from =
            std::max(first, r + 1); // the block's columns that lie right of r's diagonal
        const double* run = lower_.data() + columnStart(r) + std::size_t(from - r);
        for (Eigen::Index col = from; col < first + count; ++col)
            out(r, col - first) = *run++;
    }
}

Eigen::MatrixXd PackedSymmetricMatrix::toDense() const {
    Eigen::MatrixXd dense;
    copyColumns(0, n_, dense);
    return dense;
}

double PackedSymmetricMatrix::frobeniusInner(const Eigen::MatrixXd& other) const {
    if (other.rows() != n_ || other.cols() != n_)
        throw std::invalid_argument("frobeniusInner: matrices of different sizes");
    double diagonal = 0.0, offDiagonal = 0.0;
    for (Eigen::Index col = 0; col < n_; ++col) {
        const Eigen::Map<const Eigen::VectorXd> stored(lower_.data() + columnStart(col), n_ - col);
        const auto theirs = other.col(col).tail(n_ - col);
        diagonal += stored[0] * theirs[0];
        offDiagonal += stored.tail(n_ - col - 1).dot(theirs.tail(n_ - col - 1));
    }
    return diagonal + 2.0 * offDiagonal;
}

} // namespace ntk
