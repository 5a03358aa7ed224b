// Lectures: the built-in ones load and every step resolves; a broken lecture file is refused in one line
// naming the file and the step; in the real window PageDown/PageUp step through from wherever the focus
// is (a slider, a value box, the presenter's window), each step starts its run or opens its scene, the
// presenter window shows the note, and pressing past either end changes nothing.
#include "control_panel.h"
#include "lecture.h"
#include "lecture_banner.h"
#include "main_window.h"
#include "presenter_notes.h"
#include "scene_view.h"
#include "settings_table.h"

#include <QAbstractSlider>
#include <QDockWidget>
#include <QProcess>
#include <QStyleOptionTab>
#include <QTabBar>
#include <QtTest>

using namespace ntk;

namespace {

// Small and fast: the window tests start many runs.
QJsonObject quickSettings(int width) {
    return {{"dataset", "moons"}, {"n", 40}, {"test_n", 20}, {"width", width}, {"lr", 0.3}, {"epochs", 400}};
}

QByteArray lectureJson(const QJsonArray& steps) {
    return QJsonDocument(QJsonObject{{"format", "ntkviz-lecture"},
                                     {"version", 1},
                                     {"title", "Test lecture"},
                                     {"settings", quickSettings(16)},
                                     {"steps", steps}})
        .toJson();
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QByteArray tinySceneJson() {
    QJsonObject settings = quickSettings(8);
    settings["epochs"] = 5;
    return QJsonDocument(QJsonObject{{"format", "ntkviz-scene"},
                                     {"version", 1},
                                     {"name", "Tiny scene"},
                                     {"settings", settings},
                                     {"sweep", QJsonObject{{"key", "l2"}, {"values", QJsonArray{0, 0.01}}}}})
        .toJson();
}

// Lecture > Show presenter notes, as the lecturer asks for them.
void showPresenterNotes(MainWindow& window) {
    for (QAction* action : window.findChildren<QAction*>())
        if (action->text() == "&Show presenter notes") {
            QVERIFY(action->isEnabled());
            action->trigger();
            return;
        }
    QFAIL("no Show presenter notes action");
}

QRect globalRect(const QWidget* widget) {
    return QRect(widget->mapToGlobal(QPoint(0, 0)), widget->size());
}

// The text a tab bar draws for tab `index`: its label, or the label elided ("Setti…") when the tab is too
// narrow for it. (QTabBar::initStyleOption is protected; a using-declaration names it, and the pointer to
// member it gives is QTabBar's own.)
struct TabBarOptions : QTabBar {
    using QTabBar::initStyleOption;
};
QString drawnTabText(const QTabBar* bar, int index) {
    QStyleOptionTab option;
    (bar->*&TabBarOptions::initStyleOption)(&option, index);
    return option.text;
}

// Every control a lecturer may have clicked last: sliders, value boxes, combo boxes, check boxes.
QList<QWidget*> focusableControls(ControlPanel* panel) {
    QList<QWidget*> controls;
    for (QWidget* widget : panel->findChildren<QWidget*>())
        if ((widget->focusPolicy() & Qt::TabFocus) && widget->isVisible() && widget->isEnabled())
            controls << widget;
    return controls;
}

} // namespace

class LectureTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void builtinLecturesLoadAndEveryStepResolves() {
        QStringList titles;
        for (const QString& path : builtinLecturePaths()) {
            QString error;
            const auto lecture = loadLecture(path, error);
            QVERIFY2(lecture, qPrintable(error));
            titles << lecture->title;
            QVERIFY(lecture->steps.size() >= 5);
            bool hasScene = false, hasLive = false;
            for (std::size_t i = 0; i < lecture->steps.size(); ++i) {
                const LectureStep& step = lecture->steps[i];
                const QString where = QString("%1 step %2").arg(path).arg(i + 1);
                QVERIFY2(!step.title.isEmpty(), qPrintable(where));
                // Built-in lectures teach: every step says what to show and what to ask.
                QVERIFY2(step.note.size() > 80, qPrintable(where + ": note too short"));
                QVERIFY2(!step.note.contains("seed", Qt::CaseInsensitive), qPrintable(where));
                if (step.scene) {
                    hasScene = true;
                    QVERIFY2(!step.scene->runs.empty(), qPrintable(where));
                } else {
                    hasLive = true;
                    QVERIFY2(!validate(step.settings), qPrintable(where));
                    // Live steps run on any machine: no data package needed.
                    QVERIFY2(isSyntheticDataset(step.settings.dataset), qPrintable(where));
                }
            }
            QVERIFY2(hasScene && hasLive, qPrintable(path + ": a lecture mixes scenes and live runs"));
            QString error2;
            QVERIFY2(findLecture(QFileInfo(path).completeBaseName(), error2), qPrintable(error2));
        }
        titles.sort();
        QCOMPARE(titles, QStringList({"Regularization and the NTK", "Width, depth and data"}));
    }

    void liveStepsAreTheBaseWithTheStepsSettings() {
        QTemporaryDir dir;
        const QString path = writeFile(
            dir, "l.json",
            lectureJson(
                {QJsonObject{{"title", "a"}, {"settings", QJsonObject{{"l2", 0.01}}}},
                 QJsonObject{{"title", "b"}, {"note", "n"}, {"settings", QJsonObject{{"depth", 3}}}}}));
        QString error;
        const auto lecture = loadLecture(path, error);
        QVERIFY2(lecture, qPrintable(error));
        QCOMPARE(lecture->steps[0].settings.l2, 0.01);
        QCOMPARE(lecture->steps[0].settings.width, 16);
        QCOMPARE(lecture->steps[1].settings.l2, 0.0); // a step's settings do not leak into the next
        QCOMPARE(lecture->steps[1].settings.depth, 3);
        QVERIFY(lecture->steps[1].settings.dataset == DatasetKind::Moons);
    }

    void sceneBesideTheLectureFile() {
        QTemporaryDir dir;
        writeFile(dir, "my-scene.json", tinySceneJson());
        const QString path =
            writeFile(dir, "l.json", lectureJson({QJsonObject{{"title", "a"}, {"scene", "my-scene.json"}}}));
        // From another working directory: the scene is found beside the lecture, not in the cwd.
        QString error;
        const auto lecture = loadLecture(path, error);
        QVERIFY2(lecture, qPrintable(error));
        QCOMPARE(lecture->steps[0].scene->name, QString("Tiny scene"));
    }

    void badFilesGiveOneLineNamingFileAndStep_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        const QJsonObject ok{{"title", "fine"}, {"settings", QJsonObject{}}};
        QTest::newRow("not json") << QByteArray("{\"format\": ") << "offset";
        QTest::newRow("format") << QByteArray(R"({"format": "ntkviz-scene", "steps": []})")
                                << "\"format\" must be \"ntkviz-lecture\"";
        QTest::newRow("top-level key")
            << QJsonDocument(
                   QJsonObject{{"format", "ntkviz-lecture"}, {"steps", QJsonArray{ok}}, {"stepz", 1}})
                   .toJson()
            << "unknown key \"stepz\"";
        QTest::newRow("no steps") << lectureJson({}) << "\"steps\" must be a non-empty array";
        QTest::newRow("bad base setting")
            << QJsonDocument(QJsonObject{{"format", "ntkviz-lecture"},
                                         {"settings", QJsonObject{{"width", 0}}},
                                         {"steps", QJsonArray{ok}}})
                   .toJson()
            << ": settings: width";
        QTest::newRow("step key")
            << lectureJson({ok, QJsonObject{{"title", "x"}, {"notes", "typo"}, {"settings", QJsonObject{}}}})
            << ": step 2: unknown key \"notes\"";
        QTest::newRow("unknown scene")
            << lectureJson({ok, ok, QJsonObject{{"title", "x"}, {"scene", "no-such-scene"}}})
            << ": step 3: scene: no-such-scene: no such scene";
        QTest::newRow("bad setting value")
            << lectureJson({QJsonObject{{"title", "x"}, {"settings", QJsonObject{{"width", -5}}}}})
            << ": step 1: settings: width";
        QTest::newRow("unknown setting")
            << lectureJson({ok, QJsonObject{{"title", "x"}, {"settings", QJsonObject{{"widht", 8}}}}})
            << ": step 2: settings: unknown key \"widht\"";
        QTest::newRow("setting of the wrong type")
            << lectureJson({QJsonObject{{"title", "x"}, {"settings", QJsonObject{{"activation", 3}}}}})
            << ": step 1: settings: activation";
        QTest::newRow("both") << lectureJson({QJsonObject{{"title", "x"},
                                                          {"scene", "01-l2-spectrum"},
                                                          {"settings", QJsonObject{}}}})
                              << ": step 1: a step has either \"scene\"";
        QTest::newRow("neither") << lectureJson({ok, QJsonObject{{"title", "x"}, {"note", "y"}}})
                                 << ": step 2: a step has either";
        QTest::newRow("no title") << lectureJson({QJsonObject{{"settings", QJsonObject{}}}})
                                  << ": step 1: \"title\" must be a non-empty string";
        QTest::newRow("note not text")
            << lectureJson({QJsonObject{{"title", "x"}, {"note", 5}, {"settings", QJsonObject{}}}})
            << ": step 1: \"note\" must be a string";
        QTest::newRow("step not an object") << lectureJson({ok, 7}) << ": step 2: expected an object";
    }

    void badFilesGiveOneLineNamingFileAndStep() {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = writeFile(dir, "broken.json", content);
        QString error;
        QVERIFY(!loadLecture(path, error));
        QVERIFY2(error.startsWith(path + ":"), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(!error.contains('\n'), qPrintable(error));
    }

    // The README's example is what people copy: it must load as written.
    void readmeExampleLoads() {
        QFile readme(NTKVIZ_SOURCE_DIR "/README.md");
        QVERIFY(readme.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(readme.readAll());
        const qsizetype section = text.indexOf("\n## Lectures\n");
        QVERIFY(section >= 0);
        const qsizetype start = text.indexOf("```json\n", section);
        const qsizetype end = text.indexOf("\n```", start + 8);
        QVERIFY(start > section && end > start);
        QTemporaryDir dir;
        const QString path = writeFile(dir, "example.json", text.mid(start + 8, end - start - 8).toUtf8());
        QString error;
        const auto lecture = loadLecture(path, error);
        QVERIFY2(lecture, qPrintable(error));
        QCOMPARE(int(lecture->steps.size()), 3);
    }

    void unknownLectureNameListsTheBuiltIns() {
        QString error;
        QVERIFY(!findLecture("no-such-lecture", error));
        QVERIFY2(error.contains("regularization-and-the-ntk") && error.contains("width-depth-and-data"),
                 qPrintable(error));
    }

    void stepperStaysInRange() {
        Lecture lecture;
        for (const char* title : {"one", "two", "three"})
            lecture.steps.push_back(LectureStep{title, {}, std::nullopt, RunConfig{}});
        LectureStepper stepper;
        QSignalSpy changed(&stepper, &LectureStepper::stepChanged);
        QVERIFY(!stepper.goNext()); // nothing open
        stepper.open(lecture);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(stepper.index(), 0);
        QVERIFY(!stepper.goPrevious());
        QVERIFY(stepper.goNext() && stepper.goNext());
        QCOMPARE(stepper.current()->title, QString("three"));
        QVERIFY(!stepper.next());
        QVERIFY(!stepper.goNext());
        QCOMPARE(changed.count(), 3);
        QCOMPARE(stepper.index(), 2);
        QSignalSpy closed(&stepper, &LectureStepper::closed);
        stepper.close();
        QCOMPARE(closed.count(), 1);
        QVERIFY(!stepper.active() && !stepper.current());
    }

    // The clicker's keys step the lecture whatever had focus in the settings, and the live run and the
    // controls take each step's settings: a slider that took PageDown as a page step would change a
    // setting instead, in front of the audience.
    void pageKeysStepFromEveryControl() {
        QTemporaryDir dir;
        QJsonObject second = quickSettings(32);
        second["l2"] = 0.001;
        const QString path =
            writeFile(dir, "l.json",
                      lectureJson({QJsonObject{{"title", "Narrow"}, {"settings", QJsonObject{}}},
                                   QJsonObject{{"title", "Wide with L2"}, {"settings", second}}}));
        QString error;
        const auto lecture = loadLecture(path, error);
        QVERIFY2(lecture, qPrintable(error));
        MainWindow window(lecture->steps[0].settings, false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openLecture(*lecture);
        const QList<QWidget*> controls = focusableControls(window.controls());
        QVERIFY(controls.size() > 10);
        QVERIFY(!window.controls()->findChildren<QAbstractSlider*>().isEmpty());
        window.activateWindow();
        QTRY_COMPARE(QApplication::activeWindow(), &window);
        for (QWidget* control : controls) {
            const QString name = control->metaObject()->className() + QString(" ") +
                                 control->parentWidget()->metaObject()->className();
            control->setFocus();
            QTest::keyClick(control, Qt::Key_PageDown);
            QVERIFY2(window.lectureStepper().index() == 1, qPrintable(name));
            QTest::qWait(100); // past the controls' restart debounce: a change they took would start a run
            QVERIFY2(window.liveRun().settings().width == 32 && window.liveRun().settings().l2 == 0.001,
                     qPrintable(name));
            QCOMPARE(window.controls()->config().width, 32);
            QTest::keyClick(control, Qt::Key_PageUp);
            QVERIFY2(window.lectureStepper().index() == 0, qPrintable(name));
            QTest::qWait(100);
            QVERIFY2(window.liveRun().settings().width == 16 && window.liveRun().settings().l2 == 0.0,
                     qPrintable(name));
            QCOMPARE(window.controls()->config().width, 16);
        }
        // From the presenter's window too (floating, as on a second screen): it is where the lecturer's
        // focus is after clicking in it.
        QDockWidget* notesWindow = window.presenterDock();
        notesWindow->setFloating(true);
        notesWindow->show();
        notesWindow->activateWindow();
        QTRY_COMPARE(QApplication::activeWindow(), notesWindow);
        QTest::keyClick(window.presenterNotes(), Qt::Key_PageDown);
        QCOMPARE(window.lectureStepper().index(), 1);
        // And back from the main window, the presenter's window no longer active.
        window.activateWindow();
        QTRY_COMPARE(QApplication::activeWindow(), &window);
        QTest::keyClick(controls.first(), Qt::Key_PageUp);
        QCOMPARE(window.lectureStepper().index(), 0);
    }

    void sceneStepOpensTheScenePageAndThePresenterShowsTheNote() {
        QTemporaryDir dir;
        writeFile(dir, "tiny.json", tinySceneJson());
        const QString note = "Point at the spectrum. Then ask the room what L2 does to it.";
        const QString path = writeFile(
            dir, "l.json",
            lectureJson(
                {QJsonObject{{"title", "Live first"}, {"note", note}, {"settings", QJsonObject{}}},
                 QJsonObject{{"title", "Then a scene"}, {"note", "Scene note."}, {"scene", "tiny.json"}}}));
        QString error;
        const auto lecture = loadLecture(path, error);
        QVERIFY2(lecture, qPrintable(error));
        MainWindow window(lecture->steps[0].settings, false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openLecture(*lecture);

        PresenterNotes* notes = window.presenterNotes();
        showPresenterNotes(window);
        QVERIFY(notes->isVisible());
        QCOMPARE(window.presenterDock()->windowTitle(), QString("Presenter notes"));
        QCOMPARE(notes->noteText(), note);
        QVERIFY2(notes->nextText().contains("Then a scene"), qPrintable(notes->nextText()));
        QVERIFY(window.lectureBanner()->isVisible());
        QCOMPARE(window.lectureBanner()->titleText(), QString("Live first"));
        QCOMPARE(window.lectureBanner()->counterText(), QString("step 1 / 2"));
        // The note is the lecturer's alone: nowhere else in the main window.
        for (QLabel* label : window.findChildren<QLabel*>())
            if (label->window() == &window && !notes->isAncestorOf(label))
                QVERIFY(!label->text().contains("Point at the spectrum"));

        QTest::keyClick(&window, Qt::Key_PageDown);
        QCOMPARE(window.lectureStepper().index(), 1);
        QVERIFY(window.sceneView()->isVisible());
        QCOMPARE(window.sceneView()->results().scene.name, QString("Tiny scene"));
        QCOMPARE(window.lectureBanner()->titleText(), QString("Then a scene"));
        QCOMPARE(window.lectureBanner()->counterText(), QString("step 2 / 2"));
        QCOMPARE(notes->noteText(), QString("Scene note."));

        // Back to the live step: the live page again, and the scene's runs no longer take the cores.
        QTest::keyClick(&window, Qt::Key_PageUp);
        QVERIFY(!window.sceneView()->isVisible());
        QVERIFY(!window.sceneView()->running());

        window.endLecture();
        QVERIFY(!notes->isVisible() && !window.lectureBanner()->isVisible());
    }

    // One screen (a laptop mirrored to the projector, and the offscreen platform): the audience sees all
    // of it, so opening a lecture shows no notes; asked for, they take a place beside the plots, never
    // over them, on the live page and the scene page, in normal and presentation mode.
    void presenterNotesNeverCoverThePlotsOnOneScreen() {
        QCOMPARE(QGuiApplication::screens().size(), 1);
        QTemporaryDir dir;
        writeFile(dir, "tiny.json", tinySceneJson());
        const QString path = writeFile(
            dir, "l.json",
            lectureJson({QJsonObject{{"title", "Live"}, {"note", "Live note."}, {"settings", QJsonObject{}}},
                         QJsonObject{{"title", "Scene"}, {"note", "Scene note."}, {"scene", "tiny.json"}}}));
        QString error;
        const auto lecture = loadLecture(path, error);
        QVERIFY2(lecture, qPrintable(error));
        MainWindow window(lecture->steps[0].settings, false);
        window.resize(1366, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction* presentation = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == "&Presentation mode")
                presentation = action;
        QVERIFY(presentation);
        auto* plots = window.findChild<QWidget*>("pages");
        auto* settings = window.findChild<QDockWidget*>("settingsDock");
        QVERIFY(plots && settings);
        const auto normalModeAfterwards = qScopeGuard([presentation] { presentation->setChecked(false); });
        PresenterNotes* notes = window.presenterNotes();
        const auto overlap = [&] {
            return QString("notes %1,%2 %3x%4 over the plots %5,%6 %7x%8")
                .arg(globalRect(notes).x())
                .arg(globalRect(notes).y())
                .arg(notes->width())
                .arg(notes->height())
                .arg(globalRect(plots).x())
                .arg(globalRect(plots).y())
                .arg(plots->width())
                .arg(plots->height());
        };
        for (bool on : {false, true}) {
            presentation->setChecked(on);
            window.showNormal(); // offscreen "full screen" would be the screen's size, not the projector's
            window.resize(1366, 768);
            window.openLecture(*lecture);
            QCoreApplication::processEvents();
            QVERIFY2(!notes->isVisible(), qPrintable(overlap()));
            showPresenterNotes(window);
            QTRY_VERIFY(notes->isVisible());
            // In the settings panel's place and no wider than it needs (the window keeps the panel as narrow
            // as its content allows, once it has fitted the new text size): the plots keep their width, and
            // their columns.
            QTRY_VERIFY2_WITH_TIMEOUT(window.presenterDock()->minimumSizeHint().width() <=
                                          settings->minimumSizeHint().width(),
                                      qPrintable(QString("the notes need %1 px, the settings %2 px")
                                                     .arg(window.presenterDock()->minimumSizeHint().width())
                                                     .arg(settings->minimumSizeHint().width())),
                                      3000);
            for (int step : {0, 1, 0}) {
                window.lectureStepper().goTo(step);
                QTRY_VERIFY(notes->isVisible());
                QTest::qWait(50); // the layout settles
                QCOMPARE(notes->noteText(), lecture->steps[std::size_t(step)].note);
                QVERIFY2(plots->isVisible() && plots->width() > 600 && plots->height() > 300,
                         qPrintable(overlap()));
                QVERIFY2(!globalRect(notes).intersects(globalRect(plots)), qPrintable(overlap()));
            }
            window.endLecture();
            QVERIFY(!notes->isVisible());
        }
    }

    // Every tab of the window and its docks (Live run / Scene, the detail plots, and the settings and the
    // presenter notes docked as tabs on one screen) shows its whole label, in both modes at 1366x768.
    void noTabLabelIsElided() {
        QString error;
        const auto lecture = findLecture("regularization-and-the-ntk", error);
        QVERIFY2(lecture, qPrintable(error));
        MainWindow window(lecture->steps[0].settings, false);
        window.resize(1366, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction* presentation = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == "&Presentation mode")
                presentation = action;
        QVERIFY(presentation);
        const auto normalModeAfterwards = qScopeGuard([presentation] { presentation->setChecked(false); });
        window.openLecture(*lecture);
        showPresenterNotes(window);
        QTRY_VERIFY(window.presenterNotes()->isVisible());
        QStringList problems;
        for (bool on : {false, true}) {
            presentation->setChecked(on);
            window.showNormal(); // offscreen "full screen" would be the screen's size, not the projector's
            window.resize(1366, 768);
            QTest::qWait(100); // the docks fit the new text size
            QCoreApplication::processEvents();
            int tabBars = 0;
            for (QTabBar* bar : window.findChildren<QTabBar*>()) {
                if (!bar->isVisible())
                    continue;
                ++tabBars;
                for (int i = 0; i < bar->count(); ++i)
                    if (drawnTabText(bar, i) != bar->tabText(i))
                        problems << QString("%1: tab \"%2\" shows as \"%3\" (%4 px wide)")
                                        .arg(on ? "presentation" : "normal", bar->tabText(i),
                                             drawnTabText(bar, i))
                                        .arg(bar->tabRect(i).width());
            }
            // The pages and the docks; the detail plots are chosen from a list (test_plot_layout's
            // detailPanelListsEveryPlotAndFits checks that it shows its names in full).
            QVERIFY2(tabBars >= 2, qPrintable(QString("%1 tab bars shown").arg(tabBars)));
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
        window.endLecture();
    }

    // The title grows with presentation mode like every other text, and on a 1366x768 projector the
    // banner stays one strip above the plots for every built-in step title, in both modes.
    void bannerScalesWithPresentationModeAndFits() {
        MainWindow window(RunConfig{}, false);
        window.resize(1366, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QString error;
        const auto lecture = findLecture("regularization-and-the-ntk", error);
        QVERIFY2(lecture, qPrintable(error));
        window.openLecture(*lecture);
        LectureBanner* banner = window.lectureBanner();
        QAction* presentation = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == "&Presentation mode")
                presentation = action;
        QVERIFY(presentation);
        QLabel* title = banner->findChild<QLabel*>("lectureTitle");
        QVERIFY(title);
        const double normalPoints = title->font().pointSizeF();
        QVERIFY(normalPoints >= LectureBanner::minimumTitleScale * QApplication::font().pointSizeF());
        for (bool on : {false, true}) {
            presentation->setChecked(on);
            window.showNormal(); // offscreen "full screen" would be the screen's size, not the projector's
            window.resize(1366, 768);
            for (const LectureStep& step : lecture->steps) {
                banner->showStep(step.title, 0, int(lecture->steps.size()));
                QCoreApplication::processEvents();
                // One line: a second would take its height from the plots.
                QVERIFY2(title->height() < 1.5 * QFontMetrics(title->font()).lineSpacing(),
                         qPrintable(QString("%1: %2 px").arg(step.title).arg(title->height())));
                QVERIFY2(title->height() >= title->heightForWidth(title->width()),
                         qPrintable(step.title + ": cut off"));
            }
        }
        QVERIFY2(title->font().pointSizeF() > 1.3 * normalPoints,
                 qPrintable(QString("%1 pt in presentation mode, %2 pt without")
                                .arg(title->font().pointSizeF())
                                .arg(normalPoints)));
        presentation->setChecked(false);
    }

    // A clicker pressed once too often: nothing restarts, no setting changes, the step stays.
    void pressingPastEitherEndChangesNothing() {
        QTemporaryDir dir;
        const QString path =
            writeFile(dir, "l.json",
                      lectureJson({QJsonObject{{"title", "first"}, {"settings", QJsonObject{}}},
                                   QJsonObject{{"title", "last"}, {"settings", quickSettings(32)}}}));
        QString error;
        const auto lecture = loadLecture(path, error);
        QVERIFY2(lecture, qPrintable(error));
        MainWindow window(lecture->steps[0].settings, false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openLecture(*lecture);
        QAbstractSlider* slider = window.controls()->findChildren<QAbstractSlider*>().first();
        auto pressAndCheckNothingChanged = [&](Qt::Key key, int index) {
            slider->setFocus();
            const RunId run = window.liveRun().currentRunId();
            const QByteArray settings = QJsonDocument(configToJson(window.liveRun().settings())).toJson();
            const int position = slider->value();
            for (int i = 0; i < 3; ++i)
                QTest::keyClick(slider, key);
            QTest::qWait(150);
            QCOMPARE(window.lectureStepper().index(), index);
            QCOMPARE(window.liveRun().currentRunId(), run);
            QCOMPARE(QJsonDocument(configToJson(window.liveRun().settings())).toJson(), settings);
            QCOMPARE(slider->value(), position);
        };
        pressAndCheckNothingChanged(Qt::Key_PageUp, 0);
        QTest::keyClick(slider, Qt::Key_PageDown);
        QCOMPARE(window.lectureStepper().index(), 1);
        pressAndCheckNothingChanged(Qt::Key_PageDown, 1);

        // Without a lecture the keys are the slider's again.
        window.endLecture();
        slider->setFocus();
        const int position = slider->value();
        QTest::keyClick(slider, position == slider->minimum() ? Qt::Key_PageUp : Qt::Key_PageDown);
        QVERIFY(slider->value() != position);
    }

    void commandLineRefusesUnknownLectureInOneLine() {
        for (const QStringList& arguments :
             {QStringList{"--lecture", "no-such-lecture"},
              QStringList{"--lecture", "width-depth-and-data", "--scene", "01-l2-spectrum"}}) {
            QProcess process;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("QT_QPA_PLATFORM", "offscreen");
            process.setProcessEnvironment(env);
            process.start(NTKVIZ_GUI_PATH, arguments);
            QVERIFY(process.waitForFinished(30000));
            QStringList lines = QString::fromUtf8(process.readAllStandardError()).trimmed().split('\n');
            lines.removeIf([](const QString& line) { return line.startsWith("QStandardPaths:"); });
            const QString err = lines.join('\n');
            QCOMPARE(process.exitCode(), 2);
            QVERIFY2(err.startsWith("ntkviz: ") && !err.contains('\n') &&
                         err.contains("--lecture") == (arguments.size() > 2),
                     qPrintable(err));
        }
    }
};

QTEST_MAIN(LectureTest)
#include "test_lecture.moc"
