// Tests for the .npy encoder and decoder: exact round trips, the 64-byte header alignment, rejection of
// malformed input, and (when numpy is installed) agreement with numpy.load / numpy.save.
#include "data_error.h"
#include "npy.h"

#include <QtTest>

#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

using namespace ntk;

namespace {

constexpr std::size_t version1PreambleBytes = 10;
const QString pythonPath = QStringLiteral("/usr/bin/python3");

std::size_t version1HeaderLength(const std::string& bytes) {
    return static_cast<unsigned char>(bytes[8]) | std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
}

template <typename Scalar> std::string rawBytes(const std::vector<Scalar>& values) {
    std::string bytes(values.size() * sizeof(Scalar), '\0');
    if (!values.empty())
        std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

// A .npy file with the given version and header dict, padded the way numpy pads it.
std::string npyFile(int major, const std::string& dict, const std::string& payload) {
    const std::size_t preamble = major == 1 ? 10 : 12;
    std::string header = dict;
    header.append((64 - (preamble + header.size() + 1) % 64) % 64, ' ');
    header += '\n';
    std::string bytes = "\x93NUMPY";
    bytes += char(major);
    bytes += '\0';
    const std::size_t lengthBytes = preamble - 8;
    for (std::size_t i = 0; i < lengthBytes; ++i)
        bytes += char((header.size() >> (8 * i)) & 0xff);
    return bytes + header + payload;
}

QString dataErrorMessage(const std::function<void()>& action) {
    try {
        action();
    } catch (const DataError& error) {
        return QString::fromStdString(error.what());
    } catch (const std::exception& error) {
        return QStringLiteral("<not a DataError: %1>").arg(QString::fromStdString(error.what()));
    }
    return {};
}

void verifyBitwiseEqual(const std::vector<double>& actual, const std::vector<double>& expected) {
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(std::memcmp(&actual[i], &expected[i], sizeof(double)) == 0,
                 qPrintable(QStringLiteral("element %1: %2 != %3")
                                .arg(i)
                                .arg(actual[i], 0, 'g', 17)
                                .arg(expected[i], 0, 'g', 17)));
}

bool numpyAvailable() {
    return QFileInfo::exists(pythonPath) && QProcess::execute(pythonPath, {"-c", "import numpy"}) == 0;
}

QByteArray runPython(const QString& script, const QStringList& arguments) {
    QProcess python;
    python.start(pythonPath, QStringList{"-c", script} + arguments);
    if (!python.waitForFinished(120000) || python.exitStatus() != QProcess::NormalExit ||
        python.exitCode() != 0) {
        qWarning().noquote() << python.readAllStandardError();
        return {};
    }
    return python.readAllStandardOutput();
}

std::string readWholeFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

bool writeWholeFile(const QString& path, const std::string& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) &&
           file.write(bytes.data(), qint64(bytes.size())) == qint64(bytes.size());
}

// Values whose bit patterns would expose any byte-order, precision or layout mistake.
Eigen::MatrixXd awkwardMatrix() {
    Eigen::MatrixXd m(3, 4);
    m << 0.25, -0.0, 1e-300, 1e300,                                          //
        std::numeric_limits<double>::denorm_min(), 3.141592653589793, -7, 8, //
        9.5, 10.125, std::numeric_limits<double>::max(), -1.0 / 3.0;
    return m;
}

} // namespace

class NpyTests : public QObject {
    Q_OBJECT

private slots:
    void matrixRoundTrip() {
        const Eigen::MatrixXd m = awkwardMatrix();
        const NpyArray array = decodeNpy(encodeNpy(m));
        QCOMPARE(array.descr, std::string("<f8"));
        QCOMPARE(array.shape, (std::vector<std::size_t>{3, 4}));
        std::vector<double> rowMajor;
        for (Eigen::Index row = 0; row < m.rows(); ++row)
            for (Eigen::Index column = 0; column < m.cols(); ++column)
                rowMajor.push_back(m(row, column));
        verifyBitwiseEqual(array.data, rowMajor);
    }

    void packedKernelStreamsAsTheWholeMatrix() {
        // ntk_init.npy is written from the packed initial kernel: the same bytes as from the whole matrix,
        // also when the blocks it is unpacked in do not divide n.
        for (const int n : {0, 1, 5, 1200}) {
            Eigen::MatrixXd a = Eigen::MatrixXd::Random(n, n);
            const Eigen::MatrixXd k = a * a.transpose();
            std::string dense, packed;
            streamNpy(k, true, [&](const char* bytes, std::size_t size) {
                dense.append(bytes, size);
                return true;
            });
            streamNpy(PackedSymmetricMatrix(k), [&](const char* bytes, std::size_t size) {
                packed.append(bytes, size);
                return true;
            });
            QVERIFY2(dense == packed, qPrintable(QString("n = %1").arg(n)));
        }
    }

    void vectorRoundTrip() {
        const Eigen::VectorXd v = (Eigen::VectorXd(5) << -1.5, 0, 2.0 / 3.0, 1e-310, 6.02e23).finished();
        const NpyArray array = decodeNpy(encodeNpy(v));
        QCOMPARE(array.descr, std::string("<f8"));
        QCOMPARE(array.shape, (std::vector<std::size_t>{5}));
        verifyBitwiseEqual(array.data, std::vector<double>(v.data(), v.data() + v.size()));
    }

    void intVectorRoundTrip() {
        const Eigen::VectorXi v = (Eigen::VectorXi(5) << 0, -1, 42, std::numeric_limits<int>::max(),
                                   std::numeric_limits<int>::min())
                                      .finished();
        const std::string bytes = encodeNpy(v);
        const NpyArray array = decodeNpy(bytes);
        QCOMPARE(array.descr, std::string("<i8"));
        QCOMPARE(array.shape, (std::vector<std::size_t>{5}));
        QCOMPARE(bytes.size(), version1PreambleBytes + version1HeaderLength(bytes) + 5 * 8);
        verifyBitwiseEqual(array.data, {0, -1, 42, 2147483647.0, -2147483648.0});
    }

    void emptyArrays() {
        NpyArray array = decodeNpy(encodeNpy(Eigen::MatrixXd(0, 3)));
        QCOMPARE(array.shape, (std::vector<std::size_t>{0, 3}));
        QVERIFY(array.data.empty());
        array = decodeNpy(encodeNpy(Eigen::VectorXd()));
        QCOMPARE(array.shape, (std::vector<std::size_t>{0}));
        QVERIFY(array.data.empty());
    }

    void headerLayout() {
        const std::string bytes = encodeNpy(Eigen::MatrixXd::Zero(2, 3).eval());
        QVERIFY(bytes.starts_with(std::string("\x93NUMPY\x01\x00", 8)));
        const std::size_t headerLength = version1HeaderLength(bytes);
        QCOMPARE((version1PreambleBytes + headerLength) % 64, std::size_t(0));
        QCOMPARE(bytes.size(), version1PreambleBytes + headerLength + 6 * 8);
        const std::string header = bytes.substr(version1PreambleBytes, headerLength);
        const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        QVERIFY(header.starts_with(dict));
        QCOMPARE(header.back(), '\n');
        QCOMPARE(header.find_first_not_of(' ', dict.size()), headerLength - 1);

        const std::string vectorHeader =
            encodeNpy(Eigen::VectorXd::Zero(7).eval()).substr(version1PreambleBytes);
        QVERIFY(vectorHeader.starts_with("{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }"));

        for (const std::string& encoded :
             {encodeNpy(Eigen::MatrixXd(0, 123456789)), encodeNpy(Eigen::VectorXi::Zero(1).eval()),
              encodeNpy(Eigen::MatrixXd::Ones(1, 1).eval()), encodeNpy(Eigen::MatrixXd(1234567, 0))})
            QCOMPARE((version1PreambleBytes + version1HeaderLength(encoded)) % 64, std::size_t(0));
    }

    void decodeOtherTypesAndVersion2() {
        NpyArray array = decodeNpy(npyFile(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                                           rawBytes(std::vector<float>{1.5f, -2.0f, 3.25f, 1e-3f})));
        QCOMPARE(array.descr, std::string("<f4"));
        QCOMPARE(array.shape, (std::vector<std::size_t>{2, 2}));
        verifyBitwiseEqual(array.data, {1.5, -2.0, 3.25, double(1e-3f)});

        array = decodeNpy(npyFile(1, "{'shape': (3L,), 'fortran_order': False, 'descr': '<i4'}",
                                  rawBytes(std::vector<std::int32_t>{-5, 0, 7})));
        QCOMPARE(array.shape, (std::vector<std::size_t>{3}));
        verifyBitwiseEqual(array.data, {-5, 0, 7});

        array = decodeNpy(npyFile(1, "{\"descr\": \"<i8\", \"fortran_order\": False, \"shape\": (), }",
                                  rawBytes(std::vector<std::int64_t>{-(std::int64_t(1) << 40)})));
        QVERIFY(array.shape.empty());
        verifyBitwiseEqual(array.data, {-1099511627776.0});
    }

    void decodeMalformed_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expectedPart");

        const auto row = [](const char* name, const std::string& bytes, const char* expectedPart) {
            QTest::newRow(name) << QByteArray::fromStdString(bytes) << QString(expectedPart);
        };
        const std::string goodDict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
        const std::string twoDoubles = rawBytes(std::vector<double>{1, 2});
        const std::string good = npyFile(1, goodDict, twoDoubles);

        row("empty", "", "too short");
        row("not npy", "PK\x03\x04 this is a zip file", "not a .npy file");
        row("preamble cut", good.substr(0, 8), "truncated");
        row("version 3.0", npyFile(3, goodDict, twoDoubles), "version 3.0");
        std::string minorVersion1 = good;
        minorVersion1[7] = '\x01';
        row("version 1.1", minorVersion1, "version 1.1");
        row("header cut", good.substr(0, 40), "truncated: the header claims");
        row("data cut", good.substr(0, good.size() - 1), "needs more than");
        row("trailing bytes", good + "x", "1 unexpected bytes");
        row("shape too large",
            npyFile(1,
                    "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, "
                    "4611686018427387904, 16), }",
                    twoDoubles),
            "needs more than");
        row("dimension beyond 64 bits",
            npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", ""),
            "does not fit in 64 bits");
        row("negative dimension",
            npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", ""),
            "expected a dimension size");
        row("fortran order",
            npyFile(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", twoDoubles), "Fortran");
        row("fortran_order not a bool",
            npyFile(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }", twoDoubles), "True or False");
        row("big endian", npyFile(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", twoDoubles),
            "unsupported dtype '>f8'");
        row("bytes", npyFile(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", "ab"),
            "unsupported dtype '|u1'");
        row("missing shape", npyFile(1, "{'descr': '<f8', 'fortran_order': False}", twoDoubles),
            "must contain");
        row("unknown key",
            npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}", twoDoubles),
            "unexpected or repeated key 'extra'");
        row("repeated key",
            npyFile(1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", twoDoubles),
            "unexpected or repeated key 'descr'");
        row("not a dict", npyFile(1, "[1, 2]", twoDoubles), "malformed header");
        row("unterminated string", npyFile(1, "{'descr: <f8}", twoDoubles), "unterminated string");
        row("text after the dict", npyFile(1, goodDict + " junk", twoDoubles), "unexpected text after");
        row("shape not a tuple",
            npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': [2], }", twoDoubles),
            "malformed header");
    }

    void decodeMalformed() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expectedPart);
        const QString message = dataErrorMessage([&] { decodeNpy(bytes.toStdString(), "test.npy"); });
        QVERIFY2(!message.isEmpty(), "no DataError thrown");
        QVERIFY2(message.startsWith("test.npy: "), qPrintable(message));
        QVERIFY2(message.contains(expectedPart), qPrintable(message));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
    }

    void defaultSourceName() {
        const QString message = dataErrorMessage([] { decodeNpy("garbage"); });
        QVERIFY2(message.startsWith("npy data: "), qPrintable(message));
    }

    void numpyLoadsOurFiles() {
        if (!numpyAvailable())
            QSKIP("/usr/bin/python3 with numpy is not available");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Eigen::MatrixXd matrix = awkwardMatrix();
        const Eigen::VectorXd vector = (Eigen::VectorXd(3) << 0.1, -2.5, 1e-310).finished();
        const Eigen::VectorXi labels =
            (Eigen::VectorXi(4) << 3, -1, 0, std::numeric_limits<int>::min()).finished();
        const QStringList paths = {dir.filePath("matrix.npy"), dir.filePath("vector.npy"),
                                   dir.filePath("labels.npy")};
        QVERIFY(writeWholeFile(paths[0], encodeNpy(matrix)));
        QVERIFY(writeWholeFile(paths[1], encodeNpy(vector)));
        QVERIFY(writeWholeFile(paths[2], encodeNpy(labels)));

        // repr() of a Python float round-trips exactly, so comparing through JSON is bit-exact.
        const QByteArray output = runPython(QStringLiteral(R"(
import json, sys, numpy
arrays = [numpy.load(path, allow_pickle=False) for path in sys.argv[1:]]
print(json.dumps([{"shape": list(a.shape), "dtype": a.dtype.str, "c_order": bool(a.flags.c_contiguous),
                   "values": [float(x) for x in a.ravel(order="C")]} for a in arrays]))
)"),
                                            paths);
        QVERIFY2(!output.isEmpty(), "python failed, see the warning above");
        const QJsonArray arrays = QJsonDocument::fromJson(output).array();
        QCOMPARE(arrays.size(), 3);

        const auto check = [](const QJsonObject& loaded, const QString& dtype, const QVariantList& shape,
                              const std::vector<double>& values) {
            QCOMPARE(loaded["dtype"].toString(), dtype);
            QCOMPARE(loaded["shape"].toArray().toVariantList(), shape);
            QVERIFY(loaded["c_order"].toBool());
            // Compared with == rather than bitwise: Qt's JSON parser turns -0.0 into 0.
            const QJsonArray loadedValues = loaded["values"].toArray();
            QCOMPARE(std::size_t(loadedValues.size()), values.size());
            for (std::size_t i = 0; i < values.size(); ++i)
                QVERIFY2(loadedValues[qsizetype(i)].toDouble() == values[i], qPrintable(QString::number(i)));
        };
        std::vector<double> matrixRowMajor;
        for (Eigen::Index row = 0; row < matrix.rows(); ++row)
            for (Eigen::Index column = 0; column < matrix.cols(); ++column)
                matrixRowMajor.push_back(matrix(row, column));
        check(arrays[0].toObject(), "<f8", {3, 4}, matrixRowMajor);
        check(arrays[1].toObject(), "<f8", {3}, {0.1, -2.5, 1e-310});
        check(arrays[2].toObject(), "<i8", {4}, {3, -1, 0, -2147483648.0});
    }

    void weDecodeNumpyFiles() {
        if (!numpyAvailable())
            QSKIP("/usr/bin/python3 with numpy is not available");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray output = runPython(QStringLiteral(R"(
import sys, numpy
from numpy.lib import format
out = sys.argv[1]
grid = numpy.arange(12).reshape(3, 4) / 8 - 0.5
numpy.save(out + "/f8.npy", grid)
numpy.save(out + "/f4.npy", grid.astype("<f4"))
numpy.save(out + "/i4.npy", numpy.arange(-3, 3, dtype="<i4"))
numpy.save(out + "/i8.npy", numpy.arange(12, dtype="<i8").reshape(2, 6) * -1000000007)
numpy.save(out + "/scalar.npy", numpy.float64(2.5))
numpy.save(out + "/fortran.npy", numpy.asfortranarray(grid))
with open(out + "/v2.npy", "wb") as f:
    format.write_array(f, grid, version=(2, 0))
print("ok")
)"),
                                            {dir.path()});
        QCOMPARE(output.trimmed(), QByteArray("ok"));

        std::vector<double> grid;
        for (int i = 0; i < 12; ++i)
            grid.push_back(i / 8.0 - 0.5);
        const auto decodeFile = [&](const char* name) {
            return decodeNpy(readWholeFile(dir.filePath(name)), name);
        };

        NpyArray array = decodeFile("f8.npy");
        QCOMPARE(array.descr, std::string("<f8"));
        QCOMPARE(array.shape, (std::vector<std::size_t>{3, 4}));
        verifyBitwiseEqual(array.data, grid);

        array = decodeFile("f4.npy");
        QCOMPARE(array.descr, std::string("<f4"));
        verifyBitwiseEqual(array.data, grid); // multiples of 1/8 are exact in float

        array = decodeFile("v2.npy");
        QCOMPARE(array.shape, (std::vector<std::size_t>{3, 4}));
        verifyBitwiseEqual(array.data, grid);

        array = decodeFile("i4.npy");
        QCOMPARE(array.descr, std::string("<i4"));
        verifyBitwiseEqual(array.data, {-3, -2, -1, 0, 1, 2});

        array = decodeFile("i8.npy");
        QCOMPARE(array.shape, (std::vector<std::size_t>{2, 6}));
        std::vector<double> scaled;
        for (int i = 0; i < 12; ++i)
            scaled.push_back(double(std::int64_t(i) * -1000000007));
        verifyBitwiseEqual(array.data, scaled);

        array = decodeFile("scalar.npy");
        QVERIFY(array.shape.empty());
        verifyBitwiseEqual(array.data, {2.5});

        const QString message = dataErrorMessage([&] { decodeFile("fortran.npy"); });
        QVERIFY2(message.contains("fortran.npy") && message.contains("Fortran"), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(NpyTests)
#include "test_npy.moc"
