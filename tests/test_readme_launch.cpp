// The README's Quick start, end to end: its first command must open the window. The test reads that
// command from README.md, runs it as a user would (under Xvfb at 1366x768, in a fresh home), and waits
// until a window titled "ntkviz" is mapped and its screenshot is not blank. It also checks the one-line
// message of the app when there is no display at all.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString sourceDir = NTKVIZ_SOURCE_DIR;

// The first line of the first ```sh block under "## Quick start", without its comment.
QString quickStartCommand(int index) {
    QFile readme(sourceDir + "/README.md");
    if (!readme.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(readme.readAll());
    const qsizetype section = text.indexOf("## Quick start");
    const qsizetype block = text.indexOf("```sh\n", section);
    const qsizetype end = text.indexOf("```", block + 6);
    if (section < 0 || block < 0 || end < 0)
        return {};
    const QStringList lines = text.mid(block + 6, end - block - 6).split('\n', Qt::SkipEmptyParts);
    return index < lines.size() ? lines[index].section('#', 0, 0).trimmed() : QString();
}

} // namespace

class TestReadmeLaunch : public QObject {
    Q_OBJECT
private slots:
    void quickStartHasTwoCommands() {
        QCOMPARE(quickStartCommand(0), QString("bash scripts/run.sh"));
        QCOMPARE(quickStartCommand(1), QString("bash scripts/test.sh"));
        QCOMPARE(quickStartCommand(2), QString());
    }

    void firstCommandOpensTheWindow() {
        const QString command = quickStartCommand(0);
        QVERIFY(!command.isEmpty());
        QTemporaryDir home;
        QVERIFY(home.isValid());
        // Run the command in the background, then poll for its window; the screenshot must show content.
        const QString shot = home.filePath("window.png");
        const QString script = QString(R"(
cd '%1'
%2 > '%3/app.log' 2>&1 &
app=$!
for i in $(seq 1 1200); do
  if id=$(xdotool search --onlyvisible --name '^ntkviz' 2>/dev/null | head -1) && [ -n "$id" ]; then
    sleep 3  # the first frames are drawn
    import -window root '%4'
    kill $app; wait $app 2>/dev/null
    echo "window $id"
    exit 0
  fi
  if ! kill -0 $app 2>/dev/null; then echo "the command ended without a window"; cat '%3/app.log'; exit 1; fi
  sleep 0.5
done
kill $app; echo "no window after 10 minutes"; cat '%3/app.log'; exit 1
)")
                                   .arg(sourceDir, command, home.path(), shot);
        QProcess run;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("QT_QPA_PLATFORM"); // a real X server, as on a desktop
        env.insert("XDG_CONFIG_HOME", home.filePath("config"));
        env.insert("XDG_DATA_HOME", home.filePath("data"));
        run.setProcessEnvironment(env);
        run.setProcessChannelMode(QProcess::MergedChannels);
        run.start("xvfb-run", {"-a", "-s", "-screen 0 1366x768x24", "bash", "-c", script});
        QVERIFY2(run.waitForStarted(), "xvfb-run is missing (scripts/install-deps.sh --test installs it)");
        QVERIFY(run.waitForFinished(12 * 60 * 1000));
        const QString output = QString::fromUtf8(run.readAll());
        QVERIFY2(run.exitCode() == 0, qPrintable(output));
        QVERIFY2(output.contains("window "), qPrintable(output));
        // Not a blank screen: the window's plots and controls vary the pixels.
        QProcess stats;
        stats.start("identify", {"-format", "%[fx:standard_deviation]", shot});
        QVERIFY(stats.waitForFinished(30000));
        const double deviation = QString::fromUtf8(stats.readAll()).toDouble();
        QVERIFY2(deviation > 0.05, qPrintable(QString("screenshot is nearly uniform: %1").arg(deviation)));
    }

    void withoutDisplayTheAppSaysSoInOneLine() {
        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");
        env.remove("WAYLAND_DISPLAY");
        env.remove("QT_QPA_PLATFORM");
        app.setProcessEnvironment(env);
        app.start(NTKVIZ_GUI_PATH, {});
        QVERIFY(app.waitForFinished(30000));
        QCOMPARE(app.exitCode(), 2);
        const QString message = QString::fromUtf8(app.readAllStandardError()).trimmed();
        QVERIFY2(!message.contains('\n'), qPrintable(message));
        QVERIFY2(message.contains("no display") && message.contains("ntkviz-cli") &&
                     message.contains("--export-figures"),
                 qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestReadmeLaunch)
#include "test_readme_launch.moc"
