// Killed while saving: a helper writes a session, a CSV and a .npy file in a loop (through the writer the
// app and the CLI use) and is killed with SIGKILL at random moments, 20 times. Each time every file must
// be absent or whole and valid, and no partial file may be anywhere in the folder.
#include "npy.h"
#include "session.h"

#include <QtTest>

#include <cmath>
#include <csignal>
#include <random>

using namespace ntk;

namespace {

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A complete epochs.csv: a header, then rows 0, 1, 2, ... each with the header's field count, and a final
// newline (the writer ends every row with one).
QString csvProblem(const QByteArray& bytes) {
    if (!bytes.endsWith('\n'))
        return "does not end with a newline";
    const QList<QByteArray> lines = bytes.chopped(1).split('\n');
    if (lines.size() < 2)
        return "no data rows";
    const qsizetype fields = lines[0].count(',') + 1;
    // The helper writes 1 + (round * 7) % 400 rows in a round, and the train loss of row 0 is 1 / (1 +
    // round).
    const long long round = std::llround(1.0 / lines.value(1).split(',').value(1).toDouble() - 1.0);
    if (lines.size() - 1 != 1 + (round * 7) % 400)
        return QString("%1 rows where round %2 wrote %3")
            .arg(lines.size() - 1)
            .arg(round)
            .arg(1 + (round * 7) % 400);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines[i].count(',') + 1 != fields)
            return QString("row %1 has a different field count").arg(i);
        if (lines[i].split(',').value(0) != QByteArray::number(i - 1))
            return QString("row %1 does not hold epoch %2").arg(i).arg(i - 1);
    }
    return {};
}

QString npyProblem(const QByteArray& bytes) {
    try {
        const NpyArray array = decodeNpy(bytes.toStdString(), "kernel.npy");
        if (array.shape.size() != 2 || array.shape[0] != array.shape[1])
            return "not a square matrix";
        const std::size_t n = array.shape[0];
        const double first = array.data.front();
        if (array.data.back() != first + double(2 * (n - 1)))
            return "its last value does not belong to the same round as its first";
    } catch (const std::exception& error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

} // namespace

class KillDuringSaveTest : public QObject {
    Q_OBJECT
private slots:
    void killedWriterLeavesOnlyWholeFiles() {
        QTemporaryDir dir;
        std::mt19937 random(std::random_device{}());
        std::uniform_int_distribution<int> delayMs(0, 150);
        const QStringList targets{"epochs.csv", "kernel.npy", "session.json"};
        int totalLeftovers = 0;
        for (int kill = 0; kill < 20; ++kill) {
            QProcess writer;
            writer.start(NTKVIZ_SAVE_LOOP_PATH, {dir.path()});
            QVERIFY(writer.waitForStarted(30000));
            if (kill % 2 == 0) // half the kills come only once every file exists, half at any moment
                QVERIFY(writer.waitForReadyRead(60000));
            QTest::qSleep(delayMs(random));
            ::kill(pid_t(writer.processId()), SIGKILL);
            QVERIFY(writer.waitForFinished(30000));
            QCOMPARE(writer.exitStatus(), QProcess::CrashExit);

            // Besides the targets, only the complete copy a kill can catch between naming and renaming
            // (".NAME.ntkviz-PID-RANDOM", removed by the next write of NAME) may be there, and it too
            // must be whole.
            const QString context = QString("kill %1: ").arg(kill);
            const QStringList present = QDir(dir.path()).entryList(QDir::Files | QDir::Hidden, QDir::Name);
            int leftovers = 0;
            for (const QString& name : present) {
                const QString path = dir.filePath(name);
                QString target;
                for (const QString& t : targets)
                    if (name == t || name.startsWith("." + t + ".ntkviz-"))
                        target = t;
                QVERIFY2(!target.isEmpty(), qPrintable(context + "stray file " + name));
                leftovers += name != target;
                if (target == "session.json") {
                    QString error;
                    QVERIFY2(parseSession(readAll(path), name, error), qPrintable(context + error));
                } else if (target == "epochs.csv") {
                    const QString problem = csvProblem(readAll(path));
                    QVERIFY2(problem.isEmpty(), qPrintable(context + name + ": " + problem));
                } else {
                    const QString problem = npyProblem(readAll(path));
                    QVERIFY2(problem.isEmpty(), qPrintable(context + name + ": " + problem));
                }
            }
            // Each write cleans up after the writer killed before it, so leftovers cannot pile up.
            QVERIFY2(leftovers <= int(targets.size()), qPrintable(context + present.join(", ")));
            totalLeftovers += leftovers;
        }
        qInfo("%d whole leftover copies seen over 20 kills", totalLeftovers);
    }
};

QTEST_GUILESS_MAIN(KillDuringSaveTest)
#include "test_kill_during_save.moc"
