#include "loss.h"

namespace ntk {
namespace {

// Row-wise log-sum-exp, shifted by the row maximum so large logits do not overflow.
Eigen::VectorXd logSumExp(const Eigen::MatrixXd& logits, Eigen::MatrixXd* softmax) {
    const Eigen::VectorXd rowMax = logits.rowwise().maxCoeff();
    Eigen::MatrixXd shifted = (logits.colwise() - rowMax).array().exp().matrix();
    const Eigen::VectorXd sums = shifted.rowwise().sum();
    if (softmax)
        *softmax = shifted.array().colwise() / sums.array();
    return rowMax.array() + sums.array().log();
}

} // namespace

double lossAndGradient(LossKind kind, const Eigen::MatrixXd& output, const Eigen::MatrixXd& targets,
                       Eigen::MatrixXd& gradient) {
    const double n = double(output.rows());
    if (kind == LossKind::CrossEntropy) {
        Eigen::MatrixXd softmax;
        const Eigen::VectorXd lse = logSumExp(output, &softmax);
        const double value = (lse - output.cwiseProduct(targets).rowwise().sum()).sum() / n;
        gradient = (softmax - targets) / n;
        return value;
    }
    const double scale = n * double(output.cols());
    gradient = (output - targets) / scale;
    return 0.5 * (output - targets).squaredNorm() / scale;
}

double lossValue(LossKind kind, const Eigen::MatrixXd& output, const Eigen::MatrixXd& targets) {
    if (output.rows() == 0)
        return 0.0;
    if (kind == LossKind::CrossEntropy)
        return (logSumExp(output, nullptr) - output.cwiseProduct(targets).rowwise().sum()).sum() /
               double(output.rows());
    return 0.5 * (output - targets).squaredNorm() / (double(output.rows()) * double(output.cols()));
}

double accuracy(const Eigen::MatrixXd& output, const Eigen::VectorXi& labels) {
    if (output.rows() == 0)
        return 0.0;
    Eigen::Index correct = 0;
    for (Eigen::Index i = 0; i < output.rows(); ++i) {
        Eigen::Index predicted;
        output.row(i).maxCoeff(&predicted);
        correct += predicted == labels[i];
    }
    return double(correct) / double(output.rows());
}

} // namespace ntk
