#pragma once
// One training run, advanced an epoch at a time so that a caller (the worker thread, the command line, a
// test) can report, pause or cancel between epochs. Epoch t describes the parameters after t updates:
// epoch 0 is the initialization, and the run ends at `epochs` or earlier (early stop, divergence).
#include "cancel.h"
#include "config.h"
#include "data_prep.h"
#include "linearized_model.h"
#include "mlp.h"
#include "optimizer.h"
#include "spectrum.h"

#include <memory>
#include <optional>
#include <string>

namespace ntk {

enum class RunState { Running, Finished, EarlyStopped, Diverged };
std::string_view toString(RunState state);

struct EpochReport {
    int epoch = 0;
    double trainLoss = 0.0; // data loss, without the penalty
    std::optional<double> testLoss;
    std::optional<double> trainAccuracy, testAccuracy; // classification only
    double penalty = 0.0;                              // l1 and l2 terms of the objective
    double parameterNorm = 0.0;                        // |theta|_2
    double zeroFraction = 0.0;                         // share of parameters that are exactly zero
    // NTK epochs only:
    bool hasKernel = false;
    KernelSummary kernel;
    Eigen::VectorXd eigenvalues; // descending; all of them, or the top-k
    double kernelSeconds = 0.0;  // NTK build plus eigen-solve
    // Theory, when the initial kernel could be diagonalized with its eigenvectors (see Trainer):
    // the residual's energy along each eigenvector of the initial NTK (descending eigenvalue), summed over
    // outputs; every epoch. The residual is f - y for mse and softmax(f) - y for cross-entropy.
    Eigen::VectorXd residualEnergy;
    // The linearized network (kernel regression with the initial NTK) after as many steps; full-batch
    // gradient descent without L1 only.
    std::optional<double> linearizedTrainLoss, linearizedTestLoss;
};

class Trainer {
public:
    // Above this many training points the theory overlays (spectral bias, linearized network) are skipped:
    // they need all eigenvectors of the initial kernel, an n x n matrix and a solve several times slower
    // than the eigenvalues alone.
    static constexpr int maxTheoryPoints = 3000;

    // Throws std::invalid_argument when validate(config) fails or the data do not fit the loss.
    Trainer(const RunConfig& config, PreparedData data);

    // Reports the current epoch, then updates the parameters unless the run has ended. Returns nullopt
    // once the run is over (and for the epoch that diverged: its numbers are not finite).
    std::optional<EpochReport> advance(CancelFlag cancel = nullptr);

    bool done() const { return state_ != RunState::Running; }
    RunState state() const { return state_; }
    int epoch() const { return epoch_; }
    int stopEpoch() const { return stopEpoch_; }
    int bestEpoch() const { return bestEpoch_; }
    std::string statusText() const; // e.g. "diverged at epoch 12", "early-stopped at epoch 40 (best 30)"

    const RunConfig& config() const { return config_; }
    const PreparedData& data() const { return data_; }
    const Mlp& model() const { return model_; }
    const Eigen::MatrixXd& trainTargets() const { return trainTargets_; }
    // The kernel at initialization (empty until epoch 0 has been evaluated with the NTK on).
    const Eigen::MatrixXd& initialKernel() const { return initialKernel_; }
    // The kernel of the most recent NTK epoch (empty before the first).
    const Eigen::MatrixXd& latestKernel() const { return latestKernel_; }
    // The kernel of the current parameters (after restore-best, the restored ones).
    Eigen::MatrixXd currentKernel(CancelFlag cancel = nullptr) const;
    Eigen::MatrixXd currentCrossKernel(CancelFlag cancel = nullptr) const; // train x test

private:
    bool kernelDue() const;
    void computeKernel(const ForwardCache& cache, EpochReport& report, CancelFlag cancel);
    bool theoryApplies() const;
    void startTheory(const Eigen::MatrixXd& trainOutput, const Eigen::MatrixXd& testOutput,
                     CancelFlag cancel);
    void markDiverged(int epoch);
    bool checkEarlyStop(const EpochReport& report);
    void updateParameters(const ForwardCache& trainCache, const Eigen::MatrixXd& outputGradient,
                          CancelFlag cancel);

    RunConfig config_;
    PreparedData data_;
    Mlp model_;
    Eigen::MatrixXd trainTargets_, testTargets_;
    PenaltySettings penalties_;
    Optimizer optimizer_;
    std::uint64_t batchSeed_;
    Eigen::MatrixXd inputGram_;
    Eigen::MatrixXd initialKernel_;
    Eigen::MatrixXd latestKernel_;
    Eigen::MatrixXd initialEigenvectors_; // columns, descending eigenvalue; empty without theory
    std::optional<LinearizedModel> linearized_;
    LayerSet lastFinite_;
    LayerSet best_;
    double bestTestLoss_ = 0.0;
    int bestEpoch_ = -1;
    int epoch_ = 0;
    int stopEpoch_ = -1;
    RunState state_ = RunState::Running;
};

} // namespace ntk
