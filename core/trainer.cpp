#include "trainer.h"

#include "theory.h"

#include "loss.h"
#include "ntk.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace ntk {
namespace {

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
    }
    return "?";
}

Trainer::Trainer(const RunConfig& config, PreparedData data)
    : config_(checked(config, data))
    , data_(std::move(data))
    , model_(shapeFor(config_, data_.train), initSeed(config_.seed))
    , trainTargets_(data_.train.targets())
    , testTargets_(data_.test.targets())
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
    }
    return {};
}

bool Trainer::kernelDue() const {
    if (config_.ntkEvery <= 0)
        return false;
    return epoch_ == 0 || epoch_ % config_.ntkEvery == 0 || epoch_ == config_.epochs;
}

std::optional<EpochReport> Trainer::advance(CancelFlag cancel) {
    if (done())
        return std::nullopt;
    throwIfCancelled(cancel);
    const LayerSet& parameters = model_.layers();
    const ForwardCache trainCache = model_.forward(data_.train.features);
    Eigen::MatrixXd outputGradient;
    EpochReport report;
    report.epoch = epoch_;
    report.trainLoss = lossAndGradient(config_.loss, trainCache.output, trainTargets_, outputGradient);
    if (!std::isfinite(report.trainLoss) || !allFinite(parameters) || !trainCache.output.allFinite()) {
        markDiverged(epoch_);
        return std::nullopt;
    }
    if (data_.train.task == TaskKind::Classification)
        report.trainAccuracy = accuracy(trainCache.output, data_.train.labels);
    Eigen::MatrixXd testOutput;
    if (data_.test.size() > 0) {
        testOutput = model_.predict(data_.test.features);
        report.testLoss = lossValue(config_.loss, testOutput, testTargets_);
        if (data_.test.task == TaskKind::Classification)
            report.testAccuracy = accuracy(testOutput, data_.test.labels);
        if (!std::isfinite(*report.testLoss)) {
            markDiverged(epoch_);
            return std::nullopt;
        }
    }
    report.penalty = penaltyValue(parameters, penalties_);
    report.parameterNorm = std::sqrt(squaredNorm(parameters));
    report.zeroFraction = double(countExactZeros(parameters)) / double(countParameters(parameters));
    if (kernelDue()) {
        computeKernel(trainCache, report, cancel);
        if (!report.hasKernel) { // a non-finite kernel: the weights are finite but the run is lost
            markDiverged(epoch_);
            return std::nullopt;
        }
        if (epoch_ == 0 && theoryApplies())
            startTheory(trainCache.output, testOutput, cancel);
    }
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

void Trainer::computeKernel(const ForwardCache& cache, EpochReport& report, CancelFlag cancel) {
    const auto start = std::chrono::steady_clock::now();
    // x x^T does not change during training: cache it, unless it alone would take more than 128 MB.
    constexpr Eigen::Index largestCachedGram = 4096;
    if (inputGram_.size() == 0 && data_.train.size() <= largestCachedGram)
        inputGram_ = data_.train.features * data_.train.features.transpose();
    NtkOptions options;
    options.cancel = cancel;
    options.inputGram = inputGram_.size() > 0 ? &inputGram_ : nullptr;
    options.precision = config_.kernelPrecision;
    Eigen::MatrixXd kernel = empiricalNtk(model_, cache, options);
    const Eigen::Index n = kernel.rows();
    const bool partial = config_.topK > 0 && config_.topK < n;
    const bool first = initialKernel_.size() == 0;
    // The initial eigenvectors are the basis of the spectral-bias view.
    const bool vectors = config_.eigenvectors || (first && theoryApplies());
    const Spectrum spectrum =
        partial ? topSpectrum(kernel, config_.topK, vectors) : fullSpectrum(kernel, vectors);
    if (!spectrum.ok())
        return;
    if (first) {
        initialKernel_ = kernel;
        if (theoryApplies())
            initialEigenvectors_ = spectrum.eigenvectors;
    }
    report.hasKernel = true;
    report.kernel = summarize(kernel, spectrum, &initialKernel_, &trainTargets_);
    report.eigenvalues = spectrum.eigenvalues;
    report.kernelSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    latestKernel_ = std::move(kernel);
}

bool Trainer::theoryApplies() const {
    return config_.ntkEvery > 0 && data_.train.size() <= maxTheoryPoints;
}

void Trainer::startTheory(const Eigen::MatrixXd& trainOutput, const Eigen::MatrixXd& testOutput,
                          CancelFlag cancel) {
    if (!linearizedDynamicsApply(config_, int(data_.train.size())) || initialKernel_.size() == 0)
        return;
    LinearizedStart start;
    start.kernel = initialKernel_;
    if (data_.test.size() > 0)
        start.crossKernel = currentCrossKernel(cancel).transpose();
    start.trainOutput = trainOutput;
    start.testOutput = testOutput;
    start.trainTargets = trainTargets_;
    start.testTargets = testTargets_;
    const double lr = config_.learningRate;
    const double keep = (1.0 - 2.0 * lr * config_.l2) * (1.0 - lr * config_.weightDecay);
    if (keep < 0.0 || keep > 1.0)
        return; // the penalty alone would overshoot: no meaningful linearization
    linearized_.emplace(config_.loss, lr, keep, std::move(start));
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
    const Eigen::Index n = data_.train.size();
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
        const Eigen::MatrixXd x = data_.train.features(rows, Eigen::all);
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
    return empiricalNtk(model_, model_.forward(data_.train.features), options);
}

Eigen::MatrixXd Trainer::currentCrossKernel(CancelFlag cancel) const {
    return empiricalNtkCross(model_, model_.forward(data_.train.features),
                             model_.forward(data_.test.features), cancel);
}

} // namespace ntk
