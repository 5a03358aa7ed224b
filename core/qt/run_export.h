#pragma once
// The files a run is exported as, shared by the command line and the app: epochs.csv, spectra.csv,
// config.json and NumPy .npy arrays. Numbers are written in the shortest form that reads back exactly.
#include "config.h"
#include "trainer.h"

#include <QByteArray>
#include <QString>
#include <optional>
#include <vector>

namespace ntk {

QByteArray epochsCsv(const std::vector<EpochReport>& reports);
QByteArray spectraCsv(const std::vector<EpochReport>& reports);
// Share of the targets' energy |v_k^T Y|^2 / |Y|^2 in each eigenvector, per NTK epoch (needs eigenvectors).
QByteArray targetEnergyCsv(const std::vector<EpochReport>& reports);
QString formatNumber(double value); // shortest round-trip decimal
// Epochs x n: the residual's energy along each eigenvector of the initial NTK (rows as in epochs.csv);
// nullopt when the run did not track it.
std::optional<Eigen::MatrixXd> residualEnergyMatrix(const std::vector<EpochReport>& reports);

struct RunExport {
    RunConfig config;
    std::vector<EpochReport> reports;
    QString status; // e.g. "finished at epoch 100"
};

// Writes config.json, epochs.csv, spectra.csv and the .npy arrays of `trainer` into `directory` (created if
// needed). Each file is written atomically. Returns the first error, or nullopt.
std::optional<QString> writeRunDirectory(const QString& directory, const RunExport& run,
                                         const Trainer& trainer, CancelFlag cancel = nullptr);

} // namespace ntk
