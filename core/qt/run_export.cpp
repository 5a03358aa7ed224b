#include "run_export.h"

#include "atomic_write.h"
#include "npy.h"
#include "ntk.h"
#include "settings_table.h"

#include <QDir>
#include <charconv>

namespace ntk {
namespace {

QByteArray npyBytes(const std::string& encoded) {
    return QByteArray(encoded.data(), qsizetype(encoded.size()));
}

QString cell(const std::optional<double>& value) {
    return value ? formatNumber(*value) : QString();
}

} // namespace

QString formatNumber(double value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QString::fromLatin1(buffer, result.ptr - buffer);
}

QByteArray epochsCsv(const std::vector<EpochReport>& reports) {
    QStringList lines;
    lines
        << "epoch,train_loss,test_loss,train_accuracy,test_accuracy,penalty,parameter_norm,zero_fraction,"
           "trace,lambda_max,lambda_min,condition_number,effective_rank,frobenius_norm,top1_share,top5_share,"
           "top10_share,kernel_distance,target_alignment,nonpositive_eigenvalues,linearized_train_loss,"
           "linearized_test_loss,kernel_seconds"; // wall time last: the one column runs may not reproduce
    for (const EpochReport& r : reports) {
        QStringList row{QString::number(r.epoch),      formatNumber(r.trainLoss),   cell(r.testLoss),
                        cell(r.trainAccuracy),         cell(r.testAccuracy),        formatNumber(r.penalty),
                        formatNumber(r.parameterNorm), formatNumber(r.zeroFraction)};
        if (r.hasKernel) {
            const KernelSummary& k = r.kernel;
            row << formatNumber(k.trace) << formatNumber(k.lambdaMax) << cell(k.lambdaMin)
                << cell(k.conditionNumber) << formatNumber(k.effectiveRank) << formatNumber(k.frobeniusNorm)
                << formatNumber(k.topShare1) << formatNumber(k.topShare5) << formatNumber(k.topShare10)
                << cell(k.kernelDistance) << cell(k.targetAlignment) << QString::number(k.nonPositiveCount);
        } else {
            for (int i = 0; i < 12; ++i)
                row << QString();
        }
        row << cell(r.linearizedTrainLoss) << cell(r.linearizedTestLoss)
            << (r.hasKernel ? formatNumber(r.kernelSeconds) : QString());
        lines << row.join(',');
    }
    return (lines.join('\n') + '\n').toUtf8();
}

QByteArray spectraCsv(const std::vector<EpochReport>& reports) {
    Eigen::Index columns = 0;
    for (const EpochReport& r : reports)
        columns = std::max(columns, r.eigenvalues.size());
    QStringList header{"epoch"};
    for (Eigen::Index i = 1; i <= columns; ++i)
        header << QString("lambda_%1").arg(i);
    QStringList lines{header.join(',')};
    for (const EpochReport& r : reports) {
        if (!r.hasKernel)
            continue;
        QStringList row{QString::number(r.epoch)};
        for (double value : r.eigenvalues)
            row << formatNumber(value);
        lines << row.join(',');
    }
    return (lines.join('\n') + '\n').toUtf8();
}

QByteArray targetEnergyCsv(const std::vector<EpochReport>& reports) {
    Eigen::Index columns = 0;
    for (const EpochReport& r : reports)
        columns = std::max(columns, r.kernel.targetEnergy.size());
    QStringList header{"epoch"};
    for (Eigen::Index i = 1; i <= columns; ++i)
        header << QString("energy_%1").arg(i);
    QStringList lines{header.join(',')};
    for (const EpochReport& r : reports) {
        if (!r.hasKernel || r.kernel.targetEnergy.size() == 0)
            continue;
        QStringList row{QString::number(r.epoch)};
        for (double value : r.kernel.targetEnergy)
            row << formatNumber(value);
        lines << row.join(',');
    }
    return (lines.join('\n') + '\n').toUtf8();
}

std::optional<Eigen::MatrixXd> residualEnergyMatrix(const std::vector<EpochReport>& reports) {
    if (reports.empty() || reports.front().residualEnergy.size() == 0)
        return std::nullopt;
    Eigen::MatrixXd energies(Eigen::Index(reports.size()), reports.front().residualEnergy.size());
    for (std::size_t i = 0; i < reports.size(); ++i) {
        if (reports[i].residualEnergy.size() != energies.cols())
            return std::nullopt;
        energies.row(Eigen::Index(i)) = reports[i].residualEnergy.transpose();
    }
    return energies;
}

std::optional<QString> writeRunDirectory(const QString& directory, const RunExport& run,
                                         const Trainer& trainer, CancelFlag cancel) {
    if (!QDir().mkpath(directory))
        return directory + ": cannot create the output directory";
    const QDir dir(directory);
    std::vector<std::pair<QString, QByteArray>> files;
    files.emplace_back("config.json", configFileBytes(run.config));
    files.emplace_back("epochs.csv", epochsCsv(run.reports));
    files.emplace_back("spectra.csv", spectraCsv(run.reports));
    if (run.config.eigenvectors)
        files.emplace_back("target_energy.csv", targetEnergyCsv(run.reports));
    if (const auto energies = residualEnergyMatrix(run.reports))
        files.emplace_back("residual_energy.npy", npyBytes(encodeNpy(*energies)));
    const PreparedData& data = trainer.data();
    files.emplace_back("x_train.npy", npyBytes(encodeNpy(data.train.features)));
    files.emplace_back("y_train.npy",
                       npyBytes(data.train.task == TaskKind::Classification ? encodeNpy(data.train.labels)
                                                                            : encodeNpy(data.train.values)));
    if (data.test.size() > 0) {
        files.emplace_back("x_test.npy", npyBytes(encodeNpy(data.test.features)));
        files.emplace_back("y_test.npy", npyBytes(data.test.task == TaskKind::Classification
                                                      ? encodeNpy(data.test.labels)
                                                      : encodeNpy(data.test.values)));
    }
    if (trainer.initialKernel().size() > 0)
        files.emplace_back("ntk_init.npy", npyBytes(encodeNpy(trainer.initialKernel())));
    if (run.config.ntkEvery > 0) {
        files.emplace_back("ntk_final.npy", npyBytes(encodeNpy(trainer.currentKernel(cancel))));
        if (data.test.size() > 0)
            files.emplace_back("ntk_train_test_final.npy",
                               npyBytes(encodeNpy(trainer.currentCrossKernel(cancel))));
        if (run.config.perOutputBlocks) {
            const Mlp& model = trainer.model();
            const auto blocks = empiricalNtkPerOutput(model, model.forward(data.train.features), cancel);
            for (std::size_t k = 0; k < blocks.size(); ++k)
                files.emplace_back(QString("ntk_final_output%1.npy").arg(k), npyBytes(encodeNpy(blocks[k])));
        }
    }
    const LayerSet& layers = trainer.model().layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        files.emplace_back(QString("W%1.npy").arg(l + 1), npyBytes(encodeNpy(layers[l].weight)));
        files.emplace_back(QString("b%1.npy").arg(l + 1), npyBytes(encodeNpy(layers[l].bias)));
    }
    for (const auto& [name, bytes] : files)
        if (auto error = writeFileAtomically(dir.filePath(name), bytes))
            return error;
    return std::nullopt;
}

} // namespace ntk
