#include "settings_cli.h"

#include "message_text.h"
#include "settings_table.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace ntk {

void addSettingOptions(QCommandLineParser& parser) {
    parser.addOption(
        {"config", "Read settings from a JSON file (flags given as well override it).", "FILE.json"});
    for (const SettingSpec& spec : settingsTable())
        parser.addOption({spec.flag(), spec.help, spec.valueName});
}

std::optional<QString> applySettingOptions(const QCommandLineParser& parser, RunConfig& config) {
    RunConfig updated = config;
    if (parser.isSet("config")) {
        QString error;
        const auto loaded = loadConfigFile(parser.value("config"), error, updated);
        if (!loaded)
            return error;
        updated = *loaded;
    }
    for (const SettingSpec& spec : settingsTable())
        if (parser.isSet(spec.flag()))
            if (auto error = spec.fromText(updated, parser.value(spec.flag())))
                return singleLineMessage(*error);
    // A directory of NumPy arrays says what it is: --data DIR with DIR/x_train.npy needs no --dataset.
    if (parser.isSet("data") && !parser.isSet("dataset") && QFileInfo(parser.value("data")).isDir() &&
        QFileInfo::exists(QDir(parser.value("data")).filePath("x_train.npy")))
        updated.dataset = DatasetKind::Npy;
    if (auto problem = validate(updated))
        return QString::fromStdString(*problem);
    config = updated;
    return std::nullopt;
}

QString commandLineFor(const RunConfig& config) {
    const RunConfig defaults;
    QStringList parts{"ntkviz-cli", "train"};
    for (const SettingSpec& spec : settingsTable()) {
        const QJsonValue value = spec.toJson(config);
        if (value == spec.toJson(defaults))
            continue;
        QString text = value.isBool()     ? QString(value.toBool() ? "true" : "false")
                       : value.isString() ? value.toString()
                                          : QString::number(value.toDouble(), 'g', 17);
        if (text.isEmpty() || text.contains(QRegularExpression("[\\s'\"$`\\\\]")))
            text = "'" + text.replace("'", "'\\''") + "'";
        parts << "--" + spec.flag() << text;
    }
    return parts.join(' ');
}

} // namespace ntk
