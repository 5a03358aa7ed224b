#include "trainer.h"

#include "theory.h"

#include "analytic_ntk.h"
#include "loss.h"
#include "npy_files.h"
#include "ntk.h"
#include "ntk_operator.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace ntk {

MlpShape shapeFor(const RunConfig& c, const Dataset& train) {
    MlpShape shape;
    shape.inputDim = int(train.dimension());
    shape.width = c.width;
    shape.depth = c.depth;
    shape.outputs = train.outputCount();
    shape.activation = c.activation;
    shape.parameterization = c.parameterization;
    shape.sigmaW = c.sigmaW;
    shape.sigmaB = c.sigmaB;
    return shape;
}

Mlp initialModel(const RunConfig& c, const Dataset& train) {
    Mlp model(shapeFor(c, train), initSeed(c.seed));
    if (!c.initFrom.empty())
        model.layers() = loadLayerFiles(c.initFrom, model.shape());
    return model;
}

namespace {

const RunConfig& checked(const RunConfig& c, const PreparedData& data) {
    if (auto problem = validate(c))
        throw std::invalid_argument(*problem);
    if (data.train.size() == 0 || data.train.dimension() == 0)
        throw std::invalid_argument("the training set is empty");
    if (c.loss == LossKind::CrossEntropy && data.train.task != TaskKind::Classification)
        throw std::invalid_argument("loss ce needs class labels, but " + data.train.name +
                                    " is a regression task");
    if (data.train.task == TaskKind::Classification && data.train.classCount < 2)
        throw std::invalid_argument(data.train.name + " has a single class: nothing to learn");
    return c;
}

PenaltySettings penaltiesFor(const RunConfig& c) {
    return {c.l1, c.l2, c.weightDecay, c.l1Mode, c.penalizeBiases};
}

} // namespace

std::string_view toString(RunState state) {
    switch (state) {
    case RunState::Running:
        return "running";
    case RunState::Finished:
        return "finished";
    case RunState::EarlyStopped:
        return "early-stopped";
    case RunState::Diverged:
        return "diverged";
    case RunState::SolverFailed:
        return "solver-failed";
    }
    return "?";
}

void InitialTheory::applyTo(EpochReport& report) const {
    report.residualEnergy = residualEnergy;
    report.linearizedTrainLoss = linearizedTrainLoss;
    report.linearizedTestLoss = linearizedTestLoss;
}

Trainer::Trainer(const RunConfig& config, PreparedData data)
    : config_(checked(config, data))
    , data_(std::make_shared<const PreparedData>(std::move(data)))
    , model_(initialModel(config_, data_->train))
    , trainTargets_(data_->train.targets())
    , testTargets_(data_->test.targets())
    , penalties_(penaltiesFor(config_))
    , optimizer_(config_.optimizer, config_.learningRate, config_.momentum, penalties_)
    , batchSeed_(batchSeed(config_.seed)) {}

std::string Trainer::statusText() const {
    switch (state_) {
    case RunState::Running:
        return "running, epoch " + std::to_string(epoch_);
    case RunState::Finished:
        return "finished at epoch " + std::to_string(stopEpoch_);
    case RunState::EarlyStopped:
        return "early-stopped at epoch " + std::to_string(stopEpoch_) + " (best " +
               std::to_string(bestEpoch_) + ")";
    case RunState::Diverged:
        return "diverged at epoch " + std::to_string(stopEpoch_);
    case RunState::SolverFailed:
        return "the eigen-solver did not converge at epoch " + std::to_string(stopEpoch_) +
               " (the kernel was finite; try top-k or another seed)";
    }
    return {};
}

int Trainer::finalEpoch() const {
    if (state_ == RunState::EarlyStopped && config_.restoreBest && bestEpoch_ >= 0)
        return bestEpoch_;
    return lastReportedEpoch_;
}

const Eigen::MatrixXd& Trainer::orEmpty(const std::shared_ptr<const Eigen::MatrixXd>& kernel) {
    static const Eigen::MatrixXd empty;
    return kernel ? *kernel : empty;
}

bool Trainer::kernelDue() const {
    if (config_.ntkEvery <= 0)
        return false;
    return epoch_ == 0 || epoch_ % config_.ntkEvery == 0 || epoch_ == config_.epochs;
}

bool Trainer::curvatureDue() const {
    return config_.hessianEvery > 0 && (epoch_ % config_.hessianEvery == 0 || epoch_ == config_.epochs);
}

void Trainer::measureCurvature(const ForwardCache& cache, EpochReport& report, CancelFlag cancel) {
    // Tolerance relative to lambda_max: the sharpness is compared with 2/lr, not read to the last digit.
    constexpr double tolerance = 1e-8;
    const CurvatureObjective objective{config_.loss, &trainTargets_, penalties_};
    const CurvatureExtremes hessian = curvatureExtremes(model_, cache, objective, CurvatureMatrix::Hessian, 1,
                                                        1, tolerance, cancel, hessianStart_);
    const CurvatureExtremes gaussNewton = curvatureExtremes(
        model_, cache, objective, CurvatureMatrix::GaussNewton, 1, 0, tolerance, cancel, gaussNewtonStart_);
    // A failed solve's vectors are no start for the next one: that starts afresh.
    hessianStart_ = hessian.ok() ? hessian.vectors : CurvatureStart{};
    gaussNewtonStart_ = gaussNewton.ok() ? gaussNewton.vectors : CurvatureStart{};
    if (hessian.ok()) {
        report.sharpness = hessian.largest(0);
        report.hessianLambdaMin = hessian.smallest(0);
    }
    if (gaussNewton.ok())
        report.gaussNewtonLambdaMax = gaussNewton.largest(0);
    bool preconditionedOk = true;
    if (const std::optional<LayerSet> preconditioner = optimizer_.adamPreconditioner()) {
        const CurvatureExtremes adam =
            preconditionedSharpness(model_, cache, objective, *preconditioner, tolerance, cancel, adamStart_);
        adamStart_ = adam.ok() ? adam.vectors : CurvatureStart{};
        if (adam.ok())
            report.preconditionedSharpness = adam.largest(0);
        preconditionedOk = adam.ok();
    }
    report.curvatureFailed = !hessian.ok() || !gaussNewton.ok() || !preconditionedOk;
}

std::optional<EpochReport> Trainer::advance(CancelFlag cancel) {
    if (done())
        return std::nullopt;
    throwIfCancelled(cancel);
    if (pendingTheory_)
        completeTheory(cancel);
    const PreparedData& data = *data_;
    const LayerSet& parameters = model_.layers();
    const ForwardCache trainCache = model_.forward(data.train.features);
    Eigen::MatrixXd outputGradient;
    EpochReport report;
    report.epoch = epoch_;
    report.trainLoss = lossAndGradient(config_.loss, trainCache.output, trainTargets_, outputGradient);
    if (!std::isfinite(report.trainLoss) || !allFinite(parameters) || !trainCache.output.allFinite()) {
        markDiverged(epoch_);
        return std::nullopt;
    }
    if (data.train.task == TaskKind::Classification)
        report.trainAccuracy = accuracy(trainCache.output, data.train.labels);
    Eigen::MatrixXd testOutput;
    if (data.test.size() > 0) {
        testOutput = model_.predict(data.test.features);
        report.testLoss = lossValue(config_.loss, testOutput, testTargets_);
        if (data.test.task == TaskKind::Classification)
            report.testAccuracy = accuracy(testOutput, data.test.labels);
        if (!std::isfinite(*report.testLoss)) {
            markDiverged(epoch_);
            return std::nullopt;
        }
    }
    report.penalty = penaltyValue(parameters, penalties_);
    report.parameterNorm = std::sqrt(squaredNorm(parameters));
    report.zeroFraction = double(countExactZeros(parameters)) / double(countParameters(parameters));
    if (kernelDue()) {
        if (progress_)
            progress_->begin(SolveProgress::Kernel, epoch_, 0);
        // Idle again however the solve ends, cancelled included.
        const std::unique_ptr<SolveProgress, void (*)(SolveProgress*)> idleAfter(
            progress_, [](SolveProgress* p) { p->end(); });
        computeKernel(trainCache, report, cancel);
        if (!report.hasKernel) {
            if (lastSpectrumStatus_ == SpectrumStatus::NotConverged) {
                // The parameters are fine; only the eigen-solver gave up. Say so, and end here.
                state_ = RunState::SolverFailed;
                stopEpoch_ = epoch_;
                if (!lastFinite_.empty())
                    model_.layers() = lastFinite_;
            } else { // a non-finite kernel: the weights are finite but the run is lost
                markDiverged(epoch_);
            }
            return std::nullopt;
        }
        report.kernelSharpness =
            report.kernel.lambdaMax *
            kernelCurvatureScale(config_.loss, int(trainTargets_.rows()), int(trainTargets_.cols()));
        if (epoch_ == 0)
            pendingTheory_ = std::make_unique<PendingTheory>(
                PendingTheory{parameters, trainCache.output, testOutput, outputGradient});
    }
    if (curvatureDue())
        measureCurvature(trainCache, report, cancel);
    if (initialEigenvectors_.size() > 0) {
        const Eigen::Index n = trainTargets_.rows();
        const double scale = residualScale(config_.loss, int(n), int(trainTargets_.cols()));
        report.residualEnergy = energyAlong(initialEigenvectors_, scale * outputGradient);
    }
    if (linearized_) {
        report.linearizedTrainLoss = linearized_->trainLoss();
        report.linearizedTestLoss = linearized_->testLoss();
    }
    lastFinite_ = parameters;
    lastReportedEpoch_ = epoch_;

    if (checkEarlyStop(report))
        return report;
    if (epoch_ >= config_.epochs) {
        state_ = RunState::Finished;
        stopEpoch_ = epoch_;
        return report;
    }
    updateParameters(trainCache, outputGradient, cancel);
    if (linearized_)
        linearized_->step();
    ++epoch_;
    if (!allFinite(model_.layers()))
        markDiverged(epoch_);
    return report;
}

bool Trainer::matrixFree() const {
    return config_.kernelSolver == KernelSolver::MatrixFree ||
           (config_.kernelSolver == KernelSolver::Auto && data_->train.size() > maxDenseKernelPoints);
}

int Trainer::ntkEpochIndex() const {
    return config_.ntkEvery > 0 ? epoch_ / config_.ntkEvery : 0;
}

MeasuredKernel Trainer::measureMatrixFree(const Mlp& model, const ForwardCache& cache, EpochReport* report,
                                          SpectrumStatus& status, CancelFlag cancel) const {
    // Lanczos to 1e-8 of each eigenvalue: what the eigenvalue plots and the stability edge need, in about
    // 100 products for the top 32 (the command line's spectrum defaults to 1e-10).
    constexpr double tolerance = 1e-8;
    NtkOperatorOptions options;
    options.cancel = cancel;
    const NtkOperator op(model, cache, options);
    const Eigen::Index n = op.rows();
    const int k = int(std::min<Eigen::Index>(config_.topK > 0 ? config_.topK : matrixFreeTopK, n - 1));
    // Products counted for the progress a window shows: Lanczos takes about 4k + 40 (network_spectrum.h).
    const auto counted = [&op, this](const Eigen::MatrixXd& v) {
        Eigen::MatrixXd y = op.apply(v);
        if (progress_)
            progress_->done += v.cols();
        return y;
    };
    if (progress_)
        progress_->begin(SolveProgress::Lanczos, epoch_, 4LL * k + 40);
    const MatrixFreeSpectrum top = topEigenpairs(counted, n, k, tolerance, cancel);
    status = top.spectrum.status;
    MeasuredKernel measured;
    if (!top.spectrum.ok() || !top.spectrum.eigenvalues.allFinite())
        return measured;
    const Eigen::VectorXd layerTraces = op.layerDiagonals().colwise().sum().transpose();
    measured.summary = summarizeTop(layerTraces.sum(), top.spectrum);
    measured.eigenvalues = top.spectrum.eigenvalues;
    measured.solved = true;
    if (report) {
        report->matrixFree = true;
        report->residuals = top.residuals;
        report->layerTraces = layerTraces;
        // The K-th, 2K-th, ... NTK epoch (counting epoch 0 as the first) and the last, not the first unless
        // K = 1: the first kernel is then on screen a density's solve (hundreds of products) sooner.
        const bool densityDue =
            config_.densityEvery > 0 &&
            ((ntkEpochIndex() + 1) % config_.densityEvery == 0 || epoch_ == config_.epochs);
        if (densityDue) {
            DensityOptions density;
            density.probes = densityProbes;
            density.steps = densitySteps;
            density.seed = config_.seed;
            density.cancel = cancel;
            if (progress_)
                progress_->begin(SolveProgress::Density, epoch_, densityProbes * densitySteps);
            report->density = std::make_shared<const SpectralDensity>(spectralDensity(counted, n, density));
        }
    }
    return measured;
}

MeasuredKernel Trainer::measureKernel(const Mlp& model, const ForwardCache& cache, bool vectors,
                                      Eigen::MatrixXd* eigenvectors, SpectrumStatus& status,
                                      CancelFlag cancel) const {
    if (matrixFree())
        return measureMatrixFree(model, cache, nullptr, status, cancel);
    NtkOptions options;
    options.cancel = cancel;
    options.inputGram = inputGram_.size() > 0 ? &inputGram_ : nullptr;
    options.precision = config_.kernelPrecision;
    auto kernel = std::make_shared<Eigen::MatrixXd>(empiricalNtk(model, cache, options));
    const Eigen::Index n = kernel->rows();
    const bool partial = config_.topK > 0 && config_.topK < n;
    Spectrum spectrum = partial ? topSpectrum(*kernel, config_.topK, vectors, cancel)
                                : fullSpectrum(*kernel, vectors, cancel);
    status = spectrum.status;
    MeasuredKernel measured;
    if (!spectrum.ok())
        return measured;
    measured.summary = summarize(*kernel, spectrum, initialKernel_.get(), &trainTargets_);
    if (!initialKernel_)
        measured.summary.kernelDistance = 0.0; // the first kernel is the reference: against itself, 0
    measured.eigenvalues = std::move(spectrum.eigenvalues);
    if (eigenvectors)
        *eigenvectors = std::move(spectrum.eigenvectors);
    measured.matrix = std::move(kernel);
    measured.solved = true;
    return measured;
}

void Trainer::computeKernel(const ForwardCache& cache, EpochReport& report, CancelFlag cancel) {
    const auto start = std::chrono::steady_clock::now();
    if (matrixFree()) {
        MeasuredKernel measured = measureMatrixFree(model_, cache, &report, lastSpectrumStatus_, cancel);
        if (!measured.ok())
            return;
        report.hasKernel = true;
        report.kernel = std::move(measured.summary);
        report.eigenvalues = std::move(measured.eigenvalues);
        report.kernelSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        latestKernel_.reset();
        latestKernelEpoch_ = epoch_; // measured at these parameters, though no matrix is kept
        return;
    }
    // x x^T does not change during training: cache it, unless it alone would take more than 128 MB.
    constexpr Eigen::Index largestCachedGram = 4096;
    if (inputGram_.size() == 0 && data_->train.size() <= largestCachedGram)
        inputGram_ = data_->train.features * data_->train.features.transpose();
    const bool first = !initialKernel_;
    // Above maxTheoryPoints the infinite-width kernel is solved before the first empirical one, not after
    // epoch 0 is reported: computed later it would be a third n x n matrix beside the initial kernel and
    // the current one (2.3 GB at n = 10,000), while its head start for the first frame is small there.
    if (first && !theoryApplies() && !earlyAnalyticLimit_) {
        earlyAnalyticLimit_.emplace();
        addAnalyticLimit(*earlyAnalyticLimit_, cancel);
    }
    // The previous epoch's kernel is not needed to build this one: let it go first, so a run holds at
    // most the initial kernel and the one being built (whoever shares the old one keeps it).
    latestKernel_.reset();
    latestKernelEpoch_ = -1;
    // Eigenvectors only when asked for (target energy); the theory views' basis is solved after epoch 0
    // has been reported (completeTheory), unless this solve already gives it.
    Eigen::MatrixXd eigenvectors;
    MeasuredKernel measured =
        measureKernel(model_, cache, config_.eigenvectors, &eigenvectors, lastSpectrumStatus_, cancel);
    if (!measured.ok())
        return;
    if (first) {
        initialKernel_ = std::make_shared<const PackedSymmetricMatrix>(*measured.matrix);
        if (theoryApplies()) {
            theoryKernel_ = measured.matrix;
            if (eigenvectors.size() > 0)
                initialEigenvectors_ = eigenvectors;
        }
    }
    report.hasKernel = true;
    report.kernel = std::move(measured.summary);
    report.eigenvalues = std::move(measured.eigenvalues);
    // Each layer's share from the exact diagonal of its kernel: one walk down the layers on this forward
    // pass, a small fraction of the build.
    report.layerTraces =
        NtkOperator(model_, cache, NtkOperatorOptions{}).layerDiagonals().colwise().sum().transpose();
    report.kernelSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (eigenfunctionsApply())
        report.eigenfunctions = computeEigenfunctions(*measured.matrix, cache, cancel);
    latestKernel_ = std::move(measured.matrix);
    latestKernelEpoch_ = epoch_;
}

bool Trainer::eigenfunctionsApply() const {
    const Dataset& train = data_->train;
    if (!eigenfunctions_ || train.size() > maxEigenfunctionPoints)
        return false;
    // Every stride-th NTK epoch, the stride giving at most eigenfunctionFrames of them, and the last epoch.
    const int ntkEpochs = config_.epochs / config_.ntkEvery;
    const int stride =
        config_.ntkEvery * std::max(1, (ntkEpochs + eigenfunctionFrames - 1) / eigenfunctionFrames);
    if (epoch_ % stride != 0 && epoch_ != config_.epochs)
        return false;
    return train.dimension() <= 2 ||
           (isImageDataset(config_.dataset) && squareImageSide(train.dimension()) > 0);
}

std::shared_ptr<const Eigenfunctions> Trainer::computeEigenfunctions(const Eigen::MatrixXd& kernel,
                                                                     const ForwardCache& trainCache,
                                                                     CancelFlag cancel) {
    std::optional<Eigenfunctions> functions =
        topEigenpairs(kernel, eigenfunctionCount, previousEigenfunctionVectors_, cancel);
    if (!functions)
        return nullptr;
    const Dataset& train = data_->train;
    if (train.dimension() <= 2) {
        if (!eigenfunctionGrid_)
            if (auto grid = gridPoints(train, data_->test, eigenfunctionGridResolution))
                eigenfunctionGrid_ = std::make_shared<const GridPoints>(std::move(*grid));
        if (!eigenfunctionGrid_)
            return nullptr;
        // The same parameters as `kernel`'s: advance() updates them afterwards.
        functions->values = extendEigenvectors(model_, trainCache, model_.forward(eigenfunctionGrid_->points),
                                               functions->vectors, functions->eigenvalues, cancel);
        functions->grid = eigenfunctionGrid_;
    } else {
        const int side = squareImageSide(train.dimension());
        addImageLoadings(*functions, train.features, side, side);
    }
    previousEigenfunctionVectors_ = functions->vectors;
    return std::make_shared<const Eigenfunctions>(std::move(*functions));
}

MeasuredKernel Trainer::measureCurrentKernel(CancelFlag cancel) const {
    SpectrumStatus status;
    return measureKernel(model_, model_.forward(data_->train.features), false, nullptr, status, cancel);
}

void Trainer::addAnalyticLimit(InitialTheory& theory, CancelFlag cancel) const {
    // The limit is an n x n matrix solved densely: not where the empirical kernel itself is too large.
    if (config_.parameterization != Parameterization::Ntk || !hasAnalyticNtk(config_.activation) ||
        matrixFree())
        return;
    const AnalyticNtkSpec spec{config_.depth, config_.activation, config_.sigmaW, config_.sigmaB};
    Eigen::MatrixXd limit = analyticNtk(spec, data_->train.features, cancel);
    limit *= double(trainTargets_.cols()); // summed over the outputs, like the empirical kernel
    theory.analyticTrace = limit.trace();
    theory.analyticFrobenius = limit.norm();
    const bool partial = config_.topK > 0 && config_.topK < limit.rows();
    const Spectrum spectrum =
        partial ? topSpectrum(limit, config_.topK, false, cancel) : fullSpectrum(limit, false, cancel);
    if (spectrum.ok())
        theory.analyticSpectrum = spectrum.eigenvalues;
}

bool Trainer::theoryApplies() const {
    return config_.ntkEvery > 0 && data_->train.size() <= maxTheoryPoints;
}

std::optional<InitialTheory> Trainer::completeTheory(CancelFlag cancel) {
    if (!pendingTheory_)
        return std::nullopt;
    const std::unique_ptr<PendingTheory> pending = std::move(pendingTheory_);
    InitialTheory theory;
    if (earlyAnalyticLimit_)
        theory = std::move(*earlyAnalyticLimit_);
    else
        addAnalyticLimit(theory, cancel);
    if (!theoryApplies())
        return theory;
    // The whole initial matrix is needed only here; the linearized model keeps its own share.
    const std::shared_ptr<const Eigen::MatrixXd> kernelShare = std::move(theoryKernel_);
    if (!kernelShare)
        return theory;
    const Eigen::MatrixXd& kernel = *kernelShare;
    if (initialEigenvectors_.size() == 0) {
        const bool partial = config_.topK > 0 && config_.topK < kernel.rows();
        Spectrum spectrum =
            partial ? topSpectrum(kernel, config_.topK, true, cancel) : fullSpectrum(kernel, true, cancel);
        if (!spectrum.ok())
            return theory;
        initialEigenvectors_ = std::move(spectrum.eigenvectors);
    }
    const Eigen::Index n = trainTargets_.rows();
    const double scale = residualScale(config_.loss, int(n), int(trainTargets_.cols()));
    theory.residualEnergy = energyAlong(initialEigenvectors_, scale * pending->outputGradient);
    if (!linearizedDynamicsApply(config_, int(n)))
        return theory;
    const double lr = config_.learningRate;
    const double keep = (1.0 - 2.0 * lr * config_.l2) * (1.0 - lr * config_.weightDecay);
    if (keep < 0.0 || keep > 1.0)
        return theory; // the penalty alone would overshoot: no meaningful linearization
    LinearizedStart start;
    start.kernel = kernelShare;
    if (data_->test.size() > 0) {
        Mlp initial = model_; // the train x test kernel at initialization
        initial.layers() = pending->initialParameters;
        start.crossKernel = empiricalNtkCross(initial, initial.forward(data_->train.features),
                                              initial.forward(data_->test.features), cancel)
                                .transpose();
    }
    start.trainOutput = pending->trainOutput;
    start.testOutput = pending->testOutput;
    start.trainTargets = trainTargets_;
    start.testTargets = testTargets_;
    linearized_.emplace(config_.loss, lr, keep, std::move(start));
    theory.linearizedTrainLoss = linearized_->trainLoss();
    theory.linearizedTestLoss = linearized_->testLoss();
    // The network has taken epoch_ steps since epoch 0: the linearized one catches up.
    for (int step = 0; step < epoch_; ++step)
        linearized_->step();
    return theory;
}

void Trainer::markDiverged(int epoch) {
    state_ = RunState::Diverged;
    stopEpoch_ = epoch;
    // Keep the last state whose numbers were all finite, so nothing non-finite is handed on.
    if (!lastFinite_.empty())
        model_.layers() = lastFinite_;
}

bool Trainer::checkEarlyStop(const EpochReport& report) {
    if (config_.earlyStopPatience <= 0 || !report.testLoss)
        return false;
    if (bestEpoch_ < 0 || *report.testLoss < bestTestLoss_) {
        bestTestLoss_ = *report.testLoss;
        bestEpoch_ = report.epoch;
        if (config_.restoreBest)
            best_ = model_.layers();
        return false;
    }
    if (report.epoch - bestEpoch_ < config_.earlyStopPatience)
        return false;
    state_ = RunState::EarlyStopped;
    stopEpoch_ = report.epoch;
    if (config_.restoreBest)
        model_.layers() = best_;
    return true;
}

void Trainer::updateParameters(const ForwardCache& trainCache, const Eigen::MatrixXd& outputGradient,
                               CancelFlag cancel) {
    const Eigen::Index n = data_->train.size();
    if (config_.optimizer == OptimizerKind::Gd || config_.batchSize >= n) {
        // Full batch: the evaluation pass already holds this epoch's gradient.
        LayerSet gradient = model_.backward(trainCache, outputGradient);
        addPenaltyGradient(model_.layers(), penalties_, gradient);
        optimizer_.step(model_.layers(), gradient);
        return;
    }
    std::vector<Eigen::Index> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(batchSeed_ + std::uint64_t(epoch_)));
    for (Eigen::Index start = 0; start < n; start += config_.batchSize) {
        throwIfCancelled(cancel);
        const std::vector<Eigen::Index> rows(
            order.begin() + start, order.begin() + std::min<Eigen::Index>(n, start + config_.batchSize));
        const Eigen::MatrixXd x = data_->train.features(rows, Eigen::all);
        const Eigen::MatrixXd y = trainTargets_(rows, Eigen::all);
        const ForwardCache cache = model_.forward(x);
        Eigen::MatrixXd batchGradient;
        lossAndGradient(config_.loss, cache.output, y, batchGradient);
        LayerSet gradient = model_.backward(cache, batchGradient);
        addPenaltyGradient(model_.layers(), penalties_, gradient);
        optimizer_.step(model_.layers(), gradient);
    }
}

Eigen::MatrixXd Trainer::currentKernel(CancelFlag cancel) const {
    NtkOptions options;
    options.cancel = cancel;
    options.precision = config_.kernelPrecision;
    return empiricalNtk(model_, model_.forward(data_->train.features), options);
}

Eigen::MatrixXd Trainer::currentCrossKernel(CancelFlag cancel) const {
    return empiricalNtkCross(model_, model_.forward(data_->train.features),
                             model_.forward(data_->test.features), cancel);
}

} // namespace ntk
