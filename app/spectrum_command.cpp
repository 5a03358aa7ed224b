#include "spectrum_command.h"

#include "command_line.h"
#include "message_text.h"
#include "network_spectrum.h"
#include "run_failure.h"
#include "settings_cli.h"
#include "settings_table.h"

#include <QDir>
#include <QFileInfo>
#include <QTextStream>

namespace {

// A whole number from an option, or an error naming the option and the value.
std::optional<QString> readNumber(const QCommandLineParser& parser, const QString& name, int& value) {
    if (!parser.isSet(name))
        return std::nullopt;
    bool ok = false;
    value = parser.value(name).toInt(&ok);
    if (!ok)
        return "--" + name + ": " + ntk::quotedForMessage(parser.value(name)) + " is not a whole number";
    return std::nullopt;
}

// The request the flags describe, or the one-line error.
std::variant<ntk::NetworkSpectrumRequest, QString> requestFrom(const QCommandLineParser& parser) {
    ntk::NetworkSpectrumRequest request;
    if (parser.isSet("weights")) {
        // A train --out directory: its parameters, and (unless --config says otherwise) its settings, so
        // the very same training points; flags given as well override them.
        const QString dir = parser.value("weights");
        if (!QFileInfo(dir).isDir())
            return "--weights: " + ntk::quotedForMessage(dir) + " is not a directory";
        const QString config = QDir(dir).filePath("config.json");
        if (!parser.isSet("config") && QFileInfo::exists(config)) {
            QString error;
            const auto loaded = ntk::loadConfigFile(config, error);
            if (!loaded)
                return error;
            request.config = *loaded;
        }
    }
    if (auto error = ntk::applySettingOptions(parser, request.config))
        return *error;
    if (parser.isSet("weights"))
        request.config.initFrom = parser.value("weights").toStdString();
    const auto method = ntk::parseSpectrumMethod(parser.value("method"));
    if (!method)
        return "--method: " + ntk::quotedForMessage(parser.value("method")) +
               " (expected auto, dense, lanczos or slq)";
    request.method = *method;
    // --top-k is a setting option (the run's top-k eigenvalues): here the eigenpairs to compute.
    if (request.config.topK > 0)
        request.topK = request.config.topK;
    for (const auto& [name, value] :
         {std::pair<QString, int*>{"probes", &request.probes}, {"steps", &request.steps}})
        if (auto error = readNumber(parser, name, *value))
            return *error;
    if (parser.isSet("tolerance")) {
        bool ok = false;
        request.tolerance = parser.value("tolerance").toDouble(&ok);
        if (!ok || !(request.tolerance > 0) || request.tolerance >= 1)
            return "--tolerance: " + ntk::quotedForMessage(parser.value("tolerance")) +
                   " (expected a number between 0 and 1)";
    }
    if (request.probes < 2 || request.steps < 1)
        return QString("--probes %1 --steps %2 (slq needs at least 2 probes and 1 step)")
            .arg(request.probes)
            .arg(request.steps);
    request.perLayer = parser.isSet("per-layer");
    return request;
}

} // namespace

int runSpectrumCommand(const QStringList& arguments, const ntk::MpiSession& mpi) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "The NTK spectrum of a network without training: at initialization (the network train would start "
        "from), or with the parameters of --weights. Under mpirun (or srun) the processes split the training "
        "points.");
    parser.addHelpOption();
    parser.addOption(
        {"method",
         "auto (dense or lanczos, whichever a trial on this machine says is faster and fits in "
         "memory; lanczos across processes), dense, lanczos (the --top-k eigenpairs, default 32, "
         "of the matrix-free kernel) or slq (the eigenvalue density by stochastic Lanczos "
         "quadrature).",
         "METHOD", "auto"});
    parser.addOption({"tolerance", "Relative tolerance of lanczos (default 1e-10).", "T"});
    parser.addOption({"probes", "Random probes for slq (default 16).", "P"});
    parser.addOption({"steps", "Lanczos steps per probe for slq (default 64).", "M"});
    parser.addOption({"weights",
                      "Use the parameters W<l>.npy, b<l>.npy of DIR (a train --out directory, whose "
                      "config.json then gives the settings unless flags or --config say otherwise).",
                      "DIR"});
    parser.addOption({"per-layer", "Also each layer's share of the trace and its own top eigenvalues."});
    parser.addOption({"out",
                      "Write eigenvalues.csv, density.csv, per_layer.csv, class_loadings.csv and "
                      "summary.json to DIR.",
                      "DIR"});
    ntk::addSettingOptions(parser);
    const bool first = mpi.rank() == 0; // the one process that speaks and writes
    // Bad input (flags, files, a request that cannot be met) is met alike by every process at the same
    // point, so all stop there, and only the first says why.
    const auto stop = [&](const QString& message) { return first ? failCommand(message) : 2; };
    if (const auto exit = parseCommandLine(parser, arguments))
        return *exit;
    auto parsed = requestFrom(parser);
    if (const QString* error = std::get_if<QString>(&parsed))
        return stop(*error);
    const auto& request = std::get<ntk::NetworkSpectrumRequest>(parsed);
    ntk::NetworkSpectrum spectrum;
    try {
        spectrum = ntk::computeNetworkSpectrum(request, mpi.group());
    } catch (...) {
        return stop(ntk::failureMessage(std::current_exception()).value_or("cancelled"));
    }
    if (!first)
        return 0;
    QTextStream err(stderr);
    err << "n " << spectrum.points;
    if (spectrum.processes > 1)
        err << " on " << spectrum.processes << " processes";
    err << ", " << ntk::spectrumMethodName(spectrum.method) << " (" << spectrum.methodReason
        << "), exact trace " << spectrum.exactTrace;
    if (spectrum.eigenvalues.size() > 0)
        err << ", lambda_max " << spectrum.eigenvalues(0);
    if (spectrum.density)
        err << ", trace estimate " << spectrum.density->traceEstimate << " +- "
            << spectrum.density->traceStandardError;
    err << ", " << spectrum.products << " products, " << spectrum.seconds << " s" << Qt::endl;
    if (parser.isSet("out"))
        if (auto error = ntk::writeNetworkSpectrum(parser.value("out"), request, spectrum))
            return failCommand(*error);
    return 0;
}
