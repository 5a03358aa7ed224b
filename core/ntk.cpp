#include "ntk.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>
#include <type_traits>

namespace ntk {
namespace {

template <class Scalar> using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

// The layer inputs, slopes and weights in the precision a kernel is built in: the model's and cache's own
// matrices for double, converted copies for single precision. The copies are n x width per layer, small
// next to the n x n products they feed.
template <class Scalar> class PrecisionView {
public:
    PrecisionView(const Mlp& model, const ForwardCache& cache)
        : model_(model) {
        for (int l = 0; l < cache.inputCount(); ++l)
            inputs_.push_back(adopt(cache.input(l)));
        for (const Eigen::MatrixXd& m : cache.slopes)
            slopes_.push_back(adopt(m));
        for (const Layer& layer : model.layers())
            weights_.push_back(adopt(layer.weight));
    }
    PrecisionView(const PrecisionView&) = delete;
    PrecisionView& operator=(const PrecisionView&) = delete;

    const Mlp& model() const { return model_; }
    const Matrix<Scalar>& input(int l) const { return *inputs_[l]; }
    const Matrix<Scalar>& slope(int l) const { return *slopes_[l]; }
    const Matrix<Scalar>& weight(int l) const { return *weights_[l]; }
    Scalar weightScale(int l) const { return Scalar(model_.weightScale(l)); }
    Scalar biasScale() const { return Scalar(model_.biasScale()); }

private:
    const Matrix<Scalar>* adopt(const Eigen::MatrixXd& m) {
        if constexpr (std::is_same_v<Scalar, double>) {
            return &m;
        } else {
            owned_.push_back(m.cast<Scalar>());
            return &owned_.back();
        }
    }

    const Mlp& model_;
    std::vector<const Matrix<Scalar>*> inputs_, slopes_, weights_;
    std::deque<Matrix<Scalar>> owned_; // a deque keeps the addresses handed out above
};

// Back-propagated signals d f_k / d z_l for the outputs k in [first, last) (default: all), one layer at a
// time from the top.
template <class Scalar> class SignalWalker {
public:
    // `signals` is storage the walker may reuse (its old contents are overwritten).
    SignalWalker(const PrecisionView<Scalar>& view, std::vector<Matrix<Scalar>>& signals, int first = 0,
                 int last = -1)
        : view_(view)
        , layer_(view.model().shape().depth)
        , first_(first)
        , last_(last < 0 ? view.model().shape().outputs : last)
        , signals_(signals) {}

    int layer() const { return layer_; }
    bool atOutput() const { return layer_ == view_.model().shape().depth; }
    // Valid below the output layer.
    const std::vector<Matrix<Scalar>>& signals() const { return signals_; }

    void descend() {
        const int l = layer_;
        const Matrix<Scalar>& slope = view_.slope(l - 1);
        const Scalar cw = view_.weightScale(l);
        const Matrix<Scalar>& weight = view_.weight(l);
        const int outputs = last_ - first_;
        if (atOutput()) {
            // d f_k / d z_{top-1} = c_w W_top[k, :] o phi'(z_{top-1}) on every row.
            signals_.resize(outputs);
            for (int k = 0; k < outputs; ++k) {
                signals_[k].resize(slope.rows(), slope.cols());
                signals_[k].array() = slope.array().rowwise() * (cw * weight.row(first_ + k).array());
            }
        } else {
            for (int k = 0; k < outputs; ++k) {
                back_.noalias() = cw * (signals_[k] * weight);
                signals_[k].resize(back_.rows(), back_.cols());
                signals_[k].array() = back_.array() * slope.array();
            }
        }
        --layer_;
    }

private:
    const PrecisionView<Scalar>& view_;
    int layer_;
    int first_, last_;
    std::vector<Matrix<Scalar>>& signals_;
    Matrix<Scalar> back_;
};

// Buffers of one kernel build, kept per thread between builds: a live run builds a kernel of the same
// size every NTK epoch, and fresh multi-megabyte blocks would be faulted in page by page each time
// (about 90,000 page faults, a third of the time, at n = 2000). Above a few thousand points the build takes
// many seconds and the faults do not matter, while the buffers (a quarter of a GB at n = 10,000) would sit
// beside the finished kernel: there they are released after each build.
template <class Scalar> struct NtkScratch {
    std::vector<Matrix<Scalar>> signals;
    Matrix<Scalar> gram, signalGram, stacked;

    double bytes() const {
        double total = double(gram.size() + signalGram.size() + stacked.size());
        for (const Matrix<Scalar>& m : signals)
            total += double(m.size());
        return double(sizeof(Scalar)) * total;
    }
    void releaseUnlessSmall(Eigen::Index points) {
        constexpr Eigen::Index largestKeptBuild = 4096;
        constexpr double keptBytes = 512.0 * 1024 * 1024;
        if (points > largestKeptBuild || bytes() > keptBytes)
            *this = NtkScratch();
    }
};

template <class Scalar> NtkScratch<Scalar>& threadScratch() {
    thread_local NtkScratch<Scalar> scratch;
    return scratch;
}

// Lower triangle of c_w^2 A A^T + c_b^2, into `gram`.
template <class Scalar>
void layerGramLower(const Matrix<Scalar>& input, Scalar cw, Scalar cb, const Eigen::MatrixXd* cached,
                    Matrix<Scalar>& gram) {
    const Eigen::Index n = input.rows();
    gram.setConstant(n, n, cb * cb);
    if (cached)
        gram.template triangularView<Eigen::Lower>() += (cw * cw) * cached->template cast<Scalar>();
    else
        gram.template selfadjointView<Eigen::Lower>().rankUpdate(input, cw * cw);
}

template <class Scalar>
void addHadamardLower(Matrix<Scalar>& kernel, const Matrix<Scalar>& a, const Matrix<Scalar>& b) {
    const Eigen::Index n = kernel.rows();
    for (Eigen::Index j = 0; j < n; ++j)
        kernel.col(j).tail(n - j) += a.col(j).tail(n - j).cwiseProduct(b.col(j).tail(n - j));
}

// sum_k D_k D_k^T into the lower triangle. One wide symmetric rank-k update over several outputs at once
// runs much closer to the machine's peak than one narrow update per output (at n = 200, w = 128). The
// group size keeps the stacked copy under 16 MiB: below glibc's mmap threshold, so the copy reuses warm
// heap memory every epoch instead of faulting in fresh pages (at n = 2000 a wider stack gained nothing).
template <class Scalar>
void accumulateSignalGram(const std::vector<Matrix<Scalar>>& signals, Matrix<Scalar>& signalGram,
                          Matrix<Scalar>& stacked, CancelFlag cancel) {
    if (signals.empty())
        return;
    const Eigen::Index n = signals[0].rows(), width = signals[0].cols();
    constexpr double stackBudgetBytes = 16.0 * 1024 * 1024;
    const std::size_t group = std::clamp<std::size_t>(
        std::size_t(stackBudgetBytes / (double(sizeof(Scalar)) * double(n) * double(width))), 1,
        signals.size());
    for (std::size_t first = 0; first < signals.size(); first += group) {
        throwIfCancelled(cancel);
        const std::size_t count = std::min(group, signals.size() - first);
        if (count == 1) {
            signalGram.template selfadjointView<Eigen::Lower>().rankUpdate(signals[first]);
            continue;
        }
        stacked.resize(n, width * Eigen::Index(count));
        for (std::size_t k = 0; k < count; ++k)
            stacked.middleCols(width * Eigen::Index(k), width) = signals[first + k];
        signalGram.template selfadjointView<Eigen::Lower>().rankUpdate(stacked);
    }
}

void requireMatchingCache(const Mlp& model, const ForwardCache& cache) {
    if (cache.inputCount() != model.shape().layerCount() || int(cache.slopes.size()) != model.shape().depth)
        throw std::invalid_argument("empiricalNtk: forward cache does not belong to this model");
}

// The signals whose Gram sum_k D_k D_k^T a hidden layer contributes: just below the output, D_k =
// S diag(c_w W[k, :]) with the same slopes S for every output, so the sum is S diag(sum_k c_w^2 W[k,:]^2)
// S^T, one matrix instead of O; deeper layers need every output's signals.
template <class Scalar>
const Matrix<Scalar>* topLayerSignal(const PrecisionView<Scalar>& view, int layer, Matrix<Scalar>& storage) {
    if (layer != view.model().shape().depth - 1)
        return nullptr;
    const Eigen::Matrix<Scalar, 1, Eigen::Dynamic> scale =
        view.weightScale(layer + 1) * view.weight(layer + 1).colwise().norm();
    storage.resize(view.slope(layer).rows(), scale.size());
    storage.array() = view.slope(layer).array().rowwise() * scale.array();
    return &storage;
}

// Large n: the lower triangle in column blocks J = [j0, j1), rows j0..n. Per block the layer's Gram and
// signal Gram are (n - j0) x b products, so no n x n temporary exists besides the kernel itself (at
// n = 10,000 two such temporaries would take 1.6 GB).
template <class Scalar>
void addLayerBlocked(Matrix<Scalar>& kernel, const Matrix<Scalar>& input, Scalar cw, Scalar cb,
                     const Eigen::MatrixXd* cachedGram, const std::vector<const Matrix<Scalar>*>& signals,
                     Scalar outputLayerFactor, int blockColumns, NtkScratch<Scalar>& scratch,
                     CancelFlag cancel) {
    const Eigen::Index n = kernel.rows();
    for (Eigen::Index j0 = 0; j0 < n; j0 += blockColumns) {
        throwIfCancelled(cancel);
        const Eigen::Index b = std::min<Eigen::Index>(blockColumns, n - j0), rows = n - j0;
        Matrix<Scalar>& gram = scratch.gram;
        if (cachedGram) {
            gram = (cw * cw) * cachedGram->block(j0, j0, rows, b).template cast<Scalar>();
        } else {
            gram.resize(rows, b);
            gram.noalias() = (cw * cw) * input.bottomRows(rows) * input.middleRows(j0, b).transpose();
        }
        gram.array() += cb * cb;
        auto target = kernel.block(j0, j0, rows, b);
        if (signals.empty()) {
            target += outputLayerFactor * gram;
            continue;
        }
        Matrix<Scalar>& signalGram = scratch.signalGram;
        signalGram.setZero(rows, b);
        for (const Matrix<Scalar>* d : signals)
            signalGram.noalias() += d->bottomRows(rows) * d->middleRows(j0, b).transpose();
        target += signalGram.cwiseProduct(gram);
    }
}

// The layers below the top hidden one need every output's signals at once; at large n and O these dwarf
// everything but the kernel (410 MB at n = 10,000, w = 512, O = 10). Above this budget the outputs are
// taken in groups, each walking down from the top, at the price of recomputing the layers' Grams once per
// group.
constexpr double defaultSignalBudgetBytes = 256.0 * 1024 * 1024;

template <class Scalar>
Matrix<Scalar> blockedNtk(const PrecisionView<Scalar>& view, const NtkOptions& options, int blockColumns,
                          NtkScratch<Scalar>& scratch) {
    const Mlp& model = view.model();
    const Eigen::Index n = view.input(0).rows();
    const int depth = model.shape().depth, outputs = model.shape().outputs;
    Matrix<Scalar> kernel = Matrix<Scalar>::Zero(n, n);
    auto addLayer = [&](int l, const std::vector<const Matrix<Scalar>*>& signals) {
        addLayerBlocked(kernel, view.input(l), view.weightScale(l), view.biasScale(),
                        l == 0 ? options.inputGram : nullptr, signals, Scalar(outputs), blockColumns, scratch,
                        options.cancel);
    };
    addLayer(depth, {}); // the output layer's own weights
    if (depth >= 1)
        addLayer(depth - 1, {topLayerSignal(view, depth - 1, scratch.stacked)});
    if (depth >= 2) {
        const double perOutput = double(sizeof(Scalar)) * double(n) * double(model.shape().width);
        const double budget =
            options.signalBudgetBytes > 0.0 ? options.signalBudgetBytes : defaultSignalBudgetBytes;
        // As few groups as the budget allows, of equal size: 10 outputs in a 6-output budget go 5 + 5.
        const int groups = std::clamp(int(std::ceil(perOutput * outputs / budget)), 1, outputs);
        const int group = (outputs + groups - 1) / groups;
        for (int first = 0; first < outputs; first += group) {
            SignalWalker<Scalar> walker(view, scratch.signals, first, std::min(outputs, first + group));
            walker.descend(); // to the top hidden layer, whose share is already in
            for (int l = depth - 2; l >= 0; --l) {
                walker.descend();
                std::vector<const Matrix<Scalar>*> signals;
                for (const Matrix<Scalar>& d : walker.signals())
                    signals.push_back(&d);
                addLayer(l, signals);
            }
        }
    }
    return kernel;
}

// Small n: whole-matrix symmetric updates, layer by layer from the top.
template <class Scalar>
Matrix<Scalar> wholeMatrixNtk(const PrecisionView<Scalar>& view, const NtkOptions& options,
                              NtkScratch<Scalar>& scratch) {
    const Mlp& model = view.model();
    const Eigen::Index n = view.input(0).rows();
    const int outputs = model.shape().outputs;
    Matrix<Scalar> kernel = Matrix<Scalar>::Zero(n, n);
    Matrix<Scalar>& gram = scratch.gram;
    Matrix<Scalar>& signalGram = scratch.signalGram;
    SignalWalker<Scalar> walker(view, scratch.signals);
    for (int l = model.shape().depth; l >= 0; --l) {
        throwIfCancelled(options.cancel);
        const Eigen::MatrixXd* cachedGram = l == 0 ? options.inputGram : nullptr;
        layerGramLower(view.input(l), view.weightScale(l), view.biasScale(), cachedGram, gram);
        if (walker.atOutput()) {
            // Each output's own weights: sum_k D D^T = O 1 1^T.
            kernel.template triangularView<Eigen::Lower>() += Scalar(outputs) * gram;
        } else if (const Matrix<Scalar>* top = topLayerSignal(view, l, scratch.stacked)) {
            signalGram.setZero(n, n);
            signalGram.template selfadjointView<Eigen::Lower>().rankUpdate(*top);
            addHadamardLower(kernel, signalGram, gram);
        } else {
            signalGram.setZero(n, n);
            accumulateSignalGram(walker.signals(), signalGram, scratch.stacked, options.cancel);
            addHadamardLower(kernel, signalGram, gram);
        }
        if (l > 0)
            walker.descend();
    }
    return kernel;
}

// The lower triangle of the kernel in `Scalar`, mirrored and returned in double.
template <class Scalar>
Eigen::MatrixXd buildNtk(const Mlp& model, const ForwardCache& cache, const NtkOptions& options) {
    const Eigen::Index n = cache.output.rows();
    constexpr Eigen::Index largestWholeMatrixBuild = 1024;
    const int blockColumns = options.blockColumns != 0     ? std::max(0, options.blockColumns)
                             : n > largestWholeMatrixBuild ? 256
                                                           : 0;
    NtkScratch<Scalar>& scratch = threadScratch<Scalar>();
    Eigen::MatrixXd result;
    try {
        const PrecisionView<Scalar> view(model, cache);
        if constexpr (std::is_same_v<Scalar, double>) {
            result = blockColumns > 0 ? blockedNtk(view, options, blockColumns, scratch)
                                      : wholeMatrixNtk(view, options, scratch);
        } else {
            // Converted column by column, so the double kernel is the only second n x n matrix.
            const Matrix<Scalar> lower = blockColumns > 0 ? blockedNtk(view, options, blockColumns, scratch)
                                                          : wholeMatrixNtk(view, options, scratch);
            result.resize(n, n);
            for (Eigen::Index j = 0; j < n; ++j)
                result.col(j).tail(n - j) = lower.col(j).tail(n - j).template cast<double>();
        }
    } catch (...) {
        scratch.releaseUnlessSmall(n);
        throw;
    }
    scratch.releaseUnlessSmall(n);
    result.triangularView<Eigen::StrictlyUpper>() = result.transpose();
    return result;
}

} // namespace

Eigen::MatrixXd empiricalNtk(const Mlp& model, const ForwardCache& cache, const NtkOptions& options) {
    requireMatchingCache(model, cache);
    return options.precision == KernelPrecision::Single ? buildNtk<float>(model, cache, options)
                                                        : buildNtk<double>(model, cache, options);
}

Eigen::MatrixXd empiricalNtk(const Mlp& model, const Eigen::MatrixXd& x, const NtkOptions& options) {
    return empiricalNtk(model, model.forward(x), options);
}

Eigen::MatrixXd empiricalNtkCross(const Mlp& model, const ForwardCache& a, const ForwardCache& b,
                                  CancelFlag cancel) {
    requireMatchingCache(model, a);
    requireMatchingCache(model, b);
    const double cb = model.biasScale();
    Eigen::MatrixXd kernel = Eigen::MatrixXd::Zero(a.output.rows(), b.output.rows());
    std::vector<Eigen::MatrixXd> signalsA, signalsB;
    const PrecisionView<double> viewA(model, a), viewB(model, b);
    SignalWalker<double> walkerA(viewA, signalsA), walkerB(viewB, signalsB);
    for (int l = model.shape().depth; l >= 0; --l) {
        throwIfCancelled(cancel);
        const double cw = model.weightScale(l);
        Eigen::MatrixXd gram = (cw * cw) * (a.input(l) * b.input(l).transpose());
        gram.array() += cb * cb;
        if (walkerA.atOutput()) {
            kernel += double(model.shape().outputs) * gram;
        } else {
            Eigen::MatrixXd signalGram = Eigen::MatrixXd::Zero(kernel.rows(), kernel.cols());
            for (std::size_t k = 0; k < walkerA.signals().size(); ++k)
                signalGram.noalias() += walkerA.signals()[k] * walkerB.signals()[k].transpose();
            kernel += signalGram.cwiseProduct(gram);
        }
        if (l > 0) {
            walkerA.descend();
            walkerB.descend();
        }
    }
    return kernel;
}

std::vector<Eigen::MatrixXd> empiricalNtkPerOutput(const Mlp& model, const ForwardCache& cache,
                                                   CancelFlag cancel) {
    requireMatchingCache(model, cache);
    const Eigen::Index n = cache.output.rows();
    const int outputs = model.shape().outputs;
    std::vector<Eigen::MatrixXd> kernels(outputs, Eigen::MatrixXd::Zero(n, n));
    Eigen::MatrixXd signalGram(n, n), gram;
    std::vector<Eigen::MatrixXd> signals;
    const PrecisionView<double> view(model, cache);
    SignalWalker<double> walker(view, signals);
    for (int l = model.shape().depth; l >= 0; --l) {
        throwIfCancelled(cancel);
        layerGramLower(cache.input(l), model.weightScale(l), model.biasScale(), nullptr, gram);
        for (int k = 0; k < outputs; ++k) {
            if (walker.atOutput()) {
                kernels[k].triangularView<Eigen::Lower>() += gram;
                continue;
            }
            signalGram.setZero();
            signalGram.selfadjointView<Eigen::Lower>().rankUpdate(walker.signals()[k]);
            addHadamardLower(kernels[k], signalGram, gram);
        }
        if (l > 0)
            walker.descend();
    }
    for (Eigen::MatrixXd& kernel : kernels)
        kernel.triangularView<Eigen::StrictlyUpper>() = kernel.transpose();
    return kernels;
}

Eigen::MatrixXd explicitJacobian(const Mlp& model, const Eigen::MatrixXd& x, int output) {
    Eigen::MatrixXd jacobian(x.rows(), model.parameterCount());
    Mlp probe = model;
    Eigen::MatrixXd seed = Eigen::MatrixXd::Zero(1, model.shape().outputs);
    seed(0, output) = 1.0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const Eigen::MatrixXd point = x.row(i);
        const ForwardCache cache = model.forward(point);
        probe.layers() = model.backward(cache, seed);
        jacobian.row(i) = probe.flatParameters().transpose();
    }
    return jacobian;
}

Eigen::MatrixXd explicitJacobianNtk(const Mlp& model, const Eigen::MatrixXd& x) {
    Eigen::MatrixXd kernel = Eigen::MatrixXd::Zero(x.rows(), x.rows());
    for (int k = 0; k < model.shape().outputs; ++k) {
        const Eigen::MatrixXd jacobian = explicitJacobian(model, x, k);
        kernel.noalias() += jacobian * jacobian.transpose();
    }
    return kernel;
}

} // namespace ntk
