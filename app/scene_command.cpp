#include "scene_command.h"

#include "atomic_write.h"
#include "command_line.h"
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
    if (const auto exit = parseCommandLine(parser, arguments, true))
        return *exit;
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
        return failCommand(
            "scene: give exactly one scene name or file (ntkviz-cli scene --list shows the built-in ones)");
    if (!parser.isSet("out"))
        return failCommand("scene: --out DIR is required");
    QString error;
    const auto scene = ntk::findScene(parser.positionalArguments().first(), error);
    if (!scene)
        return failCommand(error);
    int shard = 0, shards = 1;
    if (parser.isSet("shard")) {
        const auto match = QRegularExpression("^(\\d+)/(\\d+)$").match(parser.value("shard"));
        shard = match.captured(1).toInt();
        shards = match.captured(2).toInt();
        if (!match.hasMatch() || shards < 1 || shard >= shards)
            return failCommand("--shard: " + ntk::quotedForMessage(parser.value("shard")) +
                               " is not i/N with 0 <= i < N");
    }
    int threads = QThread::idealThreadCount();
    if (parser.isSet("threads")) {
        bool ok = false;
        threads = parser.value("threads").toInt(&ok);
        if (!ok || threads < 1 || threads > 256)
            return failCommand("--threads: " + ntk::quotedForMessage(parser.value("threads")) +
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
        return failCommand(*problem);
    for (const auto& result : results)
        if (!result.error().isEmpty())
            return failCommand(ntk::quotedForMessage(result.label) + ": " + result.error());
    return 0;
}

int runMergeCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Merge the output directories of scene shards into one.");
    parser.addHelpOption();
    parser.addPositionalArgument("dirs", "Shard output directories.", "DIR...");
    parser.addOption({"out", "Merged output directory.", "DIR"});
    if (const auto exit = parseCommandLine(parser, arguments, true))
        return *exit;
    const QStringList inputs = parser.positionalArguments();
    if (inputs.isEmpty() || !parser.isSet("out"))
        return failCommand("merge: give the shard directories and --out DIR");
    QByteArray sceneJson;
    for (const QString& name : {QString("runs.csv"), QString("epochs.csv"), QString("spectra.csv")}) {
        QString header;
        std::multimap<int, QString> rows; // by run index, so the merged file reads as one run would
        for (const QString& dir : inputs) {
            QFile file(QDir(dir).filePath(name));
            if (!file.open(QIODevice::ReadOnly))
                return failCommand(file.fileName() + ": " + file.errorString());
            const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
            if (lines.isEmpty())
                continue;
            if (header.isEmpty())
                header = lines.first();
            else if (lines.first() != header && lines.size() > 1)
                return failCommand(file.fileName() +
                                   ":1: header differs from the other shards (different scenes?)");
            for (qsizetype i = 1; i < lines.size(); ++i) {
                bool ok = false;
                const int index = lines[i].section(',', 0, 0).toInt(&ok);
                if (!ok)
                    return failCommand(
                        QString("%1:%2: run_index is not a number").arg(file.fileName()).arg(i + 1));
                rows.emplace(index, lines[i]);
            }
        }
        QStringList merged{header};
        for (const auto& [index, line] : rows)
            merged << line;
        if (!QDir().mkpath(parser.value("out")))
            return failCommand(parser.value("out") + ": cannot create the output directory");
        if (auto error = ntk::writeFileAtomically(QDir(parser.value("out")).filePath(name),
                                                  (merged.join('\n') + '\n').toUtf8()))
            return failCommand(*error);
    }
    QFile scene(QDir(inputs.first()).filePath("scene.json"));
    if (scene.open(QIODevice::ReadOnly))
        if (auto error =
                ntk::writeFileAtomically(QDir(parser.value("out")).filePath("scene.json"), scene.readAll()))
            return failCommand(*error);
    return 0;
}
