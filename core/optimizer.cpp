#include "optimizer.h"

#include <cmath>

namespace ntk {
namespace {

// Calls fn(parameterBlock, gradientBlock, isBias) for each weight matrix and bias vector.
template <class Fn> void forEachBlock(LayerSet& a, const LayerSet& b, Fn fn) {
    for (std::size_t l = 0; l < a.size(); ++l) {
        fn(a[l].weight.array(), b[l].weight.array(), false);
        fn(a[l].bias.array(), b[l].bias.array(), true);
    }
}

} // namespace

double penaltyValue(const LayerSet& parameters, const PenaltySettings& p) {
    double sum = 0.0;
    for (const Layer& layer : parameters) {
        sum += p.l1 * layer.weight.lpNorm<1>() + p.l2 * layer.weight.squaredNorm();
        if (p.penalizeBiases)
            sum += p.l1 * layer.bias.lpNorm<1>() + p.l2 * layer.bias.squaredNorm();
    }
    return sum;
}

void addPenaltyGradient(const LayerSet& parameters, const PenaltySettings& p, LayerSet& gradient) {
    const double l1 = p.l1Mode == L1Mode::Subgradient ? p.l1 : 0.0;
    if (l1 == 0.0 && p.l2 == 0.0)
        return;
    forEachBlock(gradient, parameters, [&](auto grad, auto theta, bool isBias) {
        if (isBias && !p.penalizeBiases)
            return;
        grad += 2.0 * p.l2 * theta + l1 * theta.sign();
    });
}

Optimizer::Optimizer(OptimizerKind kind, double learningRate, double momentum,
                     const PenaltySettings& penalties)
    : kind_(kind)
    , learningRate_(learningRate)
    , momentum_(momentum)
    , penalties_(penalties) {}

void Optimizer::step(LayerSet& parameters, const LayerSet& gradient) {
    ++steps_;
    const double lr = learningRate_;
    switch (kind_) {
    case OptimizerKind::Gd:
    case OptimizerKind::Sgd:
        forEachBlock(parameters, gradient, [&](auto theta, auto grad, bool) { theta -= lr * grad; });
        break;
    case OptimizerKind::Momentum:
        if (velocity_.empty())
            velocity_ = zerosLike(parameters);
        for (std::size_t l = 0; l < parameters.size(); ++l) {
            velocity_[l].weight = momentum_ * velocity_[l].weight + gradient[l].weight;
            velocity_[l].bias = momentum_ * velocity_[l].bias + gradient[l].bias;
            parameters[l].weight -= lr * velocity_[l].weight;
            parameters[l].bias -= lr * velocity_[l].bias;
        }
        break;
    case OptimizerKind::Adam: {
        constexpr double beta1 = adamBeta1, beta2 = adamBeta2, epsilon = adamEpsilon;
        if (velocity_.empty()) {
            velocity_ = zerosLike(parameters);
            secondMoment_ = zerosLike(parameters);
        }
        const double correction1 = 1.0 - std::pow(beta1, double(steps_));
        const double correction2 = 1.0 - std::pow(beta2, double(steps_));
        auto update = [&](auto theta, auto grad, auto m, auto v) {
            m = beta1 * m + (1.0 - beta1) * grad;
            v = beta2 * v + (1.0 - beta2) * grad.square();
            theta -= lr * (m / correction1) / ((v / correction2).sqrt() + epsilon);
        };
        for (std::size_t l = 0; l < parameters.size(); ++l) {
            update(parameters[l].weight.array(), gradient[l].weight.array(), velocity_[l].weight.array(),
                   secondMoment_[l].weight.array());
            update(parameters[l].bias.array(), gradient[l].bias.array(), velocity_[l].bias.array(),
                   secondMoment_[l].bias.array());
        }
        break;
    }
    }
    applyDecoupledTerms(parameters);
}

std::optional<LayerSet> Optimizer::adamPreconditioner() const {
    if (kind_ != OptimizerKind::Adam || steps_ == 0)
        return std::nullopt;
    const double correction1 = 1.0 - std::pow(adamBeta1, double(steps_));
    const double correction2 = 1.0 - std::pow(adamBeta2, double(steps_));
    LayerSet p = secondMoment_;
    const auto precondition = [&](auto v) { v = correction1 * ((v / correction2).sqrt() + adamEpsilon); };
    for (Layer& layer : p) {
        precondition(layer.weight.array());
        precondition(layer.bias.array());
    }
    return p;
}

void Optimizer::applyDecoupledTerms(LayerSet& parameters) const {
    const double decay = learningRate_ * penalties_.weightDecay;
    const double threshold = penalties_.l1Mode == L1Mode::Proximal ? learningRate_ * penalties_.l1 : 0.0;
    if (decay == 0.0 && threshold == 0.0)
        return;
    for (Layer& layer : parameters) {
        auto shrink = [&](auto theta) {
            if (decay != 0.0)
                theta *= 1.0 - decay;
            if (threshold !=
                0.0) // soft-threshold: the proximal map of lr * l1 * |theta|, exact zeros included
                theta = theta.sign() * (theta.abs() - threshold).max(0.0);
        };
        shrink(layer.weight.array());
        if (penalties_.penalizeBiases)
            shrink(layer.bias.array());
    }
}

} // namespace ntk
