#include "prediction_grid.h"

namespace ntk {
namespace {

Eigen::MatrixXd softmaxRows(const Eigen::MatrixXd& logits) {
    Eigen::MatrixXd shifted = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp().matrix();
    return shifted.array().colwise() / shifted.rowwise().sum().array();
}

} // namespace

std::optional<PredictionGrid> predictionGrid(const Mlp& model, const Dataset& train, const Dataset& test,
                                             int resolution) {
    const Eigen::Index d = train.dimension();
    if (d < 1 || d > 2 || resolution < 2)
        return std::nullopt;
    Eigen::MatrixXd all(train.size() + test.size(), d);
    all << train.features, test.features;
    const Eigen::RowVectorXd low = all.colwise().minCoeff(), high = all.colwise().maxCoeff();
    const Eigen::RowVectorXd margin = ((high - low) * 0.1).cwiseMax(1e-3);
    PredictionGrid grid;
    grid.dimension = int(d);
    grid.xMin = low[0] - margin[0];
    grid.xMax = high[0] + margin[0];
    const bool classification = train.task == TaskKind::Classification;
    if (d == 1) {
        grid.xs = Eigen::VectorXd::LinSpaced(resolution * 4, grid.xMin, grid.xMax);
        const Eigen::MatrixXd out = model.predict(grid.xs);
        grid.curve = classification && out.cols() > 1 ? Eigen::VectorXd(softmaxRows(out).col(1))
                                                      : Eigen::VectorXd(out.col(0));
        return grid;
    }
    grid.yMin = low[1] - margin[1];
    grid.yMax = high[1] + margin[1];
    Eigen::MatrixXd points(resolution * resolution, 2);
    const double dx = (grid.xMax - grid.xMin) / resolution, dy = (grid.yMax - grid.yMin) / resolution;
    for (int r = 0; r < resolution; ++r)
        for (int c = 0; c < resolution; ++c)
            points.row(r * resolution + c) << grid.xMin + (c + 0.5) * dx, grid.yMin + (r + 0.5) * dy;
    const Eigen::MatrixXd out = model.predict(points);
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
