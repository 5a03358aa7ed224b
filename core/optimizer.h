#pragma once
// Parameter updates: plain gradient steps, heavy-ball momentum and Adam, followed by the penalties that
// act outside the gradient (decoupled weight decay, the L1 proximal soft-threshold).
#include "config.h"
#include "mlp.h"

#include <optional>

namespace ntk {

struct PenaltySettings {
    double l1 = 0.0;
    double l2 = 0.0;
    double weightDecay = 0.0;
    L1Mode l1Mode = L1Mode::Subgradient;
    bool penalizeBiases = true;
};

// l1 * sum|theta| + l2 * sum theta^2 over the penalized parameters.
double penaltyValue(const LayerSet& parameters, const PenaltySettings& penalties);
// Adds the gradient (or subgradient) of penaltyValue to `gradient`; the proximal L1 part is left to step().
void addPenaltyGradient(const LayerSet& parameters, const PenaltySettings& penalties, LayerSet& gradient);

class Optimizer {
public:
    Optimizer(OptimizerKind kind, double learningRate, double momentum, const PenaltySettings& penalties);
    void step(LayerSet& parameters, const LayerSet& gradient);
    // Adam's diagonal preconditioner P, so that its step is theta -= lr P^-1 m (m its first moment):
    // P = (1 - beta1^t)(sqrt(v / (1 - beta2^t)) + epsilon) after t steps. Empty for the other optimizers
    // and before Adam's first step. The sharpness Adam's step sees is lambda_max(P^-1 H).
    std::optional<LayerSet> adamPreconditioner() const;
    static constexpr double adamBeta1 = 0.9, adamBeta2 = 0.999, adamEpsilon = 1e-8;

private:
    void applyDecoupledTerms(LayerSet& parameters) const;

    OptimizerKind kind_;
    double learningRate_;
    double momentum_;
    PenaltySettings penalties_;
    LayerSet velocity_;     // momentum; Adam's first moment
    LayerSet secondMoment_; // Adam
    long long steps_ = 0;
};

} // namespace ntk
