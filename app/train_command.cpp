#include "train_command.h"

#include "atomic_write.h"
#include "data_error.h"
#include "data_prep.h"
#include "message_text.h"
#include "run_export.h"
#include "session.h"
#include "settings_cli.h"
#include "trainer.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <stdexcept>

namespace {

QTextStream& err() {
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString& message) {
    err() << "ntkviz-cli: " << ntk::singleLineMessage(message) << Qt::endl;
    return 2;
}

QString progressLine(const ntk::EpochReport& r, int epochs) {
    QString line = QString("epoch %1/%2  train loss %3").arg(r.epoch).arg(epochs).arg(r.trainLoss, 0, 'g', 5);
    if (r.testLoss)
        line += QString("  test loss %1").arg(*r.testLoss, 0, 'g', 5);
    if (r.testAccuracy)
        line += QString("  test acc %1").arg(*r.testAccuracy, 0, 'f', 3);
    if (r.hasKernel)
        line += QString("  trace %1  lambda_max %2")
                    .arg(r.kernel.trace, 0, 'g', 5)
                    .arg(r.kernel.lambdaMax, 0, 'g', 5);
    return line;
}

QByteArray summaryJson(const ntk::Trainer& trainer, double seconds) {
    QJsonObject summary;
    summary["status"] = QString::fromStdString(trainer.statusText());
    summary["state"] = QString::fromUtf8(ntk::toString(trainer.state()).data());
    summary["stop_epoch"] = trainer.stopEpoch();
    summary["best_epoch"] = trainer.bestEpoch();
    summary["parameter_count"] = double(trainer.model().parameterCount());
    summary["train_points"] = double(trainer.data().train.size());
    summary["test_points"] = double(trainer.data().test.size());
    summary["input_dimension"] = double(trainer.data().train.dimension());
    summary["outputs"] = trainer.model().shape().outputs;
    summary["seconds"] = seconds;
    summary["ntkviz_version"] = NTKVIZ_VERSION;
    return QJsonDocument(summary).toJson(QJsonDocument::Indented);
}

} // namespace

int runTrainCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Train an MLP by gradient descent and record its empirical neural tangent kernel and spectrum.");
    parser.addHelpOption();
    parser.addOption({"out", "Write config.json, epochs.csv, spectra.csv and .npy arrays to DIR.", "DIR"});
    parser.addOption({"quiet", "No progress lines on stderr."});
    parser.addOption(
        {"session", "Train with the settings of an ntkviz session file (flags given as well override them).",
         "FILE"});
    ntk::addSettingOptions(parser);
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet("help")) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return fail("unexpected argument " + ntk::quotedForMessage(parser.positionalArguments().first()));

    ntk::RunConfig config;
    if (parser.isSet("session")) {
        if (parser.isSet("config"))
            return fail("--session and --config cannot be combined: a session holds its own settings");
        QString error;
        const auto session = ntk::loadSessionFile(parser.value("session"), error);
        if (!session)
            return fail(error);
        config = session->config;
    }
    if (auto error = ntk::applySettingOptions(parser, config))
        return fail(*error);

    const bool quiet = parser.isSet("quiet");
    QElapsedTimer clock;
    clock.start();
    try {
        ntk::PreparedData data = ntk::prepareData(config);
        ntk::Trainer trainer(config, std::move(data));
        ntk::RunExport run{config, {}, {}};
        const int progressEvery = std::max(1, config.epochs / 20);
        while (auto report = trainer.advance()) {
            if (!quiet && (report->epoch % progressEvery == 0 || trainer.done()))
                err() << progressLine(*report, config.epochs) << Qt::endl;
            run.reports.push_back(std::move(*report));
        }
        run.status = QString::fromStdString(trainer.statusText());
        if (!quiet)
            err() << run.status << " in " << clock.elapsed() / 1000.0 << " s" << Qt::endl;
        if (parser.isSet("out")) {
            const QString dir = parser.value("out");
            if (auto error = ntk::writeRunDirectory(dir, run, trainer))
                return fail(*error);
            if (auto error = ntk::writeFileAtomically(dir + "/summary.json",
                                                      summaryJson(trainer, clock.elapsed() / 1e3)))
                return fail(*error);
        }
    } catch (const ntk::DataError& e) {
        return fail(QString::fromStdString(e.what()));
    } catch (const std::invalid_argument& e) {
        return fail(QString::fromStdString(e.what()));
    } catch (const std::bad_alloc&) {
        return fail("out of memory: reduce n, width or depth");
    }
    return 0;
}
