#include "scene_command.h"

#include "atomic_write.h"
#include "message_text.h"
#include "scene_summary.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextStream>
#include <QThread>
#include <map>

namespace {

int fail(const QString& message) {
    QTextStream(stderr) << "ntkviz-cli: " << ntk::singleLineMessage(message) << Qt::endl;
    return 2;
}

} // namespace

int runSceneCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Run every run of a scene (a built-in name or a scene JSON file) and write "
        "runs.csv, epochs.csv and spectra.csv.");
    parser.addHelpOption();
    parser.addPositionalArgument("scene", "Built-in scene name (e.g. 01-l2-spectrum) or a scene .json file.");
    parser.addOption({"out", "Output directory.", "DIR"});
    parser.addOption({"shard", "Run only shard i of N (0 <= i < N): runs whose index mod N is i.", "i/N"});
    parser.addOption({"threads", "Runs in parallel (default: the number of cores).", "T"});
    parser.addOption({"list", "List the built-in scenes and exit."});
    parser.addOption({"quiet", "No progress lines on stderr."});
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    // --help, and --help-all with Qt's own options as well: the parser prints them and exits 0.
    if (parser.isSet("help") || parser.isSet("help-all")) {
        parser.process(arguments);
        return 0;
    }
    if (parser.isSet("list")) {
        for (const QString& path : ntk::builtinScenePaths()) {
            QString error;
            if (const auto scene = ntk::loadScene(path, error))
                QTextStream(stdout) << QFileInfo(path).completeBaseName() << "\t" << scene->name << "\t"
                                    << scene->runs.size() << " runs\n";
        }
        return 0;
    }
    if (parser.positionalArguments().size() != 1)
        return fail(
            "scene: give exactly one scene name or file (ntkviz-cli scene --list shows the built-in ones)");
    if (!parser.isSet("out"))
        return fail("scene: --out DIR is required");
    QString error;
    const auto scene = ntk::findScene(parser.positionalArguments().first(), error);
    if (!scene)
        return fail(error);
    int shard = 0, shards = 1;
    if (parser.isSet("shard")) {
        const auto match = QRegularExpression("^(\\d+)/(\\d+)$").match(parser.value("shard"));
        shard = match.captured(1).toInt();
        shards = match.captured(2).toInt();
        if (!match.hasMatch() || shards < 1 || shard >= shards)
            return fail("--shard: " + ntk::quotedForMessage(parser.value("shard")) +
                        " is not i/N with 0 <= i < N");
    }
    int threads = QThread::idealThreadCount();
    if (parser.isSet("threads")) {
        bool ok = false;
        threads = parser.value("threads").toInt(&ok);
        if (!ok || threads < 1 || threads > 256)
            return fail("--threads: " + ntk::quotedForMessage(parser.value("threads")) +
                        " is not a number from 1 to 256");
    }
    std::vector<std::pair<int, ntk::SceneRun>> selected;
    for (int i = 0; i < int(scene->runs.size()); ++i)
        if (i % shards == shard)
            selected.emplace_back(i, scene->runs[i]);
    const bool quiet = parser.isSet("quiet");
    const auto results = ntk::runSceneRuns(selected, threads, [&](const ntk::RunResult& run, int done) {
        if (!quiet)
            QTextStream(stderr) << QString("[%1/%2] %3: %4")
                                       .arg(done)
                                       .arg(selected.size())
                                       .arg(run.label, run.error().isEmpty() ? run.status() : run.error())
                                << Qt::endl;
    });
    if (auto problem = ntk::writeSceneDirectory(parser.value("out"), *scene, results))
        return fail(*problem);
    for (const auto& result : results)
        if (!result.error().isEmpty())
            return fail(ntk::quotedForMessage(result.label) + ": " + result.error());
    return 0;
}

int runMergeCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Merge the output directories of scene shards into one.");
    parser.addHelpOption();
    parser.addPositionalArgument("dirs", "Shard output directories.", "DIR...");
    parser.addOption({"out", "Merged output directory.", "DIR"});
    if (!parser.parse(arguments))
        return fail(parser.errorText());
    // --help, and --help-all with Qt's own options as well: the parser prints them and exits 0.
    if (parser.isSet("help") || parser.isSet("help-all")) {
        parser.process(arguments);
        return 0;
    }
    const QStringList inputs = parser.positionalArguments();
    if (inputs.isEmpty() || !parser.isSet("out"))
        return fail("merge: give the shard directories and --out DIR");
    QByteArray sceneJson;
    for (const QString& name : {QString("runs.csv"), QString("epochs.csv"), QString("spectra.csv")}) {
        QString header;
        std::multimap<int, QString> rows; // by run index, so the merged file reads as one run would
        for (const QString& dir : inputs) {
            QFile file(QDir(dir).filePath(name));
            if (!file.open(QIODevice::ReadOnly))
                return fail(file.fileName() + ": " + file.errorString());
            const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
            if (lines.isEmpty())
                continue;
            if (header.isEmpty())
                header = lines.first();
            else if (lines.first() != header && lines.size() > 1)
                return fail(file.fileName() + ":1: header differs from the other shards (different scenes?)");
            for (qsizetype i = 1; i < lines.size(); ++i) {
                bool ok = false;
                const int index = lines[i].section(',', 0, 0).toInt(&ok);
                if (!ok)
                    return fail(QString("%1:%2: run_index is not a number").arg(file.fileName()).arg(i + 1));
                rows.emplace(index, lines[i]);
            }
        }
        QStringList merged{header};
        for (const auto& [index, line] : rows)
            merged << line;
        if (!QDir().mkpath(parser.value("out")))
            return fail(parser.value("out") + ": cannot create the output directory");
        if (auto error = ntk::writeFileAtomically(QDir(parser.value("out")).filePath(name),
                                                  (merged.join('\n') + '\n').toUtf8()))
            return fail(*error);
    }
    QFile scene(QDir(inputs.first()).filePath("scene.json"));
    if (scene.open(QIODevice::ReadOnly))
        if (auto error =
                ntk::writeFileAtomically(QDir(parser.value("out")).filePath("scene.json"), scene.readAll()))
            return fail(*error);
    return 0;
}
