#pragma once
// One table of every RunConfig setting: its key (the JSON key, and with '_' as '-' the command-line flag),
// a one-sentence explanation (used for --help and tooltips), and conversions to and from text and JSON.
// Keeping them in one place means a new setting cannot reach the CLI without reaching config.json too.
#include "config.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <functional>
#include <optional>
#include <vector>

namespace ntk {

struct SettingSpec {
    QString key;       // JSON key, e.g. "test_n"
    QString valueName; // for --help, e.g. "N"
    QString help;
    std::function<QJsonValue(const RunConfig&)> toJson;
    // Both return an error text naming the setting and the value, or nullopt on success.
    std::function<std::optional<QString>(RunConfig&, const QJsonValue&)> fromJson;
    std::function<std::optional<QString>(RunConfig&, const QString&)> fromText;

    QString flag() const { return QString(key).replace('_', '-'); }
};

const std::vector<SettingSpec>& settingsTable();
const SettingSpec* findSetting(const QString& key);

inline constexpr int configFormatVersion = 1;

QJsonObject configToJson(const RunConfig& config);
// Strict: unknown keys, wrong types, newer format versions and out-of-range values are errors. Keys that
// are absent keep the value they had in `config`. The error names `source` (a file name) and the key.
std::optional<QString> applyJson(const QJsonObject& json, RunConfig& config, const QString& source);
// Reads a config file; on error returns nullopt and sets `error`.
std::optional<RunConfig> loadConfigFile(const QString& path, QString& error, const RunConfig& base = {});
QByteArray configFileBytes(const RunConfig& config);

} // namespace ntk
