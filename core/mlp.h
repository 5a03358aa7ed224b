#pragma once
// A fully connected network f(x) = W_{L+1} phi(... phi(W_1 x + b_1) ...) + b_{L+1} with explicit scaling
// so that both parameterizations share one set of formulas:
//   z_l = weightScale(l) * W_l a_{l-1} + biasScale() * b_l
// NTK:      weightScale = sigma_w / sqrt(fan_in), biasScale = sigma_b, W and b ~ N(0, 1)
// standard: weightScale = 1, biasScale = 1, W ~ N(0, sigma_w^2 / fan_in), b ~ N(0, sigma_b^2)
#include "config.h"

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace ntk {

struct MlpShape {
    int inputDim = 1;
    int width = 1;
    int depth = 1; // hidden layers
    int outputs = 1;
    Activation activation = Activation::Relu;
    Parameterization parameterization = Parameterization::Ntk;
    double sigmaW = 1.0;
    double sigmaB = 0.0;

    int layerCount() const { return depth + 1; }
    int fanIn(int layer) const { return layer == 0 ? inputDim : width; }
    int fanOut(int layer) const { return layer == depth ? outputs : width; }
};

struct Layer {
    Eigen::MatrixXd weight; // fan_out x fan_in, raw (unscaled) parameters
    Eigen::VectorXd bias;   // fan_out
};

// Parameters or gradients: one entry per layer, same shapes as the model's layers.
using LayerSet = std::vector<Layer>;

// What back-propagation and the NTK need from a forward pass over a batch (rows are points).
struct ForwardCache {
    // The input a_l feeding layer l (n x fan_in): x for l = 0, else hidden layer l - 1's activations.
    const Eigen::MatrixXd& input(int l) const { return l == 0 ? *x : hidden[std::size_t(l) - 1]; }
    int inputCount() const { return x ? int(hidden.size()) + 1 : 0; }

    // The caller's inputs, not a copy (63 MB at n = 10,000 on Fashion-MNIST): they must outlive the cache,
    // which is why Mlp::forward refuses a temporary.
    const Eigen::MatrixXd* x = nullptr;
    std::vector<Eigen::MatrixXd> hidden; // hidden[l] = a_{l+1}, the activations of hidden layer l
    std::vector<Eigen::MatrixXd> slopes; // slopes[l] = phi'(z_l) for hidden layer l, n x width
    Eigen::MatrixXd output;              // n x outputs
};

class Mlp {
public:
    Mlp(const MlpShape& shape, std::uint64_t seed);

    const MlpShape& shape() const { return shape_; }
    const LayerSet& layers() const { return layers_; }
    LayerSet& layers() { return layers_; }

    double weightScale(int layer) const;
    double biasScale() const;

    ForwardCache forward(const Eigen::MatrixXd& x) const;
    ForwardCache forward(const Eigen::MatrixXd&& x) const = delete; // the cache would refer to a temporary
    Eigen::MatrixXd predict(const Eigen::MatrixXd& x) const;
    // Gradients of a loss with respect to the raw parameters, given dLoss/dOutput (n x outputs).
    LayerSet backward(const ForwardCache& cache, const Eigen::MatrixXd& outputGradient) const;

    Eigen::Index parameterCount() const;
    Eigen::VectorXd flatParameters() const; // layer by layer: W (row-major) then b
    void setFlatParameters(const Eigen::VectorXd& theta);

private:
    MlpShape shape_;
    LayerSet layers_;
};

// Helpers over LayerSet, used by optimizers and diagnostics.
LayerSet zerosLike(const LayerSet& like);
// A layer set as one vector, layer by layer, W row-major then b (the order of flatParameters), and back.
Eigen::VectorXd flatten(const LayerSet& set);
LayerSet unflattenLike(const LayerSet& like, const Eigen::VectorXd& flat);
double squaredNorm(const LayerSet& set);
bool allFinite(const LayerSet& set);
Eigen::Index countExactZeros(const LayerSet& set);
Eigen::Index countParameters(const LayerSet& set);

} // namespace ntk
