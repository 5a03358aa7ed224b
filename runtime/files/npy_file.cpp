#include "npy_file.h"

#include "atomic_write.h"
#include "npy.h"

namespace ntk {
namespace {

std::optional<QString> writeBytes(const QString& path, const std::string& encoded) {
    return writeFileAtomically(path, QByteArray::fromRawData(encoded.data(), qsizetype(encoded.size())));
}

} // namespace

std::optional<QString> writeNpyFile(const QString& path, const Eigen::MatrixXd& m, bool symmetric) {
    return writeFileAtomically(path, [&](const ChunkSink& sink) {
        streamNpy(m, symmetric,
                  [&](const char* bytes, std::size_t size) { return sink(bytes, qint64(size)); });
    });
}

std::optional<QString> writeNpyFile(const QString& path, const PackedSymmetricMatrix& m) {
    return writeFileAtomically(path, [&](const ChunkSink& sink) {
        streamNpy(m, [&](const char* bytes, std::size_t size) { return sink(bytes, qint64(size)); });
    });
}

std::optional<QString> writeNpyFile(const QString& path, const Eigen::VectorXd& v, bool) {
    return writeBytes(path, encodeNpy(v));
}

std::optional<QString> writeNpyFile(const QString& path, const Eigen::VectorXi& v, bool) {
    return writeBytes(path, encodeNpy(v));
}

} // namespace ntk
