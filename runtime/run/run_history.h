#pragma once
// Everything the plots draw for the run on screen, fed from the worker's reports. Reports of any other run
// id are refused here, so a replaced run can never reach a plot. Long runs keep every scalar per epoch but
// thin the stored spectra (each time the budget is reached, every other one is dropped), so memory stays
// bounded while the whole run remains visible. Residual energies are kept in full only for the first and
// the latest epoch, and per epoch for a handful of followed directions. This thinning is for drawing
// only: exports read the run's RunRecord (run_record.h), which keeps everything.
#include "live_types.h"
#include "run_observer.h"

#include <QVector>
#include <optional>

namespace ntk {

class RunHistory {
public:
    static constexpr int maxStoredSpectra = 512;

    void reset(const RunInfo& info);
    void clear();
    // False (and nothing stored) when the batch belongs to another run.
    // By value: the live window moves its batches in, so an n x n kernel snapshot is not copied again.
    bool append(LiveBatch batch);
    bool setOutcome(const RunOutcome& outcome);
    // Epoch 0's theory, which arrives after epoch 0 itself (see Trainer::completeTheory).
    bool amend(RunId id, const InitialTheory& theory);

    bool hasRun() const { return info_.has_value(); }
    const RunInfo& info() const { return *info_; }
    RunId runId() const { return info_ ? info_->runId : 0; }
    const std::optional<RunOutcome>& outcome() const { return outcome_; }

    // Per-epoch scalars, in epoch order (all epochs).
    const std::vector<EpochReport>& reports() const { return reports_; }
    const EpochReport* latest() const { return reports_.empty() ? nullptr : &reports_.back(); }
    const EpochReport* latestWithKernel() const;
    // The latest report with an eigenvalue density (matrix-free runs, every density-every-th NTK epoch).
    const EpochReport* latestWithDensity() const;
    // Spectra of NTK epochs: (epoch, eigenvalues); decimated in long runs. The first is the initial one.
    const std::vector<std::pair<int, Eigen::VectorXd>>& spectra() const { return spectra_; }
    // The most recent spectrum, whether or not decimation kept it in spectra().
    const std::pair<int, Eigen::VectorXd>& latestSpectrum() const { return latestSpectrum_; }
    const Eigen::VectorXd& initialSpectrum() const { return initialSpectrum_; }

    // Spectral bias: the residual's energy along each eigenvector of the initial NTK, at epoch 0 and at the
    // latest epoch (all directions), and per epoch for the followed directions (spectralBiasDirections).
    const Eigen::VectorXd& initialResidualEnergy() const { return initialResidualEnergy_; }
    const std::pair<int, Eigen::VectorXd>& latestResidualEnergy() const { return latestResidualEnergy_; }
    const std::vector<int>& followedDirections() const { return followedDirections_; }
    // (epoch, energies of the followed directions), every epoch.
    const std::vector<std::pair<int, Eigen::VectorXd>>& followedEnergy() const { return followedEnergy_; }

    // Empty matrices until a snapshot has arrived.
    const Eigen::MatrixXd& latestKernel() const { return orEmpty(latestKernel_); }
    const std::optional<PredictionGrid>& latestGrid() const { return latestGrid_; }
    // The epoch of latestKernel(), -1 before the first snapshot. Snapshots are rate-limited, so while a run
    // goes on this is usually earlier than latestWithKernel()->epoch, the latest epoch with a spectrum.
    int latestKernelEpoch() const { return latestKernelEpoch_; }

    // Measured speed over the last second of reports.
    double epochsPerSecond() const;

private:
    void storeSpectrum(int epoch, const Eigen::VectorXd& values);
    void storeResidualEnergy(int epoch, const Eigen::VectorXd& energy);

    std::optional<RunInfo> info_;
    std::optional<RunOutcome> outcome_;
    std::vector<EpochReport> reports_; // eigenvalues moved out into spectra_
    std::vector<std::pair<int, Eigen::VectorXd>> spectra_;
    std::pair<int, Eigen::VectorXd> latestSpectrum_{-1, {}};
    int spectrumStride_ = 1; // keep every stride-th NTK epoch once decimation has started
    int kernelEpochsSeen_ = 0;
    int latestKernelIndex_ = -1;
    int latestDensityIndex_ = -1;
    int latestKernelEpoch_ = -1;
    Eigen::VectorXd initialSpectrum_;
    Eigen::VectorXd initialResidualEnergy_;
    std::pair<int, Eigen::VectorXd> latestResidualEnergy_{-1, {}};
    std::vector<int> followedDirections_;
    std::vector<std::pair<int, Eigen::VectorXd>> followedEnergy_;
    static const Eigen::MatrixXd& orEmpty(const std::shared_ptr<const Eigen::MatrixXd>& kernel) {
        static const Eigen::MatrixXd empty;
        return kernel ? *kernel : empty;
    }
    std::shared_ptr<const Eigen::MatrixXd> latestKernel_; // shared with the reports
    std::optional<PredictionGrid> latestGrid_;
    std::vector<std::pair<qint64, int>> arrivals_; // (ms clock, last epoch) per batch, for the speed readout
};

// Feeds a RunHistory straight from the run driver in the same thread (headless figures): a kernel snapshot
// and prediction grid at the first and the last epoch, like a live run that was never looked at between.
class HistoryObserver : public RunObserver {
public:
    explicit HistoryObserver(RunHistory& history, RunObserver* next = nullptr)
        : history_(history)
        , next_(next) {}
    void runStarted(const RunInfo& info) override;
    void epochReported(const EpochReport& report, const Trainer& trainer) override;
    void initialTheoryReady(const InitialTheory& theory) override;
    void runEnded(const RunOutcome& outcome) override;

private:
    RunHistory& history_;
    RunObserver* next_;
};

} // namespace ntk
