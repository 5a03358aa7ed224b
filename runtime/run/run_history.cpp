#include "run_history.h"

#include "theory.h"

#include <QDateTime>

namespace ntk {

void RunHistory::reset(const RunInfo& info) {
    clear();
    info_ = info;
}

void RunHistory::clear() {
    *this = RunHistory();
}

bool RunHistory::append(LiveBatch batch) {
    if (!info_ || batch.runId != info_->runId)
        return false;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (LiveReport& live : batch.reports) {
        EpochReport scalars = live.epoch;
        const int epoch = scalars.epoch;
        if (scalars.hasKernel) {
            storeSpectrum(scalars.epoch, scalars.eigenvalues);
            latestKernelIndex_ = int(reports_.size());
        }
        if (scalars.density)
            latestDensityIndex_ = int(reports_.size());
        scalars.eigenvalues = Eigen::VectorXd();
        if (scalars.residualEnergy.size() > 0)
            storeResidualEnergy(scalars.epoch, scalars.residualEnergy);
        scalars.residualEnergy = Eigen::VectorXd();
        reports_.push_back(std::move(scalars));
        if (live.kernel && live.kernel->size() > 0) {
            latestKernel_ = std::move(live.kernel);
            latestKernelEpoch_ = epoch;
        }
        if (live.grid)
            latestGrid_ = std::move(live.grid);
    }
    if (!batch.reports.empty())
        arrivals_.emplace_back(now, batch.reports.back().epoch.epoch);
    while (!arrivals_.empty() && now - arrivals_.front().first > 1000)
        arrivals_.erase(arrivals_.begin());
    return true;
}

bool RunHistory::setOutcome(const RunOutcome& outcome) {
    if (!info_ || outcome.runId != info_->runId)
        return false;
    outcome_ = outcome;
    return true;
}

bool RunHistory::amend(RunId id, const InitialTheory& theory) {
    if (!info_ || id != info_->runId || reports_.empty() || reports_.front().epoch != 0)
        return false;
    amendRunInfo(*info_, theory);
    EpochReport& first = reports_.front();
    first.linearizedTrainLoss = theory.linearizedTrainLoss;
    first.linearizedTestLoss = theory.linearizedTestLoss;
    if (theory.residualEnergy.size() > 0)
        storeResidualEnergy(0, theory.residualEnergy); // before any later epoch's: they come after it
    return true;
}

const EpochReport* RunHistory::latestWithKernel() const {
    return latestKernelIndex_ < 0 ? nullptr : &reports_[latestKernelIndex_];
}

const EpochReport* RunHistory::latestWithDensity() const {
    return latestDensityIndex_ < 0 ? nullptr : &reports_[latestDensityIndex_];
}

void RunHistory::storeSpectrum(int epoch, const Eigen::VectorXd& values) {
    if (initialSpectrum_.size() == 0)
        initialSpectrum_ = values;
    latestSpectrum_ = {epoch, values};
    if (kernelEpochsSeen_++ % spectrumStride_ != 0)
        return;
    spectra_.emplace_back(epoch, values);
    if (int(spectra_.size()) > maxStoredSpectra) {
        std::vector<std::pair<int, Eigen::VectorXd>> kept;
        for (std::size_t i = 0; i < spectra_.size(); i += 2)
            kept.push_back(std::move(spectra_[i]));
        spectra_ = std::move(kept);
        spectrumStride_ *= 2;
    }
}

void RunHistory::storeResidualEnergy(int epoch, const Eigen::VectorXd& energy) {
    if (initialResidualEnergy_.size() == 0) {
        initialResidualEnergy_ = energy;
        followedDirections_ = spectralBiasDirections(int(energy.size()));
    }
    latestResidualEnergy_ = {epoch, energy};
    Eigen::VectorXd followed(Eigen::Index(followedDirections_.size()));
    for (std::size_t i = 0; i < followedDirections_.size(); ++i)
        followed(Eigen::Index(i)) =
            followedDirections_[i] < energy.size() ? energy(followedDirections_[i]) : 0.0;
    followedEnergy_.emplace_back(epoch, std::move(followed));
}

double RunHistory::epochsPerSecond() const {
    if (arrivals_.size() < 2)
        return 0.0;
    const double seconds = (arrivals_.back().first - arrivals_.front().first) / 1000.0;
    const int epochs = arrivals_.back().second - arrivals_.front().second;
    return seconds > 0.0 ? epochs / seconds : 0.0;
}

void HistoryObserver::runStarted(const RunInfo& info) {
    history_.reset(info);
    if (next_)
        next_->runStarted(info);
}

void HistoryObserver::epochReported(const EpochReport& report, const Trainer& trainer) {
    const bool snapshot = report.epoch == 0 || trainer.done();
    history_.append({history_.runId(), {makeLiveReport(trainer, EpochReport(report), snapshot)}});
    if (next_)
        next_->epochReported(report, trainer);
}

void HistoryObserver::initialTheoryReady(const InitialTheory& theory) {
    history_.amend(history_.runId(), theory);
    if (next_)
        next_->initialTheoryReady(theory);
}

void HistoryObserver::runEnded(const RunOutcome& outcome) {
    history_.setOutcome(outcome);
    if (next_)
        next_->runEnded(outcome);
}

} // namespace ntk
