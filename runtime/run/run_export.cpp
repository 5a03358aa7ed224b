#include "run_export.h"

#include "atomic_write.h"
#include "npy_file.h"
#include "ntk.h"
#include "settings_table.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <charconv>
#include <functional>

namespace ntk {
namespace {

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
           "linearized_test_loss,sharpness,hessian_lambda_min,gn_lambda_max,preconditioned_sharpness,"
           "ntk_sharpness"; // no wall times here:
                            // summary.json has them, so
                            // runs compare byte for byte
    for (const EpochReport& r : reports) {
        QStringList row{QString::number(r.epoch),      formatNumber(r.trainLoss),   cell(r.testLoss),
                        cell(r.trainAccuracy),         cell(r.testAccuracy),        formatNumber(r.penalty),
                        formatNumber(r.parameterNorm), formatNumber(r.zeroFraction)};
        if (r.hasKernel) {
            const KernelSummary& k = r.kernel;
            row << formatNumber(k.trace) << formatNumber(k.lambdaMax) << cell(k.lambdaMin)
                << cell(k.conditionNumber) << cell(k.effectiveRank) << cell(k.frobeniusNorm)
                << formatNumber(k.topShare1) << formatNumber(k.topShare5) << formatNumber(k.topShare10)
                << cell(k.kernelDistance) << cell(k.targetAlignment) << QString::number(k.nonPositiveCount);
        } else {
            for (int i = 0; i < 12; ++i)
                row << QString();
        }
        row << cell(r.linearizedTrainLoss) << cell(r.linearizedTestLoss) << cell(r.sharpness)
            << cell(r.hessianLambdaMin) << cell(r.gaussNewtonLambdaMax) << cell(r.preconditionedSharpness)
            << cell(r.kernelSharpness);
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

QByteArray layerTracesCsv(const std::vector<EpochReport>& reports) {
    QStringList lines{"epoch,layer,trace,trace_share"};
    for (const EpochReport& r : reports) {
        if (!r.hasKernel)
            continue;
        for (Eigen::Index l = 0; l < r.layerTraces.size(); ++l)
            lines << QString("%1,%2,%3,%4")
                         .arg(r.epoch)
                         .arg(l + 1)
                         .arg(formatNumber(r.layerTraces(l)),
                              formatNumber(r.kernel.trace != 0.0 ? r.layerTraces(l) / r.kernel.trace : 0.0));
    }
    return (lines.join('\n') + '\n').toUtf8();
}

std::optional<QByteArray> densitiesCsv(const std::vector<EpochReport>& reports) {
    QStringList lines{"epoch,log10_lambda,density,standard_error,at_or_above"};
    for (const EpochReport& r : reports)
        if (r.density)
            for (Eigen::Index i = 0; i < r.density->log10Lambda.size(); ++i)
                lines << QString::number(r.epoch) + ',' + formatNumber(r.density->log10Lambda(i)) + ',' +
                             formatNumber(r.density->density(i)) + ',' +
                             formatNumber(r.density->standardError(i)) + ',' +
                             formatNumber(r.density->atOrAbove(i));
    if (lines.size() == 1)
        return std::nullopt;
    return (lines.join('\n') + '\n').toUtf8();
}

std::optional<QByteArray> spectrumResidualsCsv(const std::vector<EpochReport>& reports) {
    Eigen::Index columns = 0;
    for (const EpochReport& r : reports)
        if (r.matrixFree)
            columns = std::max(columns, r.residuals.size());
    if (columns == 0)
        return std::nullopt;
    QStringList header{"epoch"};
    for (Eigen::Index i = 1; i <= columns; ++i)
        header << QString("residual_%1").arg(i);
    QStringList lines{header.join(',')};
    for (const EpochReport& r : reports) {
        if (!r.matrixFree)
            continue;
        QStringList row{QString::number(r.epoch)};
        for (double value : r.residuals)
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

QByteArray summaryJson(const RunRecord& record) {
    QJsonObject summary;
    const RunInfo& info = record.info();
    if (const auto& outcome = record.outcome()) {
        summary["status"] = outcome->status;
        summary["state"] = outcome->failure.isEmpty() && !outcome->cancelled
                               ? QString::fromUtf8(toString(outcome->state).data())
                               : QString(outcome->cancelled ? "cancelled" : "failed");
        summary["stop_epoch"] = outcome->stopEpoch;
        summary["best_epoch"] = outcome->bestEpoch;
        summary["final_epoch"] = outcome->finalEpoch;
        summary["seconds"] = outcome->seconds;
    }
    if (const EpochReport* final = record.finalKernelReport()) {
        summary["final_kernel_epoch"] = final->epoch;
        summary["final_trace"] = final->kernel.trace;
        summary["final_lambda_max"] = final->kernel.lambdaMax;
    }
    double kernelSeconds = 0.0;
    int kernelEpochs = 0;
    for (const EpochReport& r : record.epochs())
        if (r.hasKernel) {
            kernelSeconds += r.kernelSeconds;
            ++kernelEpochs;
        }
    summary["kernel_epochs"] = kernelEpochs;
    // Above the dense limit the kernel is solved as an operator: top-k only, no kernel matrices written.
    summary["kernel_matrix_free"] = std::any_of(record.epochs().begin(), record.epochs().end(),
                                                [](const EpochReport& r) { return r.matrixFree; });
    summary["kernel_seconds"] = kernelSeconds;
    summary["parameter_count"] = double(info.parameterCount);
    summary["train_points"] = info.trainSize;
    summary["test_points"] = info.testSize;
    summary["input_dimension"] = info.inputDim;
    summary["outputs"] = info.outputs;
    summary["ntkviz_version"] = NTKVIZ_VERSION;
    return QJsonDocument(summary).toJson(QJsonDocument::Indented);
}

std::optional<QString> writeRunDirectory(const QString& directory, const RunRecord& record, CancelFlag cancel,
                                         QStringList* written) {
    if (!QDir().mkpath(directory))
        return directory + ": cannot create the output directory";
    const QDir dir(directory);
    const RunConfig& config = record.config();
    const std::optional<RunOutcome>& outcome = record.outcome();
    const std::shared_ptr<const PreparedData>& data = record.info().data;

    // Each file is made when its turn comes and released before the next: a run at n = 10,000 holds two
    // 800 MB kernels already, and an export must not add a third.
    using Writer = std::function<std::optional<QString>(const QString& path)>;
    std::vector<std::pair<QString, Writer>> files;
    const auto text = [&](const QString& name, std::function<QByteArray()> bytes) {
        files.emplace_back(name, [bytes](const QString& path) { return writeFileAtomically(path, bytes()); });
    };
    const auto matrix = [&](const QString& name, std::function<Eigen::MatrixXd()> make) {
        files.emplace_back(name, [make](const QString& path) { return writeNpyFile(path, make()); });
    };
    const auto kernel = [&](const QString& name, const std::shared_ptr<const Eigen::MatrixXd>& k) {
        files.emplace_back(name, [k](const QString& path) { return writeNpyFile(path, *k, true); });
    };
    const auto vector = [&](const QString& name, const auto& values) {
        files.emplace_back(name, [&values](const QString& path) { return writeNpyFile(path, values); });
    };
    const auto targets = [&](const QString& name, const Dataset& set) {
        if (set.task == TaskKind::Classification)
            vector(name, set.labels);
        else
            vector(name, set.values);
    };

    text("config.json", [&] { return configFileBytes(config); });
    text("epochs.csv", [&] { return epochsCsv(record.epochs()); });
    text("spectra.csv", [&] { return spectraCsv(record.epochs()); });
    text("layer_traces.csv", [&] { return layerTracesCsv(record.epochs()); });
    if (auto csv = densitiesCsv(record.epochs()))
        text("densities.csv", [csv] { return *csv; });
    if (auto csv = spectrumResidualsCsv(record.epochs()))
        text("spectrum_residuals.csv", [csv] { return *csv; });
    if (config.eigenvectors)
        text("target_energy.csv", [&] { return targetEnergyCsv(record.epochs()); });
    if (const auto energies = residualEnergyMatrix(record.epochs()))
        matrix("residual_energy.npy", [energies] { return *energies; });
    if (data) {
        matrix("x_train.npy", [data] { return data->train.features; });
        targets("y_train.npy", data->train);
        if (data->test.size() > 0) {
            matrix("x_test.npy", [data] { return data->test.features; });
            targets("y_test.npy", data->test);
        }
    }
    if (const std::shared_ptr<const PackedSymmetricMatrix> initial = record.initialKernel())
        files.emplace_back("ntk_init.npy",
                           [initial](const QString& path) { return writeNpyFile(path, *initial); });
    if (outcome && outcome->finalKernel)
        kernel("ntk_final.npy", outcome->finalKernel);
    if (outcome && outcome->finalModel && data) {
        const std::shared_ptr<const Mlp> model = outcome->finalModel;
        if (config.ntkEvery > 0 && data->test.size() > 0)
            matrix("ntk_train_test_final.npy", [model, data, cancel] {
                return empiricalNtkCross(*model, model->forward(data->train.features),
                                         model->forward(data->test.features), cancel);
            });
        if (config.ntkEvery > 0 && config.perOutputBlocks) {
            // All blocks come from one pass: made for the first file, dropped after the last.
            auto blocks = std::make_shared<std::vector<Eigen::MatrixXd>>();
            const int outputs = model->shape().outputs;
            for (int k = 0; k < outputs; ++k)
                files.emplace_back(QString("ntk_final_output%1.npy").arg(k), [model, data, cancel, blocks, k,
                                                                              outputs](const QString& path) {
                    if (blocks->empty())
                        *blocks = empiricalNtkPerOutput(*model, model->forward(data->train.features), cancel);
                    auto error = writeNpyFile(path, (*blocks)[std::size_t(k)], true);
                    if (k + 1 == outputs)
                        blocks->clear();
                    return error;
                });
        }
        for (std::size_t l = 0; l < model->layers().size(); ++l) {
            vector(QString("W%1.npy").arg(l + 1), model->layers()[l].weight);
            vector(QString("b%1.npy").arg(l + 1), model->layers()[l].bias);
        }
    }
    text("summary.json", [&] { return summaryJson(record); });

    for (const auto& [name, write] : files) {
        throwIfCancelled(cancel);
        if (auto error = write(dir.filePath(name)))
            return error;
        if (written)
            *written << dir.filePath(name);
    }
    return std::nullopt;
}

} // namespace ntk
