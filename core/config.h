#pragma once
// Every setting of one training run, as a plain value type. It travels from the UI or the command line
// down to the worker by value; the same fields are written to config.json.
#include "precision.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ntk {

enum class DatasetKind { FashionMnist, Mnist, Moons, Circles, Spirals, Xor, Blobs, Sine, Csv, Npy };
enum class Activation { Relu, Tanh, Gelu, Erf, Identity };
enum class Parameterization { Ntk, Standard };
enum class LossKind { CrossEntropy, Mse };
enum class OptimizerKind { Gd, Sgd, Momentum, Adam };
enum class L1Mode { Subgradient, Proximal };
enum class Scaling { Auto, Standardize, UnitInterval, None };
// How NTK epochs solve the kernel: auto is dense up to Trainer::maxDenseKernelPoints, else matrix-free.
enum class KernelSolver { Auto, Dense, MatrixFree };

struct RunConfig {
    // Data
    DatasetKind dataset = DatasetKind::FashionMnist;
    // CSV file, IDX directory, or directory of x_train.npy/y_train.npy (x_test.npy/y_test.npy) for npy;
    // empty = the default directory for (Fashion-)MNIST
    std::string dataPath;
    int trainSize = 200; // n
    int testSize = 200;
    double noise = 0.1;              // synthetic data only
    int blobClasses = 3;             // blobs only
    Scaling scaling = Scaling::Auto; // Auto: [0,1] pixels for image data, standardization otherwise

    // Model
    int width = 128;
    int depth = 1; // hidden layers
    Activation activation = Activation::Relu;
    Parameterization parameterization = Parameterization::Ntk;
    double sigmaW = 1.4142135623730951; // sqrt(2): the He/ReLU-preserving choice
    double sigmaB = 0.1;
    // A directory of W<l>.npy/b<l>.npy (the layout train --out writes) to start from instead of the seeded
    // initialization; empty = seeded.
    std::string initFrom;

    // Training
    LossKind loss = LossKind::CrossEntropy;
    OptimizerKind optimizer = OptimizerKind::Gd;
    int batchSize = 32;        // sgd, momentum and adam; gd always uses the full batch
    double learningRate = 0.5; // visible learning within a lecture's minute; the seed's scenes use 0.01
    double momentum = 0.9;
    int epochs = 300;
    double l1 = 0.0;
    double l2 = 0.0;
    double weightDecay = 0.0; // decoupled: theta <- theta - lr * weightDecay * theta
    L1Mode l1Mode = L1Mode::Subgradient;
    bool penalizeBiases = true;
    int earlyStopPatience = 0; // 0 = off
    bool restoreBest = true;

    // Kernel
    int ntkEvery = 1; // compute the NTK and its spectrum every K epochs (and at the first and last)
    int topK = 0;     // 0 = full spectrum; otherwise only the top-k eigenvalues (Lanczos)
    // Matrix-free (auto: above Trainer::maxDenseKernelPoints) the kernel is an operator, never formed: its
    // top-k (32 when topK is 0) every NTK epoch, and the eigenvalue density by stochastic Lanczos
    // quadrature every K-th of them (and the first and last; 0 = never).
    KernelSolver kernelSolver = KernelSolver::Auto;
    int densityEvery = 5;
    bool perOutputBlocks = false;
    bool eigenvectors = false; // also the targets' energy in each eigenvector (slower solve)
    KernelPrecision kernelPrecision = KernelPrecision::Double;

    // Curvature: every K-th epoch (and the last; 0 = never) the training objective's sharpness, the
    // largest eigenvalue of its Hessian, with its smallest and the Gauss-Newton matrix's largest
    // (core/hessian.h).
    int hessianEvery = 0;

    std::uint64_t seed = 1;
};

// Names used on the command line, in JSON and in the UI. parse* return nullopt for unknown names.
std::string_view toString(DatasetKind v);
std::string_view toString(Activation v);
std::string_view toString(Parameterization v);
std::string_view toString(LossKind v);
std::string_view toString(OptimizerKind v);
std::string_view toString(L1Mode v);
std::string_view toString(Scaling v);
std::string_view toString(KernelPrecision v);
std::string_view toString(KernelSolver v);
std::optional<DatasetKind> parseDatasetKind(std::string_view s);
std::optional<Activation> parseActivation(std::string_view s);
std::optional<Parameterization> parseParameterization(std::string_view s);
std::optional<LossKind> parseLossKind(std::string_view s);
std::optional<OptimizerKind> parseOptimizerKind(std::string_view s);
std::optional<L1Mode> parseL1Mode(std::string_view s);
std::optional<Scaling> parseScaling(std::string_view s);
std::optional<KernelPrecision> parseKernelPrecision(std::string_view s);
std::optional<KernelSolver> parseKernelSolver(std::string_view s);

template <class Enum> std::vector<Enum> allValues();

bool isImageDataset(DatasetKind kind);
bool isSyntheticDataset(DatasetKind kind);

// Limits enforced by validate(); the UI uses them for slider ranges.
struct ConfigLimits {
    static constexpr int maxDepth = 8;
    static constexpr int maxWidth = 8192;
    static constexpr int maxTrainSize = 70000;
    static constexpr int maxEpochs = 10'000'000;
};

// Empty when the config is usable; otherwise one line naming the field and the bad value.
std::optional<std::string> validate(const RunConfig& config);

} // namespace ntk
