#pragma once
// What the network predicts over the input plane (2-D data) or line (1-D data), for drawing decision
// regions and regression curves next to the data points.
#include "dataset.h"
#include "mlp.h"

#include <optional>

namespace ntk {

struct PredictionGrid {
    int dimension = 0; // 1 or 2
    double xMin = 0, xMax = 0, yMin = 0, yMax = 0;
    // 2-D: rows x columns cells, row r at y = yMin + (r + 0.5) * cell height. `predictedClass` holds the
    // argmax class, `confidence` its softmax probability (for regression, the output itself).
    Eigen::MatrixXi predictedClass;
    Eigen::MatrixXd confidence;
    // 1-D: the network output at xs (regression) or the probability of class 1 (classification).
    Eigen::VectorXd xs, curve;
};

// The points a grid evaluates at: 1-D, resolution * 4 points from xMin to xMax; 2-D, the centres of
// resolution x resolution cells, point r * resolution + c at x = xMin + (c + 0.5) * cell width,
// y = yMin + (r + 0.5) * cell height. Bounds cover both sets with a 10% margin. nullopt for data with more
// than two input dimensions. The prediction plot and the eigenfunctions (eigenfunctions.h) share it.
struct GridPoints {
    int dimension = 0; // 1 or 2
    int resolution = 0;
    double xMin = 0, xMax = 0, yMin = 0, yMax = 0;
    Eigen::MatrixXd points; // one row per point
};
std::optional<GridPoints> gridPoints(const Dataset& train, const Dataset& test, int resolution);

// nullopt for data with more than two input dimensions.
std::optional<PredictionGrid> predictionGrid(const Mlp& model, const Dataset& train, const Dataset& test,
                                             int resolution);

} // namespace ntk
