#include "settings_table.h"

#include "message_text.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringList>
#include <cmath>
#include <limits>

namespace ntk {
namespace {

constexpr double maxExactJsonInteger = 9007199254740991.0; // 2^53 - 1: larger integers lose digits in JSON

// Keys and values come from the user; they must not break the one-line message or make it huge.
QString quoted(const QString& text) {
    return quotedForMessage(text);
}

std::optional<QString> typeError(const QString& key, const char* expected, const QJsonValue& value) {
    const QString got = value.isString()   ? quoted(value.toString())
                        : value.isBool()   ? QString(value.toBool() ? "true" : "false")
                        : value.isNull()   ? QString("null")
                        : value.isArray()  ? QString("an array")
                        : value.isObject() ? QString("an object")
                                           : QString::number(value.toDouble(), 'g', 17);
    return QString("%1: expected %2, got %3").arg(key, expected, got);
}

std::optional<double> integralValue(const QJsonValue& value, double low, double high) {
    if (!value.isDouble())
        return std::nullopt;
    const double v = value.toDouble();
    if (!std::isfinite(v) || v != std::floor(v) || v < low || v > high)
        return std::nullopt;
    return v;
}

SettingSpec intSetting(const char* key, const char* valueName, const char* help, int RunConfig::*member) {
    SettingSpec spec{key, valueName, help, {}, {}, {}};
    const QString name = key;
    spec.toJson = [member](const RunConfig& c) { return QJsonValue(c.*member); };
    spec.fromJson = [member, name](RunConfig& c, const QJsonValue& v) -> std::optional<QString> {
        const auto value = integralValue(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        if (!value)
            return typeError(name, "an integer", v);
        c.*member = int(*value);
        return std::nullopt;
    };
    spec.fromText = [member, name](RunConfig& c, const QString& text) -> std::optional<QString> {
        bool ok = false;
        const int value = text.trimmed().toInt(&ok);
        if (!ok)
            return QString("--%1: %2 is not an integer").arg(QString(name).replace('_', '-'), quoted(text));
        c.*member = value;
        return std::nullopt;
    };
    return spec;
}

SettingSpec doubleSetting(const char* key, const char* valueName, const char* help,
                          double RunConfig::*member) {
    SettingSpec spec{key, valueName, help, {}, {}, {}};
    const QString name = key;
    spec.toJson = [member](const RunConfig& c) { return QJsonValue(c.*member); };
    spec.fromJson = [member, name](RunConfig& c, const QJsonValue& v) -> std::optional<QString> {
        if (!v.isDouble() || !std::isfinite(v.toDouble()))
            return typeError(name, "a finite number", v);
        c.*member = v.toDouble();
        return std::nullopt;
    };
    spec.fromText = [member, name](RunConfig& c, const QString& text) -> std::optional<QString> {
        bool ok = false;
        const double value = text.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(value))
            return QString("--%1: %2 is not a finite number")
                .arg(QString(name).replace('_', '-'), quoted(text));
        c.*member = value;
        return std::nullopt;
    };
    return spec;
}

SettingSpec boolSetting(const char* key, const char* help, bool RunConfig::*member) {
    SettingSpec spec{key, "true|false", help, {}, {}, {}};
    const QString name = key;
    spec.toJson = [member](const RunConfig& c) { return QJsonValue(c.*member); };
    spec.fromJson = [member, name](RunConfig& c, const QJsonValue& v) -> std::optional<QString> {
        if (!v.isBool())
            return typeError(name, "true or false", v);
        c.*member = v.toBool();
        return std::nullopt;
    };
    spec.fromText = [member, name](RunConfig& c, const QString& text) -> std::optional<QString> {
        const QString t = text.trimmed().toLower();
        if (t == "true" || t == "1" || t == "yes" || t == "on")
            c.*member = true;
        else if (t == "false" || t == "0" || t == "no" || t == "off")
            c.*member = false;
        else
            return QString("--%1: %2 is not true or false")
                .arg(QString(name).replace('_', '-'), quoted(text));
        return std::nullopt;
    };
    return spec;
}

template <class Enum>
SettingSpec enumSetting(const char* key, const char* help, Enum RunConfig::*member,
                        std::optional<Enum> (*parse)(std::string_view)) {
    QStringList names;
    for (Enum value : allValues<Enum>())
        names << QString::fromUtf8(toString(value).data(), qsizetype(toString(value).size()));
    SettingSpec spec{key, names.join('|'), help, {}, {}, {}};
    const QString name = key;
    const QString choices = names.join(", ");
    auto set = [member, parse](RunConfig& c, const QString& text) {
        const QByteArray utf8 = text.trimmed().toLower().toUtf8();
        const auto value = parse(std::string_view(utf8.constData(), std::size_t(utf8.size())));
        if (value)
            c.*member = *value;
        return value.has_value();
    };
    spec.toJson = [member](const RunConfig& c) {
        const std::string_view text = toString(c.*member);
        return QJsonValue(QString::fromUtf8(text.data(), qsizetype(text.size())));
    };
    spec.fromJson = [set, name, choices](RunConfig& c, const QJsonValue& v) -> std::optional<QString> {
        if (!v.isString())
            return typeError(name, "a string", v);
        if (!set(c, v.toString()))
            return QString("%1: unknown value %2 (expected one of %3)")
                .arg(name, quoted(v.toString()), choices);
        return std::nullopt;
    };
    spec.fromText = [set, name, choices](RunConfig& c, const QString& text) -> std::optional<QString> {
        if (!set(c, text))
            return QString("--%1: unknown value %2 (expected one of %3)")
                .arg(QString(name).replace('_', '-'), quoted(text), choices);
        return std::nullopt;
    };
    return spec;
}

SettingSpec pathSetting(const char* key, const char* valueName, const char* help,
                        std::string RunConfig::*member) {
    SettingSpec spec{key, valueName, help, {}, {}, {}};
    const QString name = key;
    spec.toJson = [member](const RunConfig& c) { return QJsonValue(QString::fromStdString(c.*member)); };
    spec.fromJson = [member, name](RunConfig& c, const QJsonValue& v) -> std::optional<QString> {
        if (!v.isString())
            return typeError(name, "a string", v);
        c.*member = v.toString().toStdString();
        return std::nullopt;
    };
    spec.fromText = [member](RunConfig& c, const QString& text) -> std::optional<QString> {
        c.*member = text.toStdString();
        return std::nullopt;
    };
    return spec;
}

SettingSpec seedSetting() {
    SettingSpec spec{"seed", "S", "Seed for the data subsample, the initial weights and the mini-batch order",
                     {},     {},  {}};
    spec.toJson = [](const RunConfig& c) { return QJsonValue(double(c.seed)); };
    spec.fromJson = [](RunConfig& c, const QJsonValue& v) -> std::optional<QString> {
        const auto value = integralValue(v, 0.0, maxExactJsonInteger);
        if (!value)
            return typeError("seed", "an integer from 0 to 2^53-1", v);
        c.seed = std::uint64_t(*value);
        return std::nullopt;
    };
    spec.fromText = [](RunConfig& c, const QString& text) -> std::optional<QString> {
        bool ok = false;
        const qulonglong value = text.trimmed().toULongLong(&ok);
        if (!ok || double(value) > maxExactJsonInteger)
            return QString("--seed: %1 is not an integer from 0 to 2^53-1").arg(quoted(text));
        c.seed = value;
        return std::nullopt;
    };
    return spec;
}

std::vector<SettingSpec> buildTable() {
    using C = RunConfig;
    return {
        enumSetting("dataset",
                    "Data set: Fashion-MNIST or MNIST images, a synthetic 2-D/1-D set, a CSV file, or NumPy "
                    "arrays (npy)",
                    &C::dataset, &parseDatasetKind),
        pathSetting("data", "PATH",
                    "CSV file, directory with IDX files (default: the Debian data package), or directory "
                    "with x_train.npy and y_train.npy (and x_test.npy, y_test.npy: the layout train --out "
                    "writes; a directory with x_train.npy needs no --dataset)",
                    &C::dataPath),
        intSetting("n", "N", "Number of training points (class-balanced subsample): the NTK is n x n",
                   &C::trainSize),
        intSetting("test_n", "N", "Number of held-out test points (0: no test split)", &C::testSize),
        doubleSetting("noise", "X", "Standard deviation of the noise added to synthetic data", &C::noise),
        intSetting("blob_classes", "K", "Number of Gaussian blobs (classes) for the blobs data set",
                   &C::blobClasses),
        enumSetting(
            "scaling",
            "Feature scaling: auto is [0,1] pixels for images, NumPy arrays as given, and standardization "
            "otherwise",
            &C::scaling, &parseScaling),
        intSetting("width", "W", "Units in each hidden layer", &C::width),
        intSetting("depth", "L", "Number of hidden layers", &C::depth),
        enumSetting("activation", "Nonlinearity of the hidden layers", &C::activation, &parseActivation),
        enumSetting("param",
                    "Parameterization: ntk scales by sigma_w/sqrt(fan_in) in the forward pass, standard at "
                    "initialization",
                    &C::parameterization, &parseParameterization),
        doubleSetting("sigma_w", "X", "Weight scale sigma_w (variance sigma_w^2/fan_in)", &C::sigmaW),
        doubleSetting("sigma_b", "X", "Bias scale sigma_b", &C::sigmaB),
        pathSetting(
            "init_from", "DIR",
            "Start from the parameters W<l>.npy and b<l>.npy in DIR (as train --out writes them, or a "
            "network trained elsewhere) instead of the seeded initialization",
            &C::initFrom),
        enumSetting("loss", "Loss: softmax cross-entropy, or mean squared error 1/(2nO) sum (f-y)^2",
                    &C::loss, &parseLossKind),
        enumSetting("optimizer", "gd: full-batch gradient descent; sgd, momentum, adam: mini-batches",
                    &C::optimizer, &parseOptimizerKind),
        intSetting("batch", "B", "Mini-batch size for sgd, momentum and adam", &C::batchSize),
        doubleSetting("lr", "X", "Learning rate (step size)", &C::learningRate),
        doubleSetting("momentum", "X", "Momentum coefficient for the momentum optimizer", &C::momentum),
        intSetting("epochs", "E", "Number of passes over the training set", &C::epochs),
        doubleSetting("l1", "X", "L1 penalty strength: adds l1 * sum |theta| to the loss", &C::l1),
        doubleSetting("l2", "X", "L2 penalty strength: adds l2 * sum theta^2 to the loss", &C::l2),
        doubleSetting("weight_decay", "X",
                      "Decoupled weight decay: theta <- theta - lr * wd * theta after each step",
                      &C::weightDecay),
        enumSetting("l1_mode", "L1 by subgradient, or by the proximal soft-threshold that makes exact zeros",
                    &C::l1Mode, &parseL1Mode),
        boolSetting("penalize_biases", "Whether L1, L2 and weight decay also act on the biases",
                    &C::penalizeBiases),
        intSetting("early_stop", "PATIENCE",
                   "Stop when the test loss has not improved for this many epochs (0: off)",
                   &C::earlyStopPatience),
        boolSetting("restore_best", "After an early stop, go back to the parameters of the best epoch",
                    &C::restoreBest),
        intSetting("ntk_every", "K",
                   "Compute the NTK and its spectrum every K epochs (and at the first and last)",
                   &C::ntkEvery),
        intSetting("top_k", "K", "Only the K largest eigenvalues, by Lanczos (0: the full spectrum)",
                   &C::topK),
        enumSetting(
            "kernel_solver",
            "How NTK epochs solve the kernel: dense (the n x n matrix), matrix-free (its top-k on the "
            "kernel as an operator, memory linear in n), or auto: dense up to 10000 points",
            &C::kernelSolver, &parseKernelSolver),
        intSetting("density_every", "K",
                   "Matrix-free NTK epochs: the eigenvalue density on every K-th of them (epoch 0 is the "
                   "first) and the last (0: never)",
                   &C::densityEvery),
        intSetting(
            "hessian_every", "K",
            "Every K-th epoch and the last: the sharpness (largest eigenvalue of the training "
            "objective's Hessian), its smallest eigenvalue and the Gauss-Newton matrix's largest, by "
            "Lanczos on exact Hessian-vector products; with Adam also the sharpness its preconditioned step "
            "sees (0: never)",
            &C::hessianEvery),
        boolSetting("per_output_blocks", "Also export the kernel of each output separately",
                    &C::perOutputBlocks),
        boolSetting("eigenvectors", "Also compute eigenvectors and the targets' energy in each",
                    &C::eigenvectors),
        enumSetting("kernel_precision",
                    "Precision of the kernel's products: single is about twice as fast and moves each "
                    "eigenvalue by about 1e-7 x lambda_max; the spectrum is solved in double either way",
                    &C::kernelPrecision, &parseKernelPrecision),
        seedSetting(),
    };
}

} // namespace

const std::vector<SettingSpec>& settingsTable() {
    static const std::vector<SettingSpec> table = buildTable();
    return table;
}

const SettingSpec* findSetting(const QString& key) {
    for (const SettingSpec& spec : settingsTable())
        if (spec.key == key)
            return &spec;
    return nullptr;
}

QJsonObject configToJson(const RunConfig& config) {
    QJsonObject json;
    json["format"] = "ntkviz-config";
    json["version"] = configFormatVersion;
    for (const SettingSpec& spec : settingsTable())
        json[spec.key] = spec.toJson(config);
    return json;
}

std::optional<QString> applyJson(const QJsonObject& json, RunConfig& config, const QString& source) {
    // `source` is a file name the user chose; the guard keeps even that from breaking the line.
    const auto refuse = [&source](const QString& problem) -> std::optional<QString> {
        return singleLineMessage(source.isEmpty() ? problem : source + ": " + problem);
    };
    if (json.contains("version")) {
        const QJsonValue version = json["version"];
        if (!version.isDouble() || version.toDouble() != std::floor(version.toDouble()) ||
            version.toDouble() < 1)
            return refuse(*typeError("version", "a positive integer", version));
        if (version.toInt() > configFormatVersion)
            return refuse(QString("version %1 is newer than this program understands (%2); update ntkviz")
                              .arg(version.toInt())
                              .arg(configFormatVersion));
    }
    RunConfig updated = config;
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (it.key() == "format" || it.key() == "version")
            continue;
        const SettingSpec* spec = findSetting(it.key());
        if (!spec)
            return refuse(QString("unknown key %1").arg(quoted(it.key())));
        if (auto error = spec->fromJson(updated, it.value()))
            return refuse(*error);
    }
    if (auto problem = validate(updated))
        return refuse(QString::fromStdString(*problem));
    config = updated;
    return std::nullopt;
}

std::optional<RunConfig> loadConfigFile(const QString& path, QString& error, const RunConfig& base) {
    const auto refuse = [&path, &error](const QString& problem) -> std::optional<RunConfig> {
        error = singleLineMessage(path + ": " + problem);
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return refuse(file.errorString());
    constexpr qint64 maxConfigBytes = 1 << 20;
    if (file.size() > maxConfigBytes)
        return refuse("larger than 1 MiB, not a config file");
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return refuse(
            QString("offset %1: %2").arg(QString::number(parseError.offset), parseError.errorString()));
    if (!document.isObject())
        return refuse("expected a JSON object");
    RunConfig config = base;
    if (auto problem = applyJson(document.object(), config, path)) {
        error = *problem;
        return std::nullopt;
    }
    return config;
}

QByteArray configFileBytes(const RunConfig& config) {
    return QJsonDocument(configToJson(config)).toJson(QJsonDocument::Indented);
}

} // namespace ntk
