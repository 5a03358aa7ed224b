#pragma once
// NumPy .npy encoding (format 1.0) and decoding (formats 1.0 and 2.0), so that kernels, spectra and data
// can be exchanged with numpy.load / numpy.save. Decoding errors are reported as ntk::DataError.
#include "packed_symmetric.h"

#include <Eigen/Dense>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace ntk {

// 2-D '<f8' array of shape (rows, cols) in C (row-major) order.
std::string encodeNpy(const Eigen::MatrixXd& m);
// The same bytes as encodeNpy(m), handed to `sink` in pieces of about 1 MiB without a whole second copy
// in memory; with `symmetric` (m == m^T, a kernel) straight from m's storage. `sink` returns false to
// stop early.
void streamNpy(const Eigen::MatrixXd& m, bool symmetric,
               const std::function<bool(const char* bytes, std::size_t size)>& sink);
// The whole n x n matrix, unpacked a block of rows at a time (never all of it in memory).
void streamNpy(const PackedSymmetricMatrix& m,
               const std::function<bool(const char* bytes, std::size_t size)>& sink);
// 1-D '<f8' array of shape (n,).
std::string encodeNpy(const Eigen::VectorXd& v);
// 1-D '<i8' array of shape (n,).
std::string encodeNpy(const Eigen::VectorXi& v);

struct NpyArray {
    std::string descr;              // as in the header, e.g. "<f8"
    std::vector<std::size_t> shape; // empty for a 0-d (scalar) array
    std::vector<double> data;       // converted to double, C order
};

// Accepts descr '<f8', '<f4', '<i8' or '<i4' in C order. sourceName (usually the file name) starts every
// error message.
NpyArray decodeNpy(const std::string& bytes, const std::string& sourceName = "npy data");

} // namespace ntk
