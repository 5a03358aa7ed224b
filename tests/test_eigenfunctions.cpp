// The top NTK eigenvectors as functions of the input (core/eigenfunctions.h): the Nystrom extension gives
// back each eigenvector at the training points, agrees with a reference built from the explicit Jacobian
// and a dense eigen-solver, keeps its sign from epoch to epoch, and the trainer reports it only where it can
// be drawn and stays cheap.
#include "data_prep.h"
#include "eigenfunctions.h"
#include "ntk.h"
#include "trainer.h"

#include "test_helpers.h"

#include <QtTest>
#include <random>

using namespace ntk;
using ntk::testing::randomPoints;

namespace {

Mlp smallNetwork(int inputs, int outputs) {
    MlpShape s;
    s.inputDim = inputs;
    s.width = 12;
    s.depth = 2;
    s.outputs = outputs;
    s.activation = Activation::Tanh;
    return Mlp(s, 7);
}

RunConfig moons(int n) {
    RunConfig c;
    c.dataset = DatasetKind::Moons;
    c.trainSize = n;
    c.testSize = 20;
    c.width = 16;
    c.learningRate = 0.3;
    c.epochs = 6;
    c.ntkEvery = 2;
    return c;
}

} // namespace

class EigenfunctionsTest : public QObject {
    Q_OBJECT
private slots:
    void extensionGivesTheEigenvectorsBackAtTrainingPoints() {
        const Mlp model = smallNetwork(2, 3);
        const Eigen::MatrixXd x = randomPoints(30, 2, 1);
        const ForwardCache cache = model.forward(x);
        const Eigen::MatrixXd kernel = empiricalNtk(model, cache);
        auto functions = topEigenpairs(kernel, eigenfunctionCount, {});
        QVERIFY(functions);
        QCOMPARE(functions->count(), eigenfunctionCount);
        const Eigen::MatrixXd atTraining = nystromExtension(empiricalNtkCross(model, cache, cache),
                                                            functions->vectors, functions->eigenvalues);
        const double residual = (atTraining - functions->vectors).cwiseAbs().maxCoeff();
        QVERIFY2(residual < 1e-10, qPrintable(QString::number(residual)));
        // Through the network's derivatives, without the cross kernel: the same.
        const Eigen::MatrixXd derived =
            extendEigenvectors(model, cache, cache, functions->vectors, functions->eigenvalues);
        const double derivedResidual = (derived - functions->vectors).cwiseAbs().maxCoeff();
        QVERIFY2(derivedResidual < 1e-10, qPrintable(QString::number(derivedResidual)));
    }

    void agreesWithJacobianKernelAndDenseSolver() {
        // Reference: one explicit-Jacobian kernel over training and new points together, its training block
        // diagonalized densely, and phi_k = K(new, train) v_k / lambda_k from its off-diagonal block.
        const Mlp model = smallNetwork(2, 2);
        const Eigen::MatrixXd train = randomPoints(25, 2, 2), other = randomPoints(9, 2, 3);
        Eigen::MatrixXd all(train.rows() + other.rows(), 2);
        all << train, other;
        const Eigen::MatrixXd joint = explicitJacobianNtk(model, all);
        const Eigen::Index n = train.rows();
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> dense(joint.topLeftCorner(n, n));
        QCOMPARE(dense.info(), Eigen::Success);

        const ForwardCache trainCache = model.forward(train);
        auto functions = topEigenpairs(empiricalNtk(model, trainCache), eigenfunctionCount, {});
        QVERIFY(functions);
        const ForwardCache otherCache = model.forward(other);
        const Eigen::MatrixXd phi = nystromExtension(empiricalNtkCross(model, otherCache, trainCache),
                                                     functions->vectors, functions->eigenvalues);
        const Eigen::MatrixXd derived =
            extendEigenvectors(model, trainCache, otherCache, functions->vectors, functions->eigenvalues);
        for (int k = 0; k < functions->count(); ++k) {
            const Eigen::Index column = n - 1 - k; // ascending in the dense solver
            const double lambda = dense.eigenvalues()[column];
            QVERIFY(std::abs(functions->eigenvalues[k] - lambda) < 1e-8 * lambda);
            Eigen::VectorXd v = dense.eigenvectors().col(column);
            if (v.dot(functions->vectors.col(k)) < 0)
                v = -v; // the solvers may return either sign
            QVERIFY((v - functions->vectors.col(k)).norm() < 1e-6);
            const Eigen::VectorXd reference = joint.bottomLeftCorner(other.rows(), n) * v / lambda;
            const double error = (phi.col(k) - reference).norm() / reference.norm();
            QVERIFY2(error < 1e-6, qPrintable(QString("phi_%1: relative error %2").arg(k + 1).arg(error)));
            const double derivedError = (derived.col(k) - reference).norm() / reference.norm();
            QVERIFY2(derivedError < 1e-6,
                     qPrintable(QString("derived phi_%1: relative error %2").arg(k + 1).arg(derivedError)));
        }
    }

    void orientationFollowsThePreviousEpochElseTheSum() {
        Eigen::MatrixXd previous(4, 2);
        previous.col(0) << 0.8, 0.6, 0.0, 0.0;
        previous.col(1) << -0.5, 0.5, 0.5, -0.5; // sums to zero, its first entry negative
        // Each column as the solver might return it at the next epoch: moved a little and with either sign.
        // Neither the sum (negative for the first) nor the largest entry would give back the previous
        // orientation; the overlap with the previous epoch does.
        Eigen::MatrixXd moved(4, 2);
        moved.col(0) << 0.8, 0.5, -0.7, -0.7;
        moved.col(0).normalize();
        moved.col(1) = previous.col(1);
        for (const double sign : {1.0, -1.0}) {
            Eigen::MatrixXd oriented = sign * moved;
            orientEigenvectors(oriented, previous);
            QVERIFY(oriented.col(0).isApprox(moved.col(0)));
            QVERIFY(oriented.col(1).isApprox(previous.col(1)));
        }

        // Without a previous epoch: the sum positive, and for a zero sum the largest-magnitude entry.
        Eigen::MatrixXd first(4, 2);
        first.col(0) << -0.1, -0.7, 0.1, -0.7;
        first.col(1) << 0.1, -0.8, 0.6, 0.1;
        first.col(1) /= first.col(1).norm();
        orientEigenvectors(first, {});
        QVERIFY(first.col(0).sum() > 0.0);
        QVERIFY(std::abs(first.col(1).sum()) < 1e-12);
        QVERIFY(first(1, 1) > 0.0);
    }

    void imagesLoadOnTheLargestEntries() {
        Eigenfunctions functions;
        functions.eigenvalues = Eigen::Vector2d(3.0, 1.0);
        functions.vectors.resize(4, 2);
        functions.vectors.col(0) << 0.1, -0.9, 0.3, 0.3;
        functions.vectors.col(1) << 0.7, 0.1, -0.1, 0.7;
        const Eigen::MatrixXd features = randomPoints(4, 9, 4);
        addImageLoadings(functions, features, 3, 3);
        QVERIFY(functions.meanImages.row(0).isApprox(0.1 * features.row(0) - 0.9 * features.row(1) +
                                                     0.3 * features.row(2) + 0.3 * features.row(3)));
        QCOMPARE(functions.topImages.cols(), topLoadingImageCount);
        QCOMPARE(functions.topImages(0, 0), 1);
        QCOMPARE(functions.topImages(0, 1), 2); // ties keep the lower index first
        QCOMPARE(functions.topImages(0, 2), 3);
        QCOMPARE(functions.topImages(1, 0), 0);
        QCOMPARE(functions.topImages(1, 1), 3);
        QCOMPARE(squareImageSide(784), 28);
        QCOMPARE(squareImageSide(4 * 3), 0);
    }

    void trainerReportsThemOnNtkEpochsOfDrawableData() {
        const RunConfig config = moons(40);
        Trainer trainer(config, prepareData(config));
        trainer.setEigenfunctions(true);
        int withFunctions = 0;
        Eigen::MatrixXd previous;
        while (auto report = trainer.advance()) {
            QCOMPARE(report->eigenfunctions != nullptr, report->hasKernel);
            if (!report->eigenfunctions)
                continue;
            ++withFunctions;
            const Eigenfunctions& f = *report->eigenfunctions;
            QCOMPARE(f.count(), eigenfunctionCount);
            QVERIFY(f.grid);
            QCOMPARE(f.grid->points.rows(), eigenfunctionGridResolution * eigenfunctionGridResolution);
            QCOMPARE(f.values.rows(), f.grid->points.rows());
            QVERIFY(f.values.allFinite());
            // The eigenvalues are those of the epoch's kernel.
            for (int k = 0; k < f.count(); ++k)
                QVERIFY(std::abs(f.eigenvalues[k] - report->eigenvalues[k]) < 1e-8 * report->eigenvalues[0]);
            // A few epochs of training move the kernel little: no eigenvector turns its sign around.
            if (previous.size() > 0)
                for (int k = 0; k < f.count(); ++k)
                    QVERIFY(f.vectors.col(k).dot(previous.col(k)) > -0.5);
            previous = f.vectors;
        }
        QCOMPARE(withFunctions, 4); // epochs 0, 2, 4, 6
    }

    void onlyWhenAsked() {
        // Sweeps and `ntkviz-cli train` draw none: their trainers leave them off.
        const RunConfig config = moons(40);
        Trainer trainer(config, prepareData(config));
        auto report = trainer.advance();
        QVERIFY(report && report->hasKernel);
        QVERIFY(!report->eigenfunctions);
    }

    void aLongRunGetsAtMostTheFrameBudget() {
        RunConfig config = moons(20);
        config.width = 8;
        config.epochs = 250;
        config.ntkEvery = 1;
        Trainer trainer(config, prepareData(config));
        trainer.setEigenfunctions(true);
        std::vector<int> epochs;
        while (auto report = trainer.advance())
            if (report->eigenfunctions)
                epochs.push_back(report->epoch);
        QVERIFY2(int(epochs.size()) <= eigenfunctionFrames + 1, qPrintable(QString::number(epochs.size())));
        QVERIFY(epochs.size() >= eigenfunctionFrames / 2);
        QCOMPARE(epochs.front(), 0);
        QCOMPARE(epochs.back(), config.epochs);
    }

    void noneWhereTheyCannotBeDrawnOrAreNotCheap() {
        // Four features that are not an image, and too many points.
        RunConfig blobs = moons(40);
        blobs.dataset = DatasetKind::Blobs;
        PreparedData data = prepareData(blobs);
        for (Dataset* set : {&data.train, &data.test}) {
            Eigen::MatrixXd wider(set->size(), 4);
            wider << set->features, set->features.array().square().matrix();
            set->features = wider;
        }
        Trainer fourFeatures(blobs, std::move(data));
        fourFeatures.setEigenfunctions(true);
        auto report = fourFeatures.advance();
        QVERIFY(report && report->hasKernel);
        QVERIFY(!report->eigenfunctions);

        RunConfig large = moons(maxEigenfunctionPoints + 1);
        large.epochs = 1;
        large.width = 4;
        Trainer tooMany(large, prepareData(large));
        tooMany.setEigenfunctions(true);
        report = tooMany.advance();
        QVERIFY(report && report->hasKernel);
        QVERIFY(!report->eigenfunctions);
    }

    void raisedFlagCancels() {
        const Mlp model = smallNetwork(2, 1);
        const Eigen::MatrixXd points = randomPoints(30, 2, 5);
        const ForwardCache cache = model.forward(points);
        const Eigen::MatrixXd kernel = empiricalNtk(model, cache);
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(Cancelled, topEigenpairs(kernel, eigenfunctionCount, {}, &cancel));
        auto functions = topEigenpairs(kernel, eigenfunctionCount, {});
        QVERIFY(functions);
        QVERIFY_THROWS_EXCEPTION(Cancelled, extendEigenvectors(model, cache, cache, functions->vectors,
                                                               functions->eigenvalues, &cancel));
    }
};

QTEST_APPLESS_MAIN(EigenfunctionsTest)
#include "test_eigenfunctions.moc"
