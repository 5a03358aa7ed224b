#pragma once
// The setting flags shared by ntkviz-cli and the ntkviz app: --config FILE plus one flag per setting.
#include "config.h"

#include <QCommandLineParser>
#include <optional>

namespace ntk {

void addSettingOptions(QCommandLineParser& parser);
// Applies --config then the flags on top of `config`, and validates the result. Returns the error line.
std::optional<QString> applySettingOptions(const QCommandLineParser& parser, RunConfig& config);
// The shortest `ntkviz-cli train ...` command line that reproduces `config` (flags for non-defaults only).
QString commandLineFor(const RunConfig& config);

} // namespace ntk
