#pragma once
// One training run, advanced an epoch at a time so that a caller (the worker thread, the command line, a
// test) can report, pause or cancel between epochs. Epoch t describes the parameters after t updates:
// epoch 0 is the initialization, and the run ends at `epochs` or earlier (early stop, divergence).
#include "cancel.h"
#include "config.h"
#include "data_prep.h"
#include "eigenfunctions.h"
#include "hessian.h"
#include "linearized_model.h"
#include "mlp.h"
#include "optimizer.h"
#include "packed_symmetric.h"
#include "solve_progress.h"
#include "spectral_density.h"
#include "spectrum.h"

#include <memory>
#include <optional>
#include <string>

namespace ntk {

// SolverFailed: the kernel was finite but its eigen-solver did not converge; the parameters are fine.
enum class RunState { Running, Finished, EarlyStopped, Diverged, SolverFailed };
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
    // Each layer's exact share of the trace (W1 first, the output layer last); they sum to kernel.trace.
    Eigen::VectorXd layerTraces;
    // Solved on the kernel as an operator (above Trainer::maxDenseKernelPoints): eigenvalues are the top
    // k with `residuals` (|Theta v - lambda v| / lambda), and no kernel matrix exists.
    bool matrixFree = false;
    Eigen::VectorXd residuals;
    // The eigenvalue density by stochastic Lanczos quadrature, on matrix-free epochs every densityEvery-th
    // NTK epoch; else null. Shared: reports are copied.
    std::shared_ptr<const SpectralDensity> density;
    // The top eigenvectors as functions of the input (eigenfunctions.h), for 1-D and 2-D inputs and square
    // images up to maxEigenfunctionPoints training points; else null. Shared: reports are copied.
    std::shared_ptr<const Eigenfunctions> eigenfunctions;
    // Theory, when the initial kernel could be diagonalized with its eigenvectors (see Trainer):
    // the residual's energy along each eigenvector of the initial NTK (descending eigenvalue), summed over
    // outputs; every epoch. The residual is f - y for mse and softmax(f) - y for cross-entropy.
    Eigen::VectorXd residualEnergy;
    // The linearized network (kernel regression with the initial NTK) after as many steps; full-batch
    // gradient descent without L1 only.
    std::optional<double> linearizedTrainLoss, linearizedTestLoss;
    // Curvature epochs (hessianEvery) only: the largest and smallest eigenvalue of the objective's Hessian
    // and the Gauss-Newton matrix's largest, at the parameters this report describes; absent (and
    // curvatureFailed set) when Lanczos did not converge, which says nothing of the run itself.
    std::optional<double> sharpness, hessianLambdaMin, gaussNewtonLambdaMax;
    // With Adam, from its second step on: lambda_max(P^-1 H) for Adam's preconditioner P, the sharpness
    // its step sees (Optimizer::adamPreconditioner).
    std::optional<double> preconditionedSharpness;
    bool curvatureFailed = false;
    // NTK epochs: the kernel's lambda_max in the Hessian's units (core/theory.h kernelCurvatureScale), to
    // be drawn beside the sharpness: lambda_max(K) / (nO^2) for mse, lambda_max(K) / (2nO) for
    // cross-entropy.
    std::optional<double> kernelSharpness;
};

// What is computed once, right after epoch 0 has been reported (Trainer::completeTheory): the theory
// views' additions to epoch 0's report, and the infinite-width limit of the run's kernel.
struct InitialTheory {
    // Added to epoch 0's report (applyTo); empty above Trainer::maxTheoryPoints.
    Eigen::VectorXd residualEnergy;
    std::optional<double> linearizedTrainLoss, linearizedTestLoss;
    // Eigenvalues (descending; the top-k when the run solves only those) of the infinite-width NTK of the
    // same architecture on the training points, summed over outputs like the empirical kernel, and that
    // whole matrix's trace and Frobenius norm. Empty where there is no closed form (tanh, gelu) or for
    // the standard parameterization (no finite limit).
    Eigen::VectorXd analyticSpectrum;
    std::optional<double> analyticTrace, analyticFrobenius;
    void applyTo(EpochReport& report) const;
};

// A kernel with its spectrum and summary, measured outside the epoch loop (the final parameters' kernel).
struct MeasuredKernel {
    // Null when the kernel was not finite or not solved, and for a kernel solved as an operator.
    std::shared_ptr<const Eigen::MatrixXd> matrix;
    KernelSummary summary;
    Eigen::VectorXd eigenvalues;
    bool solved = false;
    bool ok() const { return solved; }
};

// The network's shape for a config on a training set.
MlpShape shapeFor(const RunConfig& config, const Dataset& train);
// The network a run starts from: seeded, or the parameters in config.initFrom (shapes checked; DataError).
Mlp initialModel(const RunConfig& config, const Dataset& train);

class Trainer {
public:
    // Above this many training points the theory overlays (spectral bias, linearized network) are skipped:
    // they need all eigenvectors of the initial kernel, an n x n matrix and a solve several times slower
    // than the eigenvalues alone.
    static constexpr int maxTheoryPoints = 3000;
    // Above this many training points the kernel (0.8 GB at 10,000) is never formed: NTK epochs solve its
    // top-k on the matrix-free operator (core/ntk_operator.h), memory linear in n.
    static constexpr int maxDenseKernelPoints = 10000;
    // The SLQ density of matrix-free epochs (densityEvery).
    static constexpr int densityProbes = 10, densitySteps = 40;
    // Eigenvalues a matrix-free epoch solves when the config asks for all (topK = 0).
    static constexpr int matrixFreeTopK = 32;
    bool matrixFree() const;

    // Throws std::invalid_argument when validate(config) fails or the data do not fit the loss.
    Trainer(const RunConfig& config, PreparedData data);

    // Reports the current epoch, then updates the parameters unless the run has ended. Returns nullopt
    // once the run is over (and for the epoch that diverged: its numbers are not finite).
    std::optional<EpochReport> advance(CancelFlag cancel = nullptr);

    // Epoch 0's theory (all eigenvectors of the initial kernel, the train x test kernel, the linearized
    // network, the infinite-width kernel and its spectrum) costs several epochs' worth at large n.
    // advance() leaves it pending after reporting epoch 0 so that a window can draw the first frame
    // first; completeTheory() then does it and returns it (nullopt when nothing was pending). advance()
    // completes it itself if the caller did not, so the later epochs' reports are the same either way.
    bool theoryPending() const { return pendingTheory_ != nullptr; }

    // Whether NTK epochs also report eigenfunctions (where they apply, see eigenfunctionsApply); off by
    // default, since only a view of them needs them.
    void setEigenfunctions(bool on) { eigenfunctions_ = on; }
    // Where NTK epochs say how far their solve has come (null: nowhere); must outlive the trainer's epochs.
    void setProgress(SolveProgress* progress) { progress_ = progress; }
    std::optional<InitialTheory> completeTheory(CancelFlag cancel = nullptr);

    bool done() const { return state_ != RunState::Running; }
    RunState state() const { return state_; }
    int epoch() const { return epoch_; }
    int stopEpoch() const { return stopEpoch_; }
    int bestEpoch() const { return bestEpoch_; }
    // The epoch whose parameters the run ends with: the best one of an early-stopped run that restores
    // it, else the last reported epoch (for a diverged run, the last finite one).
    int finalEpoch() const;
    std::string statusText() const; // e.g. "diverged at epoch 12", "early-stopped at epoch 40 (best 30)"

    const RunConfig& config() const { return config_; }
    const PreparedData& data() const { return *data_; }
    std::shared_ptr<const PreparedData> sharedData() const { return data_; }
    const Mlp& model() const { return model_; }
    const Eigen::MatrixXd& trainTargets() const { return trainTargets_; }
    // The kernel at initialization, packed (null until epoch 0 has been evaluated with the NTK on). Kernels
    // are shared and immutable: a record or a window keeps them without copying n x n doubles.
    std::shared_ptr<const PackedSymmetricMatrix> sharedInitialKernel() const { return initialKernel_; }
    // The kernel of the most recent NTK epoch (empty before the first), and that epoch (-1 before).
    const Eigen::MatrixXd& latestKernel() const { return orEmpty(latestKernel_); }
    std::shared_ptr<const Eigen::MatrixXd> sharedLatestKernel() const { return latestKernel_; }
    int latestKernelEpoch() const { return latestKernelEpoch_; }
    // The kernel of the current parameters (after restore-best, the restored ones).
    Eigen::MatrixXd currentKernel(CancelFlag cancel = nullptr) const;
    Eigen::MatrixXd currentCrossKernel(CancelFlag cancel = nullptr) const; // train x test
    // The current parameters' kernel with its spectrum and summary against the initial kernel.
    MeasuredKernel measureCurrentKernel(CancelFlag cancel = nullptr) const;

private:
    // What completeTheory() needs from epoch 0, kept from the moment it was reported.
    struct PendingTheory {
        LayerSet initialParameters;
        Eigen::MatrixXd trainOutput, testOutput, outputGradient;
    };
    static const Eigen::MatrixXd& orEmpty(const std::shared_ptr<const Eigen::MatrixXd>& kernel);
    bool kernelDue() const;
    bool curvatureDue() const;
    // Each solve starts from the eigenvectors the previous curvature epoch ended on (about half the
    // products of a cold start).
    void measureCurvature(const ForwardCache& cache, EpochReport& report, CancelFlag cancel);
    // Builds the kernel of `model` on the training points and solves its spectrum (with eigenvectors on
    // request). The matrix is null when the kernel is not finite; `status` says why.
    MeasuredKernel measureKernel(const Mlp& model, const ForwardCache& cache, bool vectors,
                                 Eigen::MatrixXd* eigenvectors, SpectrumStatus& status,
                                 CancelFlag cancel) const;
    void computeKernel(const ForwardCache& cache, EpochReport& report, CancelFlag cancel);
    // The top-k, exact trace and layer traces on the operator, and the density when due; the status says
    // whether Lanczos converged.
    MeasuredKernel measureMatrixFree(const Mlp& model, const ForwardCache& cache, EpochReport* report,
                                     SpectrumStatus& status, CancelFlag cancel) const;
    int ntkEpochIndex() const;        // how many NTK epochs came before this one
    bool eigenfunctionsApply() const; // on this NTK epoch
    std::shared_ptr<const Eigenfunctions>
    computeEigenfunctions(const Eigen::MatrixXd& kernel, const ForwardCache& trainCache, CancelFlag cancel);
    bool theoryApplies() const;
    void addAnalyticLimit(InitialTheory& theory, CancelFlag cancel) const;
    void markDiverged(int epoch);
    bool checkEarlyStop(const EpochReport& report);
    void updateParameters(const ForwardCache& trainCache, const Eigen::MatrixXd& outputGradient,
                          CancelFlag cancel);

    RunConfig config_;
    std::shared_ptr<const PreparedData> data_;
    Mlp model_;
    Eigen::MatrixXd trainTargets_, testTargets_;
    PenaltySettings penalties_;
    Optimizer optimizer_;
    std::uint64_t batchSeed_;
    Eigen::MatrixXd inputGram_;
    // A run holds at most this packed copy and the kernel being built or last built (issue: 2 n² doubles
    // at most). The theory views need the initial kernel whole: `theoryKernel_` keeps epoch 0's matrix
    // only until completeTheory(), and only where theory applies (n ≤ maxTheoryPoints).
    std::shared_ptr<const PackedSymmetricMatrix> initialKernel_;
    std::shared_ptr<const Eigen::MatrixXd> theoryKernel_;
    std::shared_ptr<const Eigen::MatrixXd> latestKernel_;
    int latestKernelEpoch_ = -1;
    std::unique_ptr<PendingTheory> pendingTheory_;
    std::optional<InitialTheory> earlyAnalyticLimit_; // see computeKernel
    SpectrumStatus lastSpectrumStatus_ = SpectrumStatus::Ok;
    CurvatureStart hessianStart_, gaussNewtonStart_, adamStart_;
    Eigen::MatrixXd initialEigenvectors_; // columns, descending eigenvalue; empty without theory
    bool eigenfunctions_ = false;
    SolveProgress* progress_ = nullptr;
    std::shared_ptr<const GridPoints> eigenfunctionGrid_; // 1-D and 2-D inputs, made at the first NTK epoch
    Eigen::MatrixXd previousEigenfunctionVectors_;        // the last NTK epoch's, for their orientation
    std::optional<LinearizedModel> linearized_;
    LayerSet lastFinite_;
    LayerSet best_;
    double bestTestLoss_ = 0.0;
    int bestEpoch_ = -1;
    int epoch_ = 0;
    int stopEpoch_ = -1;
    int lastReportedEpoch_ = -1;
    RunState state_ = RunState::Running;
};

} // namespace ntk
