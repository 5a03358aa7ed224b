#include "data_prep.h"

#include "csv_reader.h"
#include "data_error.h"
#include "idx_reader.h"
#include "npy_files.h"
#include "synthetic.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>

namespace ntk {
namespace {

// splitmix64: decorrelates the derived streams even for adjacent user seeds.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

Dataset generateSynthetic(const RunConfig& c, int count, std::uint64_t seed) {
    switch (c.dataset) {
    case DatasetKind::Moons:
        return makeMoons(count, c.noise, seed);
    case DatasetKind::Circles:
        return makeCircles(count, c.noise, seed);
    case DatasetKind::Spirals:
        return makeSpirals(count, c.noise, seed);
    case DatasetKind::Xor:
        return makeXor(count, c.noise, seed);
    case DatasetKind::Blobs:
        return makeBlobs(count, c.blobClasses, c.noise, seed);
    case DatasetKind::Sine:
        return makeSine(count, c.noise, seed);
    default:
        throw std::logic_error("generateSynthetic: not a synthetic data set");
    }
}

std::vector<Eigen::Index> randomSubsample(Eigen::Index poolSize, int count, std::uint64_t seed,
                                          const std::vector<bool>& excluded) {
    std::vector<Eigen::Index> order(poolSize);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));
    std::vector<Eigen::Index> chosen;
    for (Eigen::Index i : order) {
        if (int(chosen.size()) == count)
            break;
        if (excluded.empty() || !excluded[i])
            chosen.push_back(i);
    }
    return chosen;
}

// One interface over the two ways a pool is stored: as a Dataset, or as image bytes.
struct Pool {
    const Dataset* data = nullptr;
    const ImageSet* images = nullptr;

    Pool(const Dataset& d, const std::optional<ImageSet>& i)
        : data(&d)
        , images(i ? &*i : nullptr) {}
    Eigen::Index size() const { return images ? images->size() : data->size(); }
    bool classification() const { return images || data->task == TaskKind::Classification; }
    const Eigen::VectorXi& labels() const { return images ? images->labels : data->labels; }
    int classCount() const { return images ? images->classCount : data->classCount; }
    std::string name() const { return images ? images->name : data->name; }
    Dataset rows(const std::vector<Eigen::Index>& indices) const {
        return images ? images->toDataset(indices) : data->rows(indices);
    }
};

// `source` names what the user pointed at (the CSV file, the IDX directory), so the message says
// which data is too small.
// With `keepOrder`, a split that takes every point of its pool takes them in the file's order, so a run's
// own exported arrays come back row for row (and the kernel bit for bit).
std::vector<Eigen::Index> subsample(const Pool& pool, int count, std::uint64_t seed,
                                    const std::vector<bool>& excluded, const char* splitName,
                                    const std::string& source, bool keepOrder = false) {
    if (keepOrder && excluded.empty() && count == pool.size()) {
        std::vector<Eigen::Index> all(std::size_t(pool.size()));
        std::iota(all.begin(), all.end(), 0);
        return all;
    }
    std::vector<Eigen::Index> chosen =
        pool.classification() ? balancedSubsample(pool.labels(), pool.classCount(), count, seed, excluded)
                              : randomSubsample(pool.size(), count, seed, excluded);
    if (int(chosen.size()) < count)
        throw DataError(source + ": " + splitName + " = " + std::to_string(count) + " but only " +
                        std::to_string(chosen.size()) + " points are available");
    return chosen;
}

std::string imageDirectory(const RunConfig& c) {
    if (!c.dataPath.empty())
        return c.dataPath;
    return c.dataset == DatasetKind::FashionMnist ? defaultFashionMnistDirectory()
                                                  : std::string("/usr/share/datasets/mnist");
}

std::string sourceName(const RunConfig& c, const Pool& pool, const char* imageSplit) {
    if (c.dataset == DatasetKind::Csv)
        return c.dataPath;
    if (c.dataset == DatasetKind::Npy)
        return c.dataPath + (std::string(imageSplit) == "test" ? "/x_test.npy" : "/x_train.npy");
    if (isImageDataset(c.dataset))
        return imageDirectory(c) + " (" + imageSplit + " split)";
    return pool.name();
}

} // namespace

std::uint64_t dataSeed(std::uint64_t seed) {
    return mix(seed * 4 + 0);
}
std::uint64_t testDataSeed(std::uint64_t seed) {
    return mix(seed * 4 + 1);
}
std::uint64_t initSeed(std::uint64_t seed) {
    return mix(seed * 4 + 2);
}
std::uint64_t batchSeed(std::uint64_t seed) {
    return mix(seed * 4 + 3);
}

std::vector<Eigen::Index> balancedSubsample(const Eigen::VectorXi& labels, int classCount, int count,
                                            std::uint64_t seed, const std::vector<bool>& excluded) {
    std::vector<std::vector<Eigen::Index>> byClass(std::max(classCount, 1));
    for (Eigen::Index i = 0; i < labels.size(); ++i)
        if ((excluded.empty() || !excluded[i]) && labels[i] >= 0 && labels[i] < classCount)
            byClass[labels[i]].push_back(i);
    std::mt19937_64 rng(seed);
    for (auto& members : byClass)
        std::shuffle(members.begin(), members.end(), rng);
    // Round-robin over classes: balanced while every class has points left, then fill from the rest.
    std::vector<Eigen::Index> chosen;
    chosen.reserve(count);
    for (std::size_t round = 0; int(chosen.size()) < count; ++round) {
        bool tookAny = false;
        for (const auto& members : byClass) {
            if (round < members.size() && int(chosen.size()) < count) {
                chosen.push_back(members[round]);
                tookAny = true;
            }
        }
        if (!tookAny)
            break;
    }
    return chosen;
}

void scaleFeatures(Scaling scaling, bool imageData, Dataset& train, Dataset& test) {
    if (scaling == Scaling::Auto)
        scaling = imageData ? Scaling::UnitInterval : Scaling::Standardize;
    if (scaling == Scaling::None || train.size() == 0)
        return;
    Eigen::RowVectorXd shift, scale;
    if (scaling == Scaling::UnitInterval && imageData) {
        shift = Eigen::RowVectorXd::Zero(train.dimension());
        scale = Eigen::RowVectorXd::Constant(train.dimension(), 255.0);
    } else if (scaling == Scaling::UnitInterval) {
        shift = train.features.colwise().minCoeff();
        scale = train.features.colwise().maxCoeff() - shift;
    } else {
        shift = train.features.colwise().mean();
        scale =
            ((train.features.rowwise() - shift).colwise().squaredNorm() / double(train.size())).cwiseSqrt();
    }
    // A constant column stays constant (shifted) instead of becoming 0/0.
    scale = scale.unaryExpr([](double s) { return s > 0.0 ? s : 1.0; });
    for (Dataset* data : {&train, &test})
        if (data->size() > 0)
            data->features = (data->features.rowwise() - shift).array().rowwise() / scale.array();
}

DataSource loadSource(const RunConfig& c) {
    DataSource source;
    switch (c.dataset) {
    case DatasetKind::FashionMnist:
    case DatasetKind::Mnist: {
        const std::string dir = imageDirectory(c);
        source.trainImages = loadMnistImages(dir, IdxSplit::Train);
        if (c.testSize > 0)
            source.testImages = loadMnistImages(dir, IdxSplit::Test);
        return source;
    }
    case DatasetKind::Csv:
        source.trainPool = loadCsv(c.dataPath);
        return source;
    case DatasetKind::Npy:
        source.trainPool = *loadNpyDataset(c.dataPath, "train", true);
        if (c.testSize > 0)
            if (std::optional<Dataset> test = loadNpyDataset(c.dataPath, "test", false)) {
                if (test->dimension() != source.trainPool.dimension() || test->task != source.trainPool.task)
                    throw DataError(c.dataPath + "/x_test.npy",
                                    "its points do not match x_train.npy's (" +
                                        std::to_string(test->dimension()) + " vs " +
                                        std::to_string(source.trainPool.dimension()) +
                                        " columns, or labels against values)");
                source.testPool = std::move(*test);
            }
        return source;
    default:
        source.trainPool = generateSynthetic(c, c.trainSize, dataSeed(c.seed));
        source.testPool = generateSynthetic(c, c.testSize, testDataSeed(c.seed));
        return source;
    }
}

namespace {

// NumPy arrays are taken as given (auto: no scaling): a run's exported x_train.npy is already scaled.
Scaling effectiveScaling(const RunConfig& c) {
    return c.dataset == DatasetKind::Npy && c.scaling == Scaling::Auto ? Scaling::None : c.scaling;
}

// Whether scaling uses the training points' statistics (then a part of them cannot be scaled alone).
bool scalingNeedsStatistics(const RunConfig& c) {
    const Scaling s = effectiveScaling(c);
    if (s == Scaling::None)
        return false;
    return !(isImageDataset(c.dataset) && (s == Scaling::Auto || s == Scaling::UnitInterval));
}

PreparedData prepareRows(const DataSource& source, const RunConfig& c,
                         std::optional<std::pair<Eigen::Index, Eigen::Index>> slice) {
    PreparedData out;
    const Pool pool(source.trainPool, source.trainImages);
    const Pool testPool(source.testPool, source.testImages);
    const bool keepOrder = c.dataset == DatasetKind::Npy;
    const std::vector<Eigen::Index> trainRows =
        subsample(pool, c.trainSize, dataSeed(c.seed), {}, "n", sourceName(c, pool, "training"), keepOrder);
    if (slice) {
        if (slice->first < 0 || slice->second < 0 ||
            slice->first + slice->second > Eigen::Index(trainRows.size()))
            throw std::invalid_argument("prepareSlice: the part lies outside the training set");
        out.train = pool.rows(std::vector<Eigen::Index>(trainRows.begin() + slice->first,
                                                        trainRows.begin() + slice->first + slice->second));
    } else {
        out.train = pool.rows(trainRows);
    }
    if (c.testSize == 0) {
        out.test = pool.rows({});
    } else if (testPool.size() > 0 || isSyntheticDataset(c.dataset)) {
        out.test = testPool.rows(subsample(testPool, c.testSize, testDataSeed(c.seed), {}, "test-n",
                                           sourceName(c, testPool, "test"), keepOrder));
    } else {
        std::vector<bool> taken(std::size_t(pool.size()), false);
        for (Eigen::Index i : trainRows)
            taken[std::size_t(i)] = true;
        out.test = pool.rows(subsample(pool, c.testSize, testDataSeed(c.seed), taken, "test-n",
                                       sourceName(c, pool, "training")));
    }
    if (out.train.task == TaskKind::Classification)
        out.test.classCount = out.train.classCount = std::max(out.train.classCount, out.test.classCount);
    scaleFeatures(effectiveScaling(c), isImageDataset(c.dataset), out.train, out.test);
    return out;
}

} // namespace

PreparedData prepare(const DataSource& source, const RunConfig& c) {
    return prepareRows(source, c, std::nullopt);
}

PreparedData prepareSlice(const DataSource& source, const RunConfig& c, Eigen::Index first,
                          Eigen::Index count) {
    if (!scalingNeedsStatistics(c))
        return prepareRows(source, c, std::pair{first, count});
    PreparedData whole = prepare(source, c);
    std::vector<Eigen::Index> rows(static_cast<std::size_t>(count));
    std::iota(rows.begin(), rows.end(), first);
    if (first < 0 || count < 0 || first + count > whole.train.size())
        throw std::invalid_argument("prepareSlice: the part lies outside the training set");
    whole.train = whole.train.rows(rows);
    return whole;
}

PreparedData prepareData(const RunConfig& config) {
    return prepare(loadSource(config), config);
}

} // namespace ntk
