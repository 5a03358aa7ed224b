#include "npy_files.h"

#include "data_error.h"
#include "npy.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ntk {
namespace {

std::string joined(const std::string& directory, const std::string& name) {
    return (std::filesystem::path(directory) / name).string();
}

// "W3.npy" for layer 3: built by appending (GCC 12 warns falsely on "W" + std::to_string(l), bug 105329).
std::string layerFile(const char* prefix, int layer) {
    std::string name(prefix);
    name += std::to_string(layer);
    name += ".npy";
    return name;
}

std::string shapeText(const std::vector<std::size_t>& shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

NpyArray readNpyFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DataError(path, std::filesystem::exists(path) ? "cannot be read" : "no such file");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return decodeNpy(bytes.str(), path);
}

void requireFinite(const NpyArray& array, const std::string& path) {
    for (std::size_t i = 0; i < array.data.size(); ++i)
        if (!std::isfinite(array.data[i]))
            throw DataError(path, "value " + std::to_string(i) + " (in C order) is not finite");
}

bool integerType(const NpyArray& array) {
    return array.descr.size() >= 2 && (array.descr[1] == 'i' || array.descr[1] == 'u');
}

} // namespace

std::optional<Dataset> loadNpyDataset(const std::string& directory, const std::string& split, bool required) {
    const std::string xPath = joined(directory, "x_" + split + ".npy");
    const std::string yPath = joined(directory, "y_" + split + ".npy");
    if (!required && !std::filesystem::exists(xPath) && !std::filesystem::exists(yPath))
        return std::nullopt;
    const NpyArray x = readNpyFile(xPath);
    if (x.shape.size() != 2 || x.shape[0] == 0 || x.shape[1] == 0)
        throw DataError(xPath, "shape " + shapeText(x.shape) + ": expected a 2-D array, one row per point");
    requireFinite(x, xPath);
    const NpyArray y = readNpyFile(yPath);
    if (y.shape.size() != 1 || y.shape[0] != x.shape[0])
        throw DataError(yPath, "shape " + shapeText(y.shape) + ": expected (" + std::to_string(x.shape[0]) +
                                   ",), one label or value per row of " +
                                   std::filesystem::path(xPath).filename().string());
    requireFinite(y, yPath);

    Dataset data;
    data.name = std::filesystem::path(directory).filename().string();
    const auto n = Eigen::Index(x.shape[0]), d = Eigen::Index(x.shape[1]);
    data.features = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        x.data.data(), n, d);
    if (integerType(y)) {
        data.task = TaskKind::Classification;
        data.labels.resize(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            const double label = y.data[std::size_t(i)];
            if (label < 0 || label >= 1000)
                throw DataError(yPath, "label " + std::to_string(std::int64_t(label)) + " of point " +
                                           std::to_string(i) + " is not a class 0 to 999");
            data.labels[i] = int(label);
        }
        data.classCount = data.labels.maxCoeff() + 1;
    } else {
        data.task = TaskKind::Regression;
        data.values = Eigen::Map<const Eigen::VectorXd>(y.data.data(), n);
    }
    return data;
}

LayerSet loadLayerFiles(const std::string& directory, const MlpShape& shape) {
    LayerSet layers(std::size_t(shape.layerCount()));
    for (int l = 0; l < shape.layerCount(); ++l) {
        const std::string wPath = joined(directory, layerFile("W", l + 1));
        const std::string bPath = joined(directory, layerFile("b", l + 1));
        const std::vector<std::size_t> wShape{std::size_t(shape.fanOut(l)), std::size_t(shape.fanIn(l))};
        const std::vector<std::size_t> bShape{std::size_t(shape.fanOut(l))};
        const NpyArray w = readNpyFile(wPath);
        if (w.shape != wShape)
            throw DataError(wPath, "shape " + shapeText(w.shape) + " but this network's layer " +
                                       std::to_string(l + 1) + " needs " + shapeText(wShape));
        requireFinite(w, wPath);
        const NpyArray b = readNpyFile(bPath);
        if (b.shape != bShape)
            throw DataError(bPath, "shape " + shapeText(b.shape) + " but this network's layer " +
                                       std::to_string(l + 1) + " needs " + shapeText(bShape));
        requireFinite(b, bPath);
        Layer& layer = layers[std::size_t(l)];
        layer.weight =
            Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                w.data.data(), shape.fanOut(l), shape.fanIn(l));
        layer.bias = Eigen::Map<const Eigen::VectorXd>(b.data.data(), shape.fanOut(l));
    }
    // A directory with more layers than the network is a different network, not a partial match.
    const std::string extra = joined(directory, layerFile("W", shape.layerCount() + 1));
    if (std::filesystem::exists(extra))
        throw DataError(extra, "this network has only " + std::to_string(shape.layerCount()) +
                                   " layers (depth " + std::to_string(shape.depth) +
                                   " plus the output layer)");
    return layers;
}

} // namespace ntk
