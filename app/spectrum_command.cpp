#include "spectrum_command.h"

#include "message_text.h"
#include "network_spectrum.h"
#include "run_failure.h"
#include "settings_cli.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace {

int fail(const QString& message) {
    QTextStream(stderr) << "ntkviz-cli: " << ntk::singleLineMessage(message) << Qt::endl;
    return 2;
}

// A whole number or a positive real from an option, or an error naming the option and the value.
std::optional<QString> readNumber(const QCommandLineParser& parser, const QString& name, int& value) {
    if (!parser.isSet(name))
        return std::nullopt;
    bool ok = false;
    value = parser.value(name).toInt(&ok);
    if (!ok)
        return "--" + name + ": " + ntk::quotedForMessage(parser.value(name)) + " is not a whole number";
    return std::nullopt;
}

} // namespace

int runSpectrumCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("The NTK spectrum of a network at initialization (the one train would "
                                     "start from), without training.");
    parser.addHelpOption();
    parser.addOption({"method",
                      "auto (dense up to 4000 points, else lanczos), dense, lanczos (the --top-k eigenpairs, "
                      "default 32, of the matrix-free kernel) or slq (the eigenvalue density by stochastic "
                      "Lanczos quadrature).",
                      "METHOD", "auto"});
    parser.addOption({"tolerance", "Relative tolerance of lanczos (default 1e-10).", "T"});
    parser.addOption({"probes", "Random probes for slq (default 16).", "P"});
    parser.addOption({"steps", "Lanczos steps per probe for slq (default 64).", "M"});
    parser.addOption({"out", "Write eigenvalues.csv, density.csv and summary.json to DIR.", "DIR"});
    ntk::addSettingOptions(parser);
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet("help") || parser.isSet("help-all")) {
        parser.process(arguments);
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return fail("unexpected argument " + ntk::quotedForMessage(parser.positionalArguments().first()));
    ntk::NetworkSpectrumRequest request;
    if (auto error = ntk::applySettingOptions(parser, request.config))
        return fail(*error);
    const auto method = ntk::parseSpectrumMethod(parser.value("method"));
    if (!method)
        return fail("--method: " + ntk::quotedForMessage(parser.value("method")) +
                    " (expected auto, dense, lanczos or slq)");
    request.method = *method;
    // --top-k is a setting option (the run's top-k eigenvalues): here the eigenpairs to compute.
    if (request.config.topK > 0)
        request.topK = request.config.topK;
    for (const auto& [name, value] :
         {std::pair<QString, int*>{"probes", &request.probes}, {"steps", &request.steps}})
        if (auto error = readNumber(parser, name, *value))
            return fail(*error);
    if (parser.isSet("tolerance")) {
        bool ok = false;
        request.tolerance = parser.value("tolerance").toDouble(&ok);
        if (!ok || !(request.tolerance > 0) || request.tolerance >= 1)
            return fail("--tolerance: " + ntk::quotedForMessage(parser.value("tolerance")) +
                        " (expected a number between 0 and 1)");
    }
    if (request.probes < 2 || request.steps < 1)
        return fail(QString("--probes %1 --steps %2 (slq needs at least 2 probes and 1 step)")
                        .arg(request.probes)
                        .arg(request.steps));
    ntk::NetworkSpectrum spectrum;
    try {
        spectrum = ntk::computeNetworkSpectrum(request);
    } catch (...) {
        return fail(ntk::failureMessage(std::current_exception()).value_or("cancelled"));
    }
    QTextStream err(stderr);
    err << "n " << spectrum.points << ", " << ntk::spectrumMethodName(spectrum.method) << " ("
        << spectrum.methodReason << "), exact trace " << spectrum.exactTrace;
    if (spectrum.eigenvalues.size() > 0)
        err << ", lambda_max " << spectrum.eigenvalues(0);
    if (spectrum.density)
        err << ", trace estimate " << spectrum.density->traceEstimate << " +- "
            << spectrum.density->traceStandardError;
    err << ", " << spectrum.seconds << " s" << Qt::endl;
    if (parser.isSet("out"))
        if (auto error = ntk::writeNetworkSpectrum(parser.value("out"), request, spectrum))
            return fail(*error);
    return 0;
}
