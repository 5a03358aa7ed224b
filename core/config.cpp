#include "config.h"

#include <array>
#include <cmath>
#include <utility>

namespace ntk {
namespace {

template <class Enum, std::size_t N> using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<DatasetKind, 10> datasetNames{{{DatasetKind::FashionMnist, "fashion-mnist"},
                                                   {DatasetKind::Mnist, "mnist"},
                                                   {DatasetKind::Moons, "moons"},
                                                   {DatasetKind::Circles, "circles"},
                                                   {DatasetKind::Spirals, "spirals"},
                                                   {DatasetKind::Xor, "xor"},
                                                   {DatasetKind::Blobs, "blobs"},
                                                   {DatasetKind::Sine, "sine"},
                                                   {DatasetKind::Csv, "csv"},
                                                   {DatasetKind::Npy, "npy"}}};
constexpr NameTable<Activation, 5> activationNames{{{Activation::Relu, "relu"},
                                                    {Activation::Tanh, "tanh"},
                                                    {Activation::Gelu, "gelu"},
                                                    {Activation::Erf, "erf"},
                                                    {Activation::Identity, "identity"}}};
constexpr NameTable<Parameterization, 2> parameterizationNames{
    {{Parameterization::Ntk, "ntk"}, {Parameterization::Standard, "standard"}}};
constexpr NameTable<LossKind, 2> lossNames{{{LossKind::CrossEntropy, "ce"}, {LossKind::Mse, "mse"}}};
constexpr NameTable<OptimizerKind, 4> optimizerNames{{{OptimizerKind::Gd, "gd"},
                                                      {OptimizerKind::Sgd, "sgd"},
                                                      {OptimizerKind::Momentum, "momentum"},
                                                      {OptimizerKind::Adam, "adam"}}};
constexpr NameTable<L1Mode, 2> l1ModeNames{
    {{L1Mode::Subgradient, "subgradient"}, {L1Mode::Proximal, "proximal"}}};
constexpr NameTable<Scaling, 4> scalingNames{{{Scaling::Auto, "auto"},
                                              {Scaling::Standardize, "standardize"},
                                              {Scaling::UnitInterval, "unit-interval"},
                                              {Scaling::None, "none"}}};
constexpr NameTable<KernelSolver, 3> solverNames{{{KernelSolver::Auto, "auto"},
                                                  {KernelSolver::Dense, "dense"},
                                                  {KernelSolver::MatrixFree, "matrix-free"}}};
constexpr NameTable<KernelPrecision, 2> precisionNames{
    {{KernelPrecision::Double, "double"}, {KernelPrecision::Single, "single"}}};

template <class Enum, std::size_t N> std::string_view nameOf(const NameTable<Enum, N>& table, Enum v) {
    for (const auto& [value, name] : table)
        if (value == v)
            return name;
    return "?";
}

template <class Enum, std::size_t N>
std::optional<Enum> valueOf(const NameTable<Enum, N>& table, std::string_view s) {
    for (const auto& [value, name] : table)
        if (name == s)
            return value;
    return std::nullopt;
}

template <class Enum, std::size_t N> std::vector<Enum> valuesOf(const NameTable<Enum, N>& table) {
    std::vector<Enum> out;
    for (const auto& entry : table)
        out.push_back(entry.first);
    return out;
}

std::string outOfRange(std::string_view field, double value, std::string_view range) {
    std::string text = std::string(field) + " = ";
    text += std::isfinite(value) ? std::to_string(value) : std::string("non-finite");
    // to_string gives 6 decimals; trim the zeros so "width = 0" reads naturally.
    if (std::isfinite(value) && text.find('.') != std::string::npos) {
        while (text.back() == '0')
            text.pop_back();
        if (text.back() == '.')
            text.pop_back();
    }
    return text + " is out of range (" + std::string(range) + ")";
}

} // namespace

std::string_view toString(DatasetKind v) {
    return nameOf(datasetNames, v);
}
std::string_view toString(Activation v) {
    return nameOf(activationNames, v);
}
std::string_view toString(Parameterization v) {
    return nameOf(parameterizationNames, v);
}
std::string_view toString(LossKind v) {
    return nameOf(lossNames, v);
}
std::string_view toString(OptimizerKind v) {
    return nameOf(optimizerNames, v);
}
std::string_view toString(L1Mode v) {
    return nameOf(l1ModeNames, v);
}
std::string_view toString(Scaling v) {
    return nameOf(scalingNames, v);
}
std::string_view toString(KernelPrecision v) {
    return nameOf(precisionNames, v);
}
std::string_view toString(KernelSolver v) {
    return nameOf(solverNames, v);
}
std::optional<DatasetKind> parseDatasetKind(std::string_view s) {
    return valueOf(datasetNames, s);
}
std::optional<Activation> parseActivation(std::string_view s) {
    return valueOf(activationNames, s);
}
std::optional<Parameterization> parseParameterization(std::string_view s) {
    return valueOf(parameterizationNames, s);
}
std::optional<LossKind> parseLossKind(std::string_view s) {
    return valueOf(lossNames, s);
}
std::optional<OptimizerKind> parseOptimizerKind(std::string_view s) {
    return valueOf(optimizerNames, s);
}
std::optional<L1Mode> parseL1Mode(std::string_view s) {
    return valueOf(l1ModeNames, s);
}
std::optional<Scaling> parseScaling(std::string_view s) {
    return valueOf(scalingNames, s);
}
std::optional<KernelPrecision> parseKernelPrecision(std::string_view s) {
    return valueOf(precisionNames, s);
}
std::optional<KernelSolver> parseKernelSolver(std::string_view s) {
    return valueOf(solverNames, s);
}

template <> std::vector<DatasetKind> allValues<DatasetKind>() {
    return valuesOf(datasetNames);
}
template <> std::vector<Activation> allValues<Activation>() {
    return valuesOf(activationNames);
}
template <> std::vector<Parameterization> allValues<Parameterization>() {
    return valuesOf(parameterizationNames);
}
template <> std::vector<LossKind> allValues<LossKind>() {
    return valuesOf(lossNames);
}
template <> std::vector<OptimizerKind> allValues<OptimizerKind>() {
    return valuesOf(optimizerNames);
}
template <> std::vector<L1Mode> allValues<L1Mode>() {
    return valuesOf(l1ModeNames);
}
template <> std::vector<Scaling> allValues<Scaling>() {
    return valuesOf(scalingNames);
}
template <> std::vector<KernelPrecision> allValues<KernelPrecision>() {
    return valuesOf(precisionNames);
}
template <> std::vector<KernelSolver> allValues<KernelSolver>() {
    return valuesOf(solverNames);
}

bool isImageDataset(DatasetKind kind) {
    return kind == DatasetKind::FashionMnist || kind == DatasetKind::Mnist;
}

bool isSyntheticDataset(DatasetKind kind) {
    return !isImageDataset(kind) && kind != DatasetKind::Csv && kind != DatasetKind::Npy;
}

std::optional<std::string> validate(const RunConfig& c) {
    auto finiteNonNegative = [](double v) { return std::isfinite(v) && v >= 0.0; };
    if (c.trainSize < 1 || c.trainSize > ConfigLimits::maxTrainSize)
        return outOfRange("n", c.trainSize, "1 to 70000");
    if (c.testSize < 0 || c.testSize > ConfigLimits::maxTrainSize)
        return outOfRange("test-n", c.testSize, "0 to 70000");
    if (!finiteNonNegative(c.noise) || c.noise > 10.0)
        return outOfRange("noise", c.noise, "0 to 10");
    if (c.blobClasses < 2 || c.blobClasses > 64)
        return outOfRange("blob-classes", c.blobClasses, "2 to 64");
    if (c.width < 1 || c.width > ConfigLimits::maxWidth)
        return outOfRange("width", c.width, "1 to 8192");
    if (c.depth < 1 || c.depth > ConfigLimits::maxDepth)
        return outOfRange("depth", c.depth, "1 to 8");
    if (!std::isfinite(c.sigmaW) || c.sigmaW <= 0.0 || c.sigmaW > 100.0)
        return outOfRange("sigma-w", c.sigmaW, "greater than 0, at most 100");
    if (!finiteNonNegative(c.sigmaB) || c.sigmaB > 100.0)
        return outOfRange("sigma-b", c.sigmaB, "0 to 100");
    if (c.batchSize < 1)
        return outOfRange("batch", c.batchSize, "at least 1");
    if (!std::isfinite(c.learningRate) || c.learningRate <= 0.0 || c.learningRate > 1e6)
        return outOfRange("lr", c.learningRate, "greater than 0, at most 1e6");
    if (!finiteNonNegative(c.momentum) || c.momentum >= 1.0)
        return outOfRange("momentum", c.momentum, "0 to below 1");
    if (c.epochs < 1 || c.epochs > ConfigLimits::maxEpochs)
        return outOfRange("epochs", c.epochs, "1 to 10000000");
    if (!finiteNonNegative(c.l1) || c.l1 > 1e3)
        return outOfRange("l1", c.l1, "0 to 1000");
    if (!finiteNonNegative(c.l2) || c.l2 > 1e3)
        return outOfRange("l2", c.l2, "0 to 1000");
    if (!finiteNonNegative(c.weightDecay) || c.weightDecay > 1e3)
        return outOfRange("weight-decay", c.weightDecay, "0 to 1000");
    if (c.earlyStopPatience < 0)
        return outOfRange("early-stop", c.earlyStopPatience, "0 (off) or more");
    if (c.earlyStopPatience > 0 && c.testSize == 0)
        return std::string("early-stop needs a test split: test-n = 0");
    if (c.ntkEvery < 0)
        return outOfRange("ntk-every", c.ntkEvery, "0 (never) or more");
    if (c.topK < 0)
        return outOfRange("top-k", c.topK, "0 (full spectrum) or more");
    if (c.densityEvery < 0)
        return outOfRange("density-every", c.densityEvery, "0 (never) or more");
    if (c.hessianEvery < 0)
        return outOfRange("hessian-every", c.hessianEvery, "0 (never) or more");
    if (c.dataset == DatasetKind::Csv && c.dataPath.empty())
        return std::string("dataset csv needs a file: data path is empty");
    if (c.dataset == DatasetKind::Npy && c.dataPath.empty())
        return std::string(
            "dataset npy needs a directory of x_train.npy and y_train.npy: data path is empty");
    if (c.loss == LossKind::CrossEntropy && c.dataset == DatasetKind::Sine)
        return std::string("loss ce needs class labels, but dataset sine is a regression task (use mse)");
    return std::nullopt;
}

} // namespace ntk
