#include "train_command.h"

#include "command_line.h"
#include "message_text.h"
#include "run_export.h"
#include "run_record.h"
#include "session.h"
#include "settings_cli.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace {

QTextStream& err() {
    static QTextStream stream(stderr);
    return stream;
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

// Progress lines on stderr, about twenty per run.
class ProgressLines : public ntk::RunObserver {
public:
    explicit ProgressLines(int epochs)
        : epochs_(epochs)
        , every_(std::max(1, epochs / 20)) {}
    void runStarted(const ntk::RunInfo&) override {}
    void epochReported(const ntk::EpochReport& report, const ntk::Trainer& trainer) override {
        if (report.epoch % every_ == 0 || trainer.done())
            err() << progressLine(report, epochs_) << Qt::endl;
    }
    void initialTheoryReady(const ntk::InitialTheory&) override {}
    void runEnded(const ntk::RunOutcome& outcome) override {
        if (outcome.failure.isEmpty())
            err() << outcome.status << " in " << outcome.seconds << " s" << Qt::endl;
    }

private:
    int epochs_, every_;
};

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
    if (const auto exit = parseCommandLine(parser, arguments))
        return *exit;

    ntk::RunConfig config;
    if (parser.isSet("session")) {
        if (parser.isSet("config"))
            return failCommand("--session and --config cannot be combined: a session holds its own settings");
        QString error;
        const auto session = ntk::loadSessionFile(parser.value("session"), error);
        if (!session)
            return failCommand(error);
        config = session->config;
    }
    if (auto error = ntk::applySettingOptions(parser, config))
        return failCommand(*error);

    ProgressLines progress(config.epochs);
    const ntk::RunRecord record = ntk::recordRun(1, config, {}, parser.isSet("quiet") ? nullptr : &progress);
    if (!record.outcome()->failure.isEmpty())
        return failCommand(record.outcome()->failure);
    if (parser.isSet("out"))
        if (auto error = ntk::writeRunDirectory(parser.value("out"), record))
            return failCommand(*error);
    return 0;
}
