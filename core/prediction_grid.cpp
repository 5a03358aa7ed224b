#include "prediction_grid.h"

namespace ntk {
namespace {

Eigen::MatrixXd softmaxRows(const Eigen::MatrixXd& logits) {
    Eigen::MatrixXd shifted = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp().matrix();
    return shifted.array().colwise() / shifted.rowwise().sum().array();
}

} // namespace

std::optional<GridPoints> gridPoints(const Dataset& train, const Dataset& test, int resolution) {
    const Eigen::Index d = train.dimension();
    if (d < 1 || d > 2 || resolution < 2)
        return std::nullopt;
    Eigen::MatrixXd all(train.size() + test.size(), d);
    all << train.features, test.features;
    const Eigen::RowVectorXd low = all.colwise().minCoeff(), high = all.colwise().maxCoeff();
    const Eigen::RowVectorXd margin = ((high - low) * 0.1).cwiseMax(1e-3);
    GridPoints grid;
    grid.dimension = int(d);
    grid.resolution = resolution;
    grid.xMin = low[0] - margin[0];
    grid.xMax = high[0] + margin[0];
    if (d == 1) {
        grid.points = Eigen::VectorXd::LinSpaced(resolution * 4, grid.xMin, grid.xMax);
        return grid;
    }
    grid.yMin = low[1] - margin[1];
    grid.yMax = high[1] + margin[1];
    grid.points.resize(resolution * resolution, 2);
    const double dx = (grid.xMax - grid.xMin) / resolution, dy = (grid.yMax - grid.yMin) / resolution;
    for (int r = 0; r < resolution; ++r)
        for (int c = 0; c < resolution; ++c)
            grid.points.row(r * resolution + c) << grid.xMin + (c + 0.5) * dx, grid.yMin + (r + 0.5) * dy;
    return grid;
}

std::optional<PredictionGrid> predictionGrid(const Mlp& model, const Dataset& train, const Dataset& test,
                                             int resolution) {
    const std::optional<GridPoints> at = gridPoints(train, test, resolution);
    if (!at)
        return std::nullopt;
    PredictionGrid grid;
    grid.dimension = at->dimension;
    grid.xMin = at->xMin;
    grid.xMax = at->xMax;
    grid.yMin = at->yMin;
    grid.yMax = at->yMax;
    const bool classification = train.task == TaskKind::Classification;
    const Eigen::MatrixXd out = model.predict(at->points);
    if (at->dimension == 1) {
        grid.xs = at->points.col(0);
        grid.curve = classification && out.cols() > 1 ? Eigen::VectorXd(softmaxRows(out).col(1))
                                                      : Eigen::VectorXd(out.col(0));
        return grid;
    }
    grid.predictedClass.resize(resolution, resolution);
    grid.confidence.resize(resolution, resolution);
    const Eigen::MatrixXd probabilities = classification ? softmaxRows(out) : out;
    for (int r = 0; r < resolution; ++r)
        for (int c = 0; c < resolution; ++c) {
            Eigen::Index best = 0;
            const double value = probabilities.row(r * resolution + c).maxCoeff(&best);
            grid.predictedClass(r, c) = int(best);
            grid.confidence(r, c) = value;
        }
    return grid;
}

} // namespace ntk
