#include "eigenfunctions.h"

#include "spectrum.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace ntk {

std::optional<Eigenfunctions> topEigenpairs(const Eigen::MatrixXd& kernel, int count,
                                            const Eigen::MatrixXd& previous, CancelFlag cancel) {
    const int wanted = std::min<int>(count, int(kernel.rows()));
    if (wanted < 1)
        return std::nullopt;
    const Spectrum spectrum = topSpectrum(kernel, wanted, true, cancel);
    if (!spectrum.ok())
        return std::nullopt;
    // Only eigenvalues clearly above round-off: phi_k divides by lambda_k.
    const double floor = 1e-12 * std::max(1.0, spectrum.eigenvalues.cwiseAbs().maxCoeff());
    int kept = 0;
    while (kept < spectrum.eigenvalues.size() && spectrum.eigenvalues[kept] > floor)
        ++kept;
    if (kept == 0)
        return std::nullopt;
    Eigenfunctions functions;
    functions.eigenvalues = spectrum.eigenvalues.head(kept);
    functions.vectors = spectrum.eigenvectors.leftCols(kept);
    orientEigenvectors(functions.vectors, previous);
    return functions;
}

void orientEigenvectors(Eigen::MatrixXd& vectors, const Eigen::MatrixXd& previous) {
    for (Eigen::Index k = 0; k < vectors.cols(); ++k) {
        auto v = vectors.col(k);
        double direction = 0.0;
        if (previous.rows() == vectors.rows() && k < previous.cols()) {
            const double overlap = v.dot(previous.col(k));
            if (std::abs(overlap) >= 0.5)
                direction = overlap;
        }
        if (direction == 0.0) {
            const double sum = v.sum();
            // Negligible next to the largest possible sum of a unit vector, sqrt(n).
            if (std::abs(sum) > 1e-6 * std::sqrt(double(v.size()))) {
                direction = sum;
            } else {
                Eigen::Index largest = 0;
                v.cwiseAbs().maxCoeff(&largest);
                direction = v[largest];
            }
        }
        if (direction < 0.0)
            v = -v;
    }
}

Eigen::MatrixXd outputDerivative(const Mlp& model, const ForwardCache& points, const LayerSet& direction) {
    const int depth = model.shape().depth;
    // z_l = c_w(l) a_{l-1} W_l^T + c_b b_l, so dz_l = c_w(l) (da_{l-1} W_l^T + a_{l-1} dW_l^T) + c_b db_l,
    // and da_l = phi'(z_l) o dz_l; the input does not depend on the parameters.
    Eigen::MatrixXd inputChange;
    for (int l = 0;; ++l) {
        const double cw = model.weightScale(l);
        Eigen::MatrixXd change = cw * (points.input(l) * direction[l].weight.transpose());
        if (l > 0)
            change.noalias() += cw * (inputChange * model.layers()[l].weight.transpose());
        change.rowwise() += model.biasScale() * direction[l].bias.transpose();
        if (l == depth)
            return change;
        inputChange = change.cwiseProduct(points.slopes[l]);
    }
}

Eigen::MatrixXd extendEigenvectors(const Mlp& model, const ForwardCache& train, const ForwardCache& points,
                                   const Eigen::MatrixXd& vectors, const Eigen::VectorXd& eigenvalues,
                                   CancelFlag cancel) {
    const int outputs = model.shape().outputs;
    Eigen::MatrixXd values = Eigen::MatrixXd::Zero(points.output.rows(), vectors.cols());
    Eigen::MatrixXd weights = Eigen::MatrixXd::Zero(vectors.rows(), outputs);
    for (Eigen::Index k = 0; k < vectors.cols(); ++k) {
        for (int o = 0; o < outputs; ++o) {
            throwIfCancelled(cancel);
            weights.setZero();
            weights.col(o) = vectors.col(k);
            // backward() with these output weights gives sum_i v_k(i) grad f_o(x_i).
            values.col(k) += outputDerivative(model, points, model.backward(train, weights)).col(o);
        }
        values.col(k) /= eigenvalues[k];
    }
    return values;
}

Eigen::MatrixXd nystromExtension(const Eigen::MatrixXd& crossKernel, const Eigen::MatrixXd& vectors,
                                 const Eigen::VectorXd& eigenvalues) {
    return (crossKernel * vectors) * eigenvalues.cwiseInverse().asDiagonal();
}

void addImageLoadings(Eigenfunctions& functions, const Eigen::MatrixXd& features, int imageWidth,
                      int imageHeight) {
    functions.imageWidth = imageWidth;
    functions.imageHeight = imageHeight;
    functions.meanImages = functions.vectors.transpose() * features;
    const int m = functions.count();
    const int top = std::min<int>(topLoadingImageCount, int(features.rows()));
    functions.topImages.resize(m, top);
    std::vector<int> order(features.rows());
    for (int k = 0; k < m; ++k) {
        std::iota(order.begin(), order.end(), 0);
        const auto v = functions.vectors.col(k);
        // Ties (equal magnitudes) keep the lower index first, so the choice does not depend on the sort.
        std::partial_sort(order.begin(), order.begin() + top, order.end(), [&](int a, int b) {
            const double ma = std::abs(v[a]), mb = std::abs(v[b]);
            return ma != mb ? ma > mb : a < b;
        });
        for (int j = 0; j < top; ++j)
            functions.topImages(k, j) = order[j];
    }
}

int squareImageSide(Eigen::Index features) {
    const auto side = Eigen::Index(std::lround(std::sqrt(double(features))));
    return side > 1 && side * side == features ? int(side) : 0;
}

} // namespace ntk
