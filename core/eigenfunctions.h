#pragma once
// The top eigenvectors of the training kernel K (n x n, summed over outputs) seen as functions of the
// input. An eigenvector v_k lives on the training points only; the Nystrom extension
//     phi_k(x) = sum_i K(x, x_i) v_k(i) / lambda_k
// carries it to any input x through the train x x kernel, and gives back v_k at the training points
// (there K v_k = lambda_k v_k). Gradient descent fits the target's part along v_k at a rate set by
// lambda_k, so the top phi_k are the shapes a network learns first. Images have no plane to draw phi_k
// over: for them the eigenvector is shown through the images themselves.
#include "cancel.h"
#include "mlp.h"
#include "prediction_grid.h"

#include <Eigen/Dense>
#include <memory>
#include <optional>

namespace ntk {

// Four: the directions training fits first, and as many maps as a 2 x 2 grid shows large enough to read on
// a projector; below them the eigenvalues of a kernel on a few hundred points fall off quickly.
inline constexpr int eigenfunctionCount = 4;
// At most about this many NTK epochs of a run get eigenfunctions (evenly spaced, with the first and the
// last): they cost several times the kernel itself at the default n = 200 (about 10 ms against 2 on a shared
// two-core machine), which at every epoch of an unpaced 300-epoch run would make it several times longer;
// a hundred frames still show training reshape them.
inline constexpr int eigenfunctionFrames = 100;
// Above this many training points no eigenfunctions are computed: the solve and the back-propagations grow
// with n while a live run computes them at every NTK epoch (at the default n = 200 they take about a
// millisecond, against a few for the kernel itself).
inline constexpr int maxEigenfunctionPoints = 1000;
// Cells per side of the 2-D grid (1-D: four times as many points along the line): coarser than the
// prediction plot's 80, since each of the four maps is drawn a quarter as large.
inline constexpr int eigenfunctionGridResolution = 40;
// Training images shown per eigenvector: the ones with the largest |v_k(i)|.
inline constexpr int topLoadingImageCount = 3;

struct Eigenfunctions {
    Eigen::VectorXd eigenvalues; // lambda_1 >= ... >= lambda_m, all > 0
    Eigen::MatrixXd vectors;     // n x m, unit columns, oriented by orientEigenvectors
    // 1-D and 2-D inputs: phi_k at grid->points, one column per k. The grid is the same at every epoch of
    // a run: shared, not copied into each report.
    std::shared_ptr<const GridPoints> grid;
    Eigen::MatrixXd values;
    // Images (rows of `imageWidth` pixels): sum_i v_k(i) x_i as row k, and per k (row) the indices of the
    // training images with the largest |v_k(i)|, largest first.
    int imageWidth = 0, imageHeight = 0;
    Eigen::MatrixXd meanImages;
    Eigen::MatrixXi topImages;

    int count() const { return int(eigenvalues.size()); }
};

// The top `count` eigenpairs of `kernel` with lambda > 0 (fewer where the kernel has fewer positive
// eigenvalues, or n < count), oriented against `previous` (n x m of the previous NTK epoch, or empty).
// nullopt when the solver fails. Throws Cancelled when `cancel` is raised.
std::optional<Eigenfunctions> topEigenpairs(const Eigen::MatrixXd& kernel, int count,
                                            const Eigen::MatrixXd& previous, CancelFlag cancel = nullptr);

// An eigenvector's sign is arbitrary, and a solver may return either from one epoch to the next: a frame
// of the live view would flip its colours for no reason. Each column is turned to point like the same
// column of `previous` when the two overlap clearly (|v . v_prev| >= 0.5: the kernel moved little, it is
// recognizably the same eigenvector), since nothing else is as stable while training reshapes the vector.
// Otherwise (the first epoch, or two eigenvalues swapped places) the sum of its entries is made positive
// (the top eigenvector of a kernel with mostly positive entries is mostly positive), and when that sum is
// negligible the largest-magnitude entry is.
void orientEigenvectors(Eigen::MatrixXd& vectors, const Eigen::MatrixXd& previous);

// phi_k (one column per k) at the points of the forward pass `points`, for the kernel of `model` on the
// training points of `train`. The points x n kernel is never formed: with K = sum_o J_o J_o^T (J_o the
// Jacobian of output o),
//     phi_k(x) = sum_o grad f_o(x) . g_ko / lambda_k,   g_ko = sum_i v_k(i) grad f_o(x_i),
// one back-propagation over the training points and one forward-mode derivative over the points per k and
// output. That costs about m O forward passes; the train x grid kernel would cost n grid points x width x
// outputs per layer, a hundred times as much at the default n = 200 on a 40 x 40 grid.
Eigen::MatrixXd extendEigenvectors(const Mlp& model, const ForwardCache& train, const ForwardCache& points,
                                   const Eigen::MatrixXd& vectors, const Eigen::VectorXd& eigenvalues,
                                   CancelFlag cancel = nullptr);
// The same from a points x n cross kernel K(x, x_i): crossKernel * v_k / lambda_k per column. The
// definition, as a test reference for extendEigenvectors.
Eigen::MatrixXd nystromExtension(const Eigen::MatrixXd& crossKernel, const Eigen::MatrixXd& vectors,
                                 const Eigen::VectorXd& eigenvalues);
// d f(x) / d theta . direction at the points of `points` (points x outputs): the forward-mode derivative.
Eigen::MatrixXd outputDerivative(const Mlp& model, const ForwardCache& points, const LayerSet& direction);

// Fills meanImages and topImages from the training features (n x width * height).
void addImageLoadings(Eigenfunctions& functions, const Eigen::MatrixXd& features, int imageWidth,
                      int imageHeight);

// The side of a square image with `features` pixels, or 0.
int squareImageSide(Eigen::Index features);

} // namespace ntk
