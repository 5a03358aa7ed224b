#include "mlp.h"

#include "activation.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace ntk {

Mlp::Mlp(const MlpShape& shape, std::uint64_t seed)
    : shape_(shape) {
    if (shape.inputDim < 1 || shape.width < 1 || shape.depth < 1 || shape.outputs < 1)
        throw std::invalid_argument("Mlp: every dimension must be at least 1");
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    const bool standard = shape.parameterization == Parameterization::Standard;
    layers_.resize(shape.layerCount());
    for (int l = 0; l < shape.layerCount(); ++l) {
        const int in = shape.fanIn(l), out = shape.fanOut(l);
        const double weightStd = standard ? shape.sigmaW / std::sqrt(double(in)) : 1.0;
        const double biasStd = standard ? shape.sigmaB : 1.0;
        Layer& layer = layers_[l];
        layer.weight.resize(out, in);
        layer.bias.resize(out);
        // Row-major draw order keeps initialization independent of Eigen's storage order.
        for (int r = 0; r < out; ++r)
            for (int c = 0; c < in; ++c)
                layer.weight(r, c) = weightStd * normal(rng);
        for (int r = 0; r < out; ++r)
            layer.bias(r) = biasStd * normal(rng);
    }
}

double Mlp::weightScale(int layer) const {
    if (shape_.parameterization == Parameterization::Standard)
        return 1.0;
    return shape_.sigmaW / std::sqrt(double(shape_.fanIn(layer)));
}

double Mlp::biasScale() const {
    return shape_.parameterization == Parameterization::Standard ? 1.0 : shape_.sigmaB;
}

ForwardCache Mlp::forward(const Eigen::MatrixXd& x) const {
    ForwardCache cache;
    cache.x = &x;
    cache.hidden.reserve(shape_.depth);
    cache.slopes.reserve(shape_.depth);
    for (int l = 0; l < shape_.layerCount(); ++l) {
        const Layer& layer = layers_[l];
        Eigen::MatrixXd z = weightScale(l) * (cache.input(l) * layer.weight.transpose());
        z.rowwise() += biasScale() * layer.bias.transpose();
        if (l == shape_.depth) {
            cache.output = std::move(z);
            break;
        }
        Eigen::MatrixXd a, slope;
        applyActivation(shape_.activation, z, a, slope);
        cache.hidden.push_back(std::move(a));
        cache.slopes.push_back(std::move(slope));
    }
    return cache;
}

Eigen::MatrixXd Mlp::predict(const Eigen::MatrixXd& x) const {
    return forward(x).output;
}

LayerSet Mlp::backward(const ForwardCache& cache, const Eigen::MatrixXd& outputGradient) const {
    LayerSet grads(layers_.size());
    Eigen::MatrixXd delta = outputGradient; // dLoss/dz_l, n x fan_out
    for (int l = shape_.depth; l >= 0; --l) {
        const double cw = weightScale(l);
        grads[l].weight.noalias() = cw * (delta.transpose() * cache.input(l));
        grads[l].bias = biasScale() * delta.colwise().sum().transpose();
        if (l > 0) {
            Eigen::MatrixXd back = cw * (delta * layers_[l].weight);
            delta = back.cwiseProduct(cache.slopes[l - 1]);
        }
    }
    return grads;
}

Eigen::Index Mlp::parameterCount() const {
    return countParameters(layers_);
}

Eigen::VectorXd Mlp::flatParameters() const {
    return flatten(layers_);
}

void Mlp::setFlatParameters(const Eigen::VectorXd& theta) {
    if (theta.size() != parameterCount())
        throw std::invalid_argument("Mlp::setFlatParameters: wrong parameter count");
    layers_ = unflattenLike(layers_, theta);
}

LayerSet zerosLike(const LayerSet& like) {
    LayerSet out(like.size());
    for (std::size_t l = 0; l < like.size(); ++l) {
        out[l].weight = Eigen::MatrixXd::Zero(like[l].weight.rows(), like[l].weight.cols());
        out[l].bias = Eigen::VectorXd::Zero(like[l].bias.size());
    }
    return out;
}

double squaredNorm(const LayerSet& set) {
    double sum = 0.0;
    for (const Layer& layer : set)
        sum += layer.weight.squaredNorm() + layer.bias.squaredNorm();
    return sum;
}

bool allFinite(const LayerSet& set) {
    for (const Layer& layer : set)
        if (!layer.weight.allFinite() || !layer.bias.allFinite())
            return false;
    return true;
}

Eigen::Index countExactZeros(const LayerSet& set) {
    Eigen::Index zeros = 0;
    for (const Layer& layer : set)
        zeros += (layer.weight.array() == 0.0).count() + (layer.bias.array() == 0.0).count();
    return zeros;
}

Eigen::VectorXd flatten(const LayerSet& set) {
    Eigen::VectorXd flat(countParameters(set));
    Eigen::Index offset = 0;
    for (const Layer& layer : set) {
        for (Eigen::Index r = 0; r < layer.weight.rows(); ++r)
            for (Eigen::Index c = 0; c < layer.weight.cols(); ++c)
                flat[offset++] = layer.weight(r, c);
        flat.segment(offset, layer.bias.size()) = layer.bias;
        offset += layer.bias.size();
    }
    return flat;
}

LayerSet unflattenLike(const LayerSet& like, const Eigen::VectorXd& flat) {
    if (flat.size() != countParameters(like))
        throw std::invalid_argument("unflattenLike: " + std::to_string(flat.size()) + " values for " +
                                    std::to_string(countParameters(like)) + " parameters");
    LayerSet set = zerosLike(like);
    Eigen::Index offset = 0;
    for (Layer& layer : set) {
        for (Eigen::Index r = 0; r < layer.weight.rows(); ++r)
            for (Eigen::Index c = 0; c < layer.weight.cols(); ++c)
                layer.weight(r, c) = flat[offset++];
        layer.bias = flat.segment(offset, layer.bias.size());
        offset += layer.bias.size();
    }
    return set;
}

Eigen::Index countParameters(const LayerSet& set) {
    Eigen::Index count = 0;
    for (const Layer& layer : set)
        count += layer.weight.size() + layer.bias.size();
    return count;
}

} // namespace ntk
