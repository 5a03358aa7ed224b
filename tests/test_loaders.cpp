// Tests for the IDX and CSV loaders: exact read-back of small fixtures, one DataError per malformed
// input (with file and line in the message), and the real Fashion-MNIST files when they are installed.
#include "csv_reader.h"
#include "data_error.h"
#include "idx_reader.h"

#include <QtTest>

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <vector>

using namespace ntk;

namespace {

QByteArray idxHeader(unsigned char dataType, const std::vector<std::uint32_t>& dimensions) {
    QByteArray bytes;
    bytes.append('\0');
    bytes.append('\0');
    bytes.append(static_cast<char>(dataType));
    bytes.append(static_cast<char>(dimensions.size()));
    for (const std::uint32_t size : dimensions)
        for (int shift = 24; shift >= 0; shift -= 8)
            bytes.append(static_cast<char>((size >> shift) & 0xff));
    return bytes;
}

QByteArray idxFile(const std::vector<std::uint32_t>& dimensions, const std::vector<int>& values) {
    QByteArray bytes = idxHeader(0x08, dimensions);
    for (const int value : values)
        bytes.append(static_cast<char>(value));
    return bytes;
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(file.write(bytes), bytes.size());
}

void writeGzipFile(const QString& path, const QByteArray& bytes) {
    gzFile file = gzopen(QFile::encodeName(path).constData(), "wb");
    QVERIFY2(file != nullptr, qPrintable(path));
    if (!bytes.isEmpty())
        QCOMPARE(gzwrite(file, bytes.constData(), static_cast<unsigned>(bytes.size())), int(bytes.size()));
    QCOMPARE(gzclose(file), Z_OK);
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// The DataError message thrown by load, or an empty string when nothing (or something else) was thrown.
QString dataErrorMessage(const std::function<void()>& load) {
    try {
        load();
    } catch (const DataError& error) {
        return QString::fromStdString(error.what());
    } catch (const std::exception& error) {
        return QStringLiteral("<not a DataError: %1>").arg(QString::fromStdString(error.what()));
    }
    return {};
}

#define VERIFY_DATA_ERROR(message, expectedPart)                                                             \
    do {                                                                                                     \
        const QString actualMessage = (message);                                                             \
        const QString expectedText = QString(expectedPart);                                                  \
        QVERIFY2(!actualMessage.isEmpty(), "no DataError thrown");                                           \
        QVERIFY2(actualMessage.contains(expectedText),                                                       \
                 qPrintable(QStringLiteral("'%1' not in message: %2").arg(expectedText, actualMessage)));    \
        QVERIFY2(!actualMessage.contains('\n'), qPrintable(actualMessage));                                  \
    } while (false)

// Three 2x2 images whose pixels are all different, so a transposed read would show.
const std::vector<int> threeImagePixels = {0, 1, 2, 3, 10, 11, 12, 255, 200, 201, 202, 203};
const std::vector<int> threeLabels = {0, 2, 1};

} // namespace

class LoaderTests : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    QString path(const QString& fileName) const { return dir_.filePath(fileName); }

    void checkThreeImageDataset(const Dataset& dataset) {
        QCOMPARE(dataset.size(), Eigen::Index(3));
        QCOMPARE(dataset.dimension(), Eigen::Index(4));
        for (Eigen::Index row = 0; row < 3; ++row)
            for (Eigen::Index column = 0; column < 4; ++column)
                QCOMPARE(dataset.features(row, column),
                         double(threeImagePixels[std::size_t(row * 4 + column)]));
        QCOMPARE(dataset.labels.size(), Eigen::Index(3));
        for (Eigen::Index row = 0; row < 3; ++row)
            QCOMPARE(dataset.labels[row], threeLabels[std::size_t(row)]);
        QCOMPARE(dataset.classCount, 3);
        QCOMPARE(dataset.task, TaskKind::Classification);
    }

    QString csvPath(const QByteArray& content, const QString& fileName = QStringLiteral("data.csv")) {
        const QString filePath = path(fileName);
        writeFile(filePath, content);
        return filePath;
    }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    // ---- IDX ------------------------------------------------------------------------------------------

    void idxPlainRoundTrip() {
        writeFile(path("plain-images"), idxFile({3, 2, 2}, threeImagePixels));
        writeFile(path("plain-labels"), idxFile({3}, threeLabels));
        const Dataset dataset =
            loadIdxPair(path("plain-images").toStdString(), path("plain-labels").toStdString(), "tiny");
        checkThreeImageDataset(dataset);
        QCOMPARE(dataset.name, std::string("tiny"));
    }

    void idxGzipRoundTrip() {
        writeGzipFile(path("images.gz"), idxFile({3, 2, 2}, threeImagePixels));
        writeGzipFile(path("labels.gz"), idxFile({3}, threeLabels));
        checkThreeImageDataset(
            loadIdxPair(path("images.gz").toStdString(), path("labels.gz").toStdString(), "t"));
    }

    void idxMixedCompression() {
        writeGzipFile(path("mixed-images.gz"), idxFile({3, 2, 2}, threeImagePixels));
        writeFile(path("mixed-labels"), idxFile({3}, threeLabels));
        checkThreeImageDataset(
            loadIdxPair(path("mixed-images.gz").toStdString(), path("mixed-labels").toStdString(), "t"));
    }

    void idxTrailingGarbageIgnored() {
        writeFile(path("trailing-images"), idxFile({3, 2, 2}, threeImagePixels) + QByteArray(100, 'x'));
        writeGzipFile(path("trailing-labels.gz"), idxFile({3}, threeLabels) + QByteArray("garbage"));
        checkThreeImageDataset(loadIdxPair(path("trailing-images").toStdString(),
                                           path("trailing-labels.gz").toStdString(), "t"));
    }

    void idxOtherImageRanks() {
        // 2 dims: count x features; 4 dims: count x channels x height x width, flattened in C order.
        writeFile(path("rank2-images"), idxFile({3, 4}, threeImagePixels));
        writeFile(path("labels3"), idxFile({3}, threeLabels));
        checkThreeImageDataset(
            loadIdxPair(path("rank2-images").toStdString(), path("labels3").toStdString(), "t"));

        std::vector<int> pixels(2 * 3 * 2 * 2);
        for (std::size_t i = 0; i < pixels.size(); ++i)
            pixels[i] = int(i * 7 % 256);
        writeFile(path("rank4-images"), idxFile({2, 3, 2, 2}, pixels));
        writeFile(path("labels2"), idxFile({2}, {5, 0}));
        const Dataset dataset =
            loadIdxPair(path("rank4-images").toStdString(), path("labels2").toStdString(), "t");
        QCOMPARE(dataset.size(), Eigen::Index(2));
        QCOMPARE(dataset.dimension(), Eigen::Index(12));
        for (Eigen::Index row = 0; row < 2; ++row)
            for (Eigen::Index column = 0; column < 12; ++column)
                QCOMPARE(dataset.features(row, column), double(pixels[std::size_t(row * 12 + column)]));
        QCOMPARE(dataset.classCount, 6);
    }

    void idxMalformedImages_data() {
        QTest::addColumn<QByteArray>("imageBytes");
        QTest::addColumn<QString>("expectedPart");

        const QByteArray valid = idxFile({3, 2, 2}, threeImagePixels);
        QTest::newRow("empty file") << QByteArray() << "truncated";
        QTest::newRow("header cut after 3 bytes") << valid.left(3) << "truncated";
        QTest::newRow("header cut inside the sizes") << valid.left(9) << "truncated";
        QTest::newRow("body cut") << valid.left(valid.size() - 1)
                                  << "truncated: header claims 3 images of 2x2";
        QTest::newRow("wrong magic") << QByteArray("\x12\x34\x08\x03", 4) + valid.mid(4) << "not an IDX file";
        QTest::newRow("float data type")
            << idxHeader(0x0d, {3, 2, 2}) + QByteArray(48, '\0') << "unsupported IDX data type 0x0d";
        QTest::newRow("invalid data type byte")
            << idxHeader(0x42, {3, 2, 2}) << "invalid data type byte 0x42";
        QTest::newRow("zero dimensions") << idxHeader(0x08, {}) << "0 dimensions";
        QTest::newRow("five dimensions")
            << idxHeader(0x08, {1, 1, 1, 1, 1}) + QByteArray(1, '\0') << "5 dimensions";
        QTest::newRow("a dimension of 0") << idxHeader(0x08, {3, 0, 2}) << "dimension 2 of 3 is 0";
        QTest::newRow("product overflows 64 bits")
            << idxHeader(0x08, {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}) << "refusing";
        QTest::newRow("more than 2^31 bytes") << idxHeader(0x08, {70000, 200, 200}) << "refusing";
        QTest::newRow("2^31 + 2 bytes") << idxHeader(0x08, {2, (1u << 30) + 1}) << "refusing";
        // Just below the cap is allowed by the header check, so this must fail by truncation without
        // having allocated 2 GiB first.
        QTest::newRow("claims 2^31 - 2 bytes, has 4")
            << idxHeader(0x08, {3, 715827882}) + QByteArray(4, '\1')
            << "truncated: header claims 3 images of 715827882 but the";
        QTest::newRow("label file given as images") << idxFile({3}, threeLabels) << "at least 2 dimensions";
    }

    void idxMalformedImages() {
        QFETCH(QByteArray, imageBytes);
        QFETCH(QString, expectedPart);
        writeFile(path("good-labels"), idxFile({3}, threeLabels));
        writeFile(path("bad-images"), imageBytes);
        writeGzipFile(path("bad-images.gz"), imageBytes);
        for (const QString& fileName : {QStringLiteral("bad-images"), QStringLiteral("bad-images.gz")}) {
            const QString message = dataErrorMessage(
                [&] { loadIdxPair(path(fileName).toStdString(), path("good-labels").toStdString(), "t"); });
            VERIFY_DATA_ERROR(message, fileName);
            VERIFY_DATA_ERROR(message, expectedPart);
        }
    }

    void idxMalformedLabels_data() {
        QTest::addColumn<QByteArray>("labelBytes");
        QTest::addColumn<QString>("expectedPart");
        const QByteArray valid = idxFile({3}, threeLabels);
        QTest::newRow("image file given as labels") << idxFile({3, 2, 2}, threeImagePixels) << "1 dimension";
        QTest::newRow("body cut") << valid.left(valid.size() - 1) << "truncated: header claims 3 labels";
        QTest::newRow("header cut") << valid.left(6) << "truncated";
        QTest::newRow("count mismatch") << idxFile({4}, {0, 1, 2, 3}) << "has 3 images";
        QTest::newRow("signed bytes") << idxHeader(0x09, {3}) + QByteArray(3, '\0') << "signed byte";
    }

    void idxMalformedLabels() {
        QFETCH(QByteArray, labelBytes);
        QFETCH(QString, expectedPart);
        writeFile(path("good-images"), idxFile({3, 2, 2}, threeImagePixels));
        writeFile(path("bad-labels"), labelBytes);
        writeGzipFile(path("bad-labels.gz"), labelBytes);
        for (const QString& fileName : {QStringLiteral("bad-labels"), QStringLiteral("bad-labels.gz")}) {
            const QString message = dataErrorMessage(
                [&] { loadIdxPair(path("good-images").toStdString(), path(fileName).toStdString(), "t"); });
            VERIFY_DATA_ERROR(message, fileName);
            VERIFY_DATA_ERROR(message, expectedPart);
        }
    }

    void idxCountMismatchNamesBothFiles() {
        writeFile(path("four-labels"), idxFile({4}, {0, 1, 2, 3}));
        writeFile(path("three-images"), idxFile({3, 2, 2}, threeImagePixels));
        const QString message = dataErrorMessage(
            [&] { loadIdxPair(path("three-images").toStdString(), path("four-labels").toStdString(), "t"); });
        VERIFY_DATA_ERROR(message, "three-images");
        VERIFY_DATA_ERROR(message, "four-labels");
        VERIFY_DATA_ERROR(message, "mismatch");
    }

    void idxCorruptGzip() {
        writeFile(path("labels-for-gzip"), idxFile({3}, threeLabels));
        // A valid gzip member header followed by a deflate block of the reserved type 3.
        const QByteArray invalidBlockType = QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) +
                                            QByteArray("\x07\x00\x00\x00\x00\x00", 6);
        writeFile(path("corrupt-images.gz"), invalidBlockType);
        QString message = dataErrorMessage([&] {
            loadIdxPair(path("corrupt-images.gz").toStdString(), path("labels-for-gzip").toStdString(), "t");
        });
        VERIFY_DATA_ERROR(message, "corrupt-images.gz");
        VERIFY_DATA_ERROR(message, "corrupt gzip data: invalid block type");

        // Damage in the middle of a real compressed stream.
        std::vector<int> pixels(3 * 64 * 64);
        for (std::size_t i = 0; i < pixels.size(); ++i)
            pixels[i] = int((i * 2654435761u) >> 13) & 0xff;
        writeGzipFile(path("damaged-images.gz"), idxFile({3, 64, 64}, pixels));
        QByteArray damaged = readFile(path("damaged-images.gz"));
        QVERIFY(damaged.size() > 200);
        for (int i = 40; i < 140; ++i)
            damaged[i] = char(0xff);
        writeFile(path("damaged-images.gz"), damaged);
        message = dataErrorMessage([&] {
            loadIdxPair(path("damaged-images.gz").toStdString(), path("labels-for-gzip").toStdString(), "t");
        });
        VERIFY_DATA_ERROR(message, "damaged-images.gz");
        VERIFY_DATA_ERROR(message, "gzip");
    }

    void idxTruncatedGzip() {
        writeFile(path("labels-for-cut-gzip"), idxFile({3}, threeLabels));
        std::vector<int> pixels(3 * 64 * 64);
        for (std::size_t i = 0; i < pixels.size(); ++i)
            pixels[i] = int((i * 2654435761u) >> 13) & 0xff;
        writeGzipFile(path("cut-images.gz"), idxFile({3, 64, 64}, pixels));
        const QByteArray whole = readFile(path("cut-images.gz"));
        writeFile(path("cut-images.gz"), whole.left(whole.size() / 2));
        const QString message = dataErrorMessage([&] {
            loadIdxPair(path("cut-images.gz").toStdString(), path("labels-for-cut-gzip").toStdString(), "t");
        });
        VERIFY_DATA_ERROR(message, "cut-images.gz");
        VERIFY_DATA_ERROR(message, "truncated: header claims 3 images of 64x64");
        VERIFY_DATA_ERROR(message, "uncompressed");
    }

    void idxMissingFiles() {
        writeFile(path("existing-labels"), idxFile({3}, threeLabels));
        QString message = dataErrorMessage([&] {
            loadIdxPair(path("no-such-images").toStdString(), path("existing-labels").toStdString(), "t");
        });
        VERIFY_DATA_ERROR(message, "no-such-images");
        VERIFY_DATA_ERROR(message, "no such file");

        message = dataErrorMessage(
            [&] { loadIdxPair(dir_.path().toStdString(), path("existing-labels").toStdString(), "t"); });
        VERIFY_DATA_ERROR(message, "is a directory");
    }

    void mnistDirectoryFindsFiles() {
        QVERIFY(QDir(dir_.path()).mkpath("dotted/my-digits"));
        const QString dotted = path("dotted/my-digits");
        writeFile(dotted + "/t10k-images.idx3-ubyte", idxFile({3, 2, 2}, threeImagePixels));
        writeGzipFile(dotted + "/t10k-labels.idx1-ubyte.gz", idxFile({3}, threeLabels));
        const Dataset test = loadMnistDirectory(dotted.toStdString(), IdxSplit::Test);
        checkThreeImageDataset(test);
        QCOMPARE(test.name, std::string("my-digits-test"));
        // A trailing separator must not lose the directory's name.
        QCOMPARE(loadMnistDirectory((dotted + "/").toStdString(), IdxSplit::Test).name,
                 std::string("my-digits-test"));

        QString message =
            dataErrorMessage([&] { loadMnistDirectory(dotted.toStdString(), IdxSplit::Train); });
        VERIFY_DATA_ERROR(message, dotted);
        VERIFY_DATA_ERROR(message, "train-images-idx3-ubyte[.gz]");

        message =
            dataErrorMessage([&] { loadMnistDirectory(path("missing-dir").toStdString(), IdxSplit::Train); });
        VERIFY_DATA_ERROR(message, "missing-dir");
        VERIFY_DATA_ERROR(message, "no such directory");
    }

    void fashionMnist() {
        const QString directory = QString::fromStdString(defaultFashionMnistDirectory());
        if (!QFileInfo(directory).isDir())
            QSKIP(qPrintable(directory + " does not exist (Debian package dataset-fashion-mnist)"));

        const Dataset train = loadMnistDirectory(directory.toStdString(), IdxSplit::Train);
        QCOMPARE(train.size(), Eigen::Index(60000));
        QCOMPARE(train.dimension(), Eigen::Index(784));
        QCOMPARE(train.classCount, 10);
        QCOMPARE(train.task, TaskKind::Classification);
        QCOMPARE(train.name, std::string("fashion-mnist-train"));
        QCOMPARE(train.features.minCoeff(), 0.0);
        QCOMPARE(train.features.maxCoeff(), 255.0);
        for (int label = 0; label < 10; ++label)
            QCOMPARE((train.labels.array() == label).count(), Eigen::Index(6000));

        const Dataset test = loadMnistDirectory(directory.toStdString(), IdxSplit::Test);
        QCOMPARE(test.size(), Eigen::Index(10000));
        QCOMPARE(test.dimension(), Eigen::Index(784));
        QCOMPARE(test.classCount, 10);
        QCOMPARE(test.features.minCoeff(), 0.0);
        QCOMPARE(test.features.maxCoeff(), 255.0);
        for (int label = 0; label < 10; ++label)
            QCOMPARE((test.labels.array() == label).count(), Eigen::Index(1000));
    }

    // ---- CSV ------------------------------------------------------------------------------------------

    void csvWithHeader() {
        const Dataset dataset = loadCsv(csvPath("x,y,label\n1.5,-2,0\n3,4e2,1\n5,6,1\n").toStdString());
        QCOMPARE(dataset.name, std::string("data"));
        QCOMPARE(dataset.task, TaskKind::Classification);
        QCOMPARE(dataset.size(), Eigen::Index(3));
        QCOMPARE(dataset.dimension(), Eigen::Index(2));
        QCOMPARE(dataset.features(0, 0), 1.5);
        QCOMPARE(dataset.features(0, 1), -2.0);
        QCOMPARE(dataset.features(1, 1), 400.0);
        QCOMPARE(dataset.features(2, 0), 5.0);
        QCOMPARE(dataset.labels, (Eigen::VectorXi(3) << 0, 1, 1).finished());
        QCOMPARE(dataset.classCount, 2);
    }

    void csvWithoutHeader() {
        const Dataset dataset = loadCsv(csvPath("1,2,0\n3,4,2\n").toStdString());
        QCOMPARE(dataset.size(), Eigen::Index(2));
        QCOMPARE(dataset.features(0, 0), 1.0);
        QCOMPARE(dataset.features(1, 1), 4.0);
        QCOMPARE(dataset.labels, (Eigen::VectorXi(2) << 0, 2).finished());
        QCOMPARE(dataset.classCount, 3);
    }

    void csvHeaderWithQuotedNamesAndNumbers() {
        // pandas writes an empty first header cell for the index; names may be quoted and contain ','.
        const Dataset dataset =
            loadCsv(csvPath(",\"width, cm\",class\n0,\"2.5\",1\n1,3.5,0\n").toStdString());
        QCOMPARE(dataset.size(), Eigen::Index(2));
        QCOMPARE(dataset.features(0, 1), 2.5);
        QCOMPARE(dataset.labels, (Eigen::VectorXi(2) << 1, 0).finished());
    }

    void csvExplicitLabelColumn() {
        CsvOptions options;
        options.labelColumn = 0;
        const Dataset dataset = loadCsv(csvPath("label,a,b\n1,10,20\n0,30,40\n").toStdString(), options);
        QCOMPARE(dataset.dimension(), Eigen::Index(2));
        QCOMPARE(dataset.features(0, 0), 10.0);
        QCOMPARE(dataset.features(1, 1), 40.0);
        QCOMPARE(dataset.labels, (Eigen::VectorXi(2) << 1, 0).finished());

        options.labelColumn = 1;
        const Dataset middle = loadCsv(csvPath("1,0,2\n3,1,4\n").toStdString(), options);
        QCOMPARE(middle.features(0, 1), 2.0);
        QCOMPARE(middle.features(1, 0), 3.0);
        QCOMPARE(middle.labels, (Eigen::VectorXi(2) << 0, 1).finished());
    }

    void csvTaskDetection() {
        const Dataset fractional = loadCsv(csvPath("x,y\n1,0.5\n2,1.25\n").toStdString());
        QCOMPARE(fractional.task, TaskKind::Regression);
        QCOMPARE(fractional.classCount, 0);
        QCOMPARE(fractional.values, (Eigen::VectorXd(2) << 0.5, 1.25).finished());
        QCOMPARE(fractional.labels.size(), Eigen::Index(0));

        QCOMPARE(loadCsv(csvPath("1,1000\n2,3\n").toStdString()).task, TaskKind::Regression);
        QCOMPARE(loadCsv(csvPath("1,-1\n2,3\n").toStdString()).task, TaskKind::Regression);
        QCOMPARE(loadCsv(csvPath("1,999\n2,3.0\n").toStdString()).task, TaskKind::Classification);

        CsvOptions regression;
        regression.task = CsvOptions::Task::Regression;
        const Dataset forced = loadCsv(csvPath("1,0\n2,1\n").toStdString(), regression);
        QCOMPARE(forced.task, TaskKind::Regression);
        QCOMPARE(forced.values, (Eigen::VectorXd(2) << 0, 1).finished());

        CsvOptions classification;
        classification.task = CsvOptions::Task::Classification;
        const Dataset many = loadCsv(csvPath("1,1500\n2,0\n").toStdString(), classification);
        QCOMPARE(many.task, TaskKind::Classification);
        QCOMPARE(many.classCount, 1501);
    }

    void csvLineEndingsAndWhitespace() {
        const Eigen::VectorXi expectedLabels = (Eigen::VectorXi(2) << 0, 1).finished();
        for (const QByteArray& content : {QByteArray("a,b\r\n1,0\r\n2,1\r\n"), QByteArray("a,b\n1,0\n2,1"),
                                          QByteArray("a,b\n1,0\n2,1\n\n \n\r\n"),
                                          QByteArray("\xef\xbb\xbf"
                                                     "a,b\n1,0\n2,1\n"),
                                          QByteArray(" a , b \n 1 ,\t0\n+2, 1 \n")}) {
            const Dataset dataset = loadCsv(csvPath(content).toStdString());
            QCOMPARE(dataset.size(), Eigen::Index(2));
            QCOMPARE(dataset.features(0, 0), 1.0);
            QCOMPARE(dataset.features(1, 0), 2.0);
            QCOMPARE(dataset.labels, expectedLabels);
        }
    }

    void csvErrors_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("labelColumn");
        QTest::addColumn<int>("task");
        QTest::addColumn<QStringList>("expectedParts");

        const int autoTask = int(CsvOptions::Task::Auto);
        const int classification = int(CsvOptions::Task::Classification);
        QTest::newRow("empty file") << QByteArray() << -1 << autoTask
                                    << QStringList{"data.csv: file is empty"};
        QTest::newRow("only blank lines")
            << QByteArray("\n \r\n") << -1 << autoTask << QStringList{"data.csv: file is empty"};
        QTest::newRow("header only") << QByteArray("a,b,c\n") << -1 << autoTask
                                     << QStringList{"data.csv: no data rows"};
        QTest::newRow("too few fields") << QByteArray("a,b,c\n1,2,0\n4,5\n") << -1 << autoTask
                                        << QStringList{"data.csv:3: expected 3 fields, found 2"};
        QTest::newRow("too many fields: decimal comma")
            << QByteArray("a,b\n1,0\n1,5,1\n") << -1 << autoTask
            << QStringList{"data.csv:3: expected 2 fields, found 3", "decimal comma"};
        QTest::newRow("semicolon row")
            << QByteArray("a,b,c\n1,2,0\n1;2;1\n") << -1 << autoTask << QStringList{"data.csv:3:", "';'"};
        QTest::newRow("not a number") << QByteArray("1,2,0\n3,abc,1\n") << -1 << autoTask
                                      << QStringList{"data.csv:2: column 2: \"abc\" is not a number"};
        QTest::newRow("empty field") << QByteArray("a,b,c\n1,,0\n") << -1 << autoTask
                                     << QStringList{"data.csv:2: column 2: empty field"};
        QTest::newRow("nan") << QByteArray("a,b,c\n1,2,0\n1,nan,1\n") << -1 << autoTask
                             << QStringList{"data.csv:3: column 2: \"nan\" is not a finite number"};
        QTest::newRow("NaN in first data line")
            << QByteArray("1,NaN,0\n1,2,1\n") << -1 << autoTask
            << QStringList{"data.csv:1: column 2:", "not a finite number"};
        QTest::newRow("inf") << QByteArray("a,b\ninf,1\n2,0\n") << -1 << autoTask
                             << QStringList{"data.csv:2: column 1: \"inf\" is not a finite number"};
        QTest::newRow("-Infinity label") << QByteArray("a,b\n1,1\n2,-Infinity\n") << -1 << autoTask
                                         << QStringList{"data.csv:3: column 2:", "not a finite number"};
        QTest::newRow("overflowing number") << QByteArray("a,b\n1e999,1\n2,0\n") << -1 << autoTask
                                            << QStringList{"data.csv:2: column 1:", "out of the range"};
        QTest::newRow("quoted decimal comma")
            << QByteArray("a,b\n\"3,14\",0\n2,1\n") << -1 << autoTask
            << QStringList{"data.csv:2: column 1: \"3,14\" is not a number", "decimal comma"};
        QTest::newRow("semicolon separated") << QByteArray("a;b;c\n1;2;3\n") << -1 << autoTask
                                             << QStringList{"data.csv:1:", "';'", "comma-separated"};
        QTest::newRow("semicolons and decimal commas")
            << QByteArray("1,5;2,25;0\n1,0;3,5;1\n") << -1 << autoTask
            << QStringList{"data.csv:1:", "decimal commas"};
        QTest::newRow("tab separated")
            << QByteArray("a\tb\n1\t0\n") << -1 << autoTask << QStringList{"data.csv:1:", "tabs"};
        QTest::newRow("single column")
            << QByteArray("1\n2\n") << -1 << autoTask << QStringList{"data.csv:1:", "only 1 column"};
        QTest::newRow("label column too large") << QByteArray("a,b,c\n1,2,0\n") << 3 << autoTask
                                                << QStringList{"data.csv:1:", "label column 3", "3 columns"};
        QTest::newRow("label column negative")
            << QByteArray("1,2,0\n") << -2 << autoTask << QStringList{"data.csv:1:", "label column -2"};
        QTest::newRow("fractional class label")
            << QByteArray("a,b\n1,0\n2,0.5\n") << -1 << classification
            << QStringList{"data.csv:3: column 2:", "\"0.5\"", "not a class index"};
        QTest::newRow("negative class label") << QByteArray("1,0\n2,-1\n") << -1 << classification
                                              << QStringList{"data.csv:2:", "not a class index"};
        QTest::newRow("class label too large") << QByteArray("1,0\n2,100001\n") << -1 << classification
                                               << QStringList{"data.csv:2:", "not a class index"};
        QTest::newRow("single class") << QByteArray("a,b\n1,3\n2,3\n") << -1 << autoTask
                                      << QStringList{"data.csv:", "only one class (label 3) in file"};
        QTest::newRow("single class, forced") << QByteArray("1,3\n2,3\n") << -1 << classification
                                              << QStringList{"only one class (label 3) in file"};
        QTest::newRow("UTF-16 LE BOM")
            << QByteArray("\xff\xfe"
                          "a\0,\0b\0\n\0",
                          10)
            << -1 << autoTask << QStringList{"data.csv:", "binary or UTF-16 file, expected UTF-8 text"};
        QTest::newRow("UTF-16 BE BOM")
            << QByteArray("\xfe\xff\0a\0,\0b", 8) << -1 << autoTask << QStringList{"binary or UTF-16 file"};
        QTest::newRow("NUL byte") << QByteArray("1,2\n3,\0\n", 8) << -1 << autoTask
                                  << QStringList{"data.csv:2:", "binary or UTF-16 file"};
        QTest::newRow("line over 1 MiB") << QByteArray("a,b\n1,0\n") + QByteArray((1 << 20) + 1, '1') + ",0\n"
                                         << -1 << autoTask << QStringList{"data.csv:3:", "1 MiB"};
        QTest::newRow("blank line in the middle")
            << QByteArray("a,b\n1,0\n\n2,1\n") << -1 << autoTask << QStringList{"data.csv:3:", "blank line"};
        QTest::newRow("unclosed quote") << QByteArray("a,b\n1,0\n\"2,1\n") << -1 << autoTask
                                        << QStringList{"data.csv:3: column 1:", "not closed"};
    }

    void csvErrors() {
        QFETCH(QByteArray, content);
        QFETCH(int, labelColumn);
        QFETCH(int, task);
        QFETCH(QStringList, expectedParts);
        CsvOptions options;
        options.labelColumn = labelColumn;
        options.task = CsvOptions::Task(task);
        const std::string filePath = csvPath(content).toStdString();
        const QString message = dataErrorMessage([&] { loadCsv(filePath, options); });
        VERIFY_DATA_ERROR(message, "data.csv");
        for (const QString& part : expectedParts)
            VERIFY_DATA_ERROR(message, part);
    }

    void csvLongMessagesAreShortened() {
        const QByteArray longCell(5000, 'z');
        const QString message =
            dataErrorMessage([&] { loadCsv(csvPath("a,b\n" + longCell + ",1\n").toStdString()); });
        VERIFY_DATA_ERROR(message, "data.csv:2: column 1:");
        QVERIFY2(message.size() < 300, qPrintable(message));
    }

    void csvFileTooLarge() {
        // Sparse on the usual file systems, so this costs no disk space.
        const QString filePath = path("huge.csv");
        QFile file(filePath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        if (!file.resize((qint64(1) << 30) + 1))
            QSKIP("cannot create a sparse 1 GiB file here");
        file.close();
        const QString message = dataErrorMessage([&] { loadCsv(filePath.toStdString()); });
        QFile::remove(filePath);
        VERIFY_DATA_ERROR(message, "huge.csv");
        VERIFY_DATA_ERROR(message, "larger than 1 GiB");
    }

    void csvMissingFile() {
        const QString message = dataErrorMessage([&] { loadCsv(path("absent.csv").toStdString()); });
        VERIFY_DATA_ERROR(message, "absent.csv");
        VERIFY_DATA_ERROR(message, "no such file");
    }
};

QTEST_GUILESS_MAIN(LoaderTests)
#include "test_loaders.moc"
