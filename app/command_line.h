#pragma once
// What every ntkviz-cli command does with its command line before its own work.
#include <QCommandLineParser>
#include <QString>
#include <optional>

// "ntkviz-cli: MESSAGE" on one line of stderr; returns 2, the exit code of bad input.
int failCommand(const QString& message);

// Parses `arguments`: nullopt when the command should go on, or its exit code: 0 after printing --help
// (or --help-all), 2 after a one-line error (an unknown option, a missing value, or a positional argument
// where `positionalAllowed` is false).
std::optional<int> parseCommandLine(QCommandLineParser& parser, const QStringList& arguments,
                                    bool positionalAllowed = false);
