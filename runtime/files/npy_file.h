#pragma once
// .npy files on disk, written atomically. A matrix is streamed from its own storage in pieces (see
// ntk::streamNpy), so writing an 800 MB kernel needs no second 800 MB in memory.
#include "packed_symmetric.h"

#include <Eigen/Dense>
#include <QString>
#include <optional>

namespace ntk {

// `symmetric`: m == m^T (a kernel), which lets its column-major storage be written as C order directly.
std::optional<QString> writeNpyFile(const QString& path, const Eigen::MatrixXd& m, bool symmetric = false);
std::optional<QString> writeNpyFile(const QString& path, const PackedSymmetricMatrix& m);
std::optional<QString> writeNpyFile(const QString& path, const Eigen::VectorXd& v, bool symmetric = false);
std::optional<QString> writeNpyFile(const QString& path, const Eigen::VectorXi& v, bool symmetric = false);

} // namespace ntk
