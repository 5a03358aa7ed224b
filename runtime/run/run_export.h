#pragma once
// The one exporter of a run: writes a RunRecord as the files `ntkviz-cli train --out DIR` documents
// (config.json, epochs.csv, spectra.csv, target_energy.csv, residual_energy.npy, the data, the initial
// and final kernels, the final parameters, summary.json). The command line, `ntkviz --export-figures`
// and the window's File menu all call it, so for the same settings they write the same files; wall
// times appear only in summary.json. Numbers are written in the shortest form that reads back exactly;
// every file is written atomically and large arrays are streamed to disk, never copied whole in memory.
#include "run_record.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace ntk {

QByteArray epochsCsv(const std::vector<EpochReport>& reports);
QByteArray spectraCsv(const std::vector<EpochReport>& reports);
// Each NTK epoch's per-layer traces (layer 1 = W1), long form: epoch, layer, trace, trace_share.
QByteArray layerTracesCsv(const std::vector<EpochReport>& reports);
// The SLQ densities of matrix-free epochs (epoch, log10_lambda, density, standard_error), and their top-k
// residuals; nullopt when the run has none.
std::optional<QByteArray> densitiesCsv(const std::vector<EpochReport>& reports);
std::optional<QByteArray> spectrumResidualsCsv(const std::vector<EpochReport>& reports);
// Share of the targets' energy |v_k^T Y|^2 / |Y|^2 in each eigenvector, per NTK epoch (needs eigenvectors).
QByteArray targetEnergyCsv(const std::vector<EpochReport>& reports);
QString formatNumber(double value); // shortest round-trip decimal
// Epochs x n: the residual's energy along each eigenvector of the initial NTK (rows as in epochs.csv);
// nullopt when the run did not track it.
std::optional<Eigen::MatrixXd> residualEnergyMatrix(const std::vector<EpochReport>& reports);
// How the run ended and what it is: status, epochs, sizes, the final kernel's numbers, and wall times.
QByteArray summaryJson(const RunRecord& record);

// Writes the record's files into `directory` (created if needed); `written` receives their paths.
// Returns the first error (naming the file), or nullopt. The record must have started (hasInfo()).
std::optional<QString> writeRunDirectory(const QString& directory, const RunRecord& record,
                                         CancelFlag cancel = nullptr, QStringList* written = nullptr);

} // namespace ntk
