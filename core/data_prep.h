#pragma once
// From a RunConfig to the train and test sets a run sees: load or generate, subsample class-balanced and
// deterministically, then scale features with statistics of the training split only.
#include "config.h"
#include "dataset.h"
#include "idx_reader.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace ntk {

// The full pools a run draws from. Loading (Fashion-)MNIST takes a noticeable fraction of a second, so
// callers that start many runs keep a DataSource and call prepare() again.
// Image sets stay as bytes (ImageSet) until prepare() picks its rows.
struct DataSource {
    Dataset trainPool;
    Dataset testPool; // empty when the test split is drawn from trainPool (CSV)
    std::optional<ImageSet> trainImages, testImages;
};

// Throws DataError (data_error.h) for unreadable files.
DataSource loadSource(const RunConfig& config);

struct PreparedData {
    Dataset train;
    Dataset test;
};

// Throws DataError when the pools are too small for the requested n and test-n.
PreparedData prepare(const DataSource& source, const RunConfig& config);
// Only the training points [first, first + count) of what prepare() gives (the test split whole), scaled
// as in the whole set: one part of the training set for one of several processes. Where the scaling does
// not depend on the data (image pixels, NumPy arrays as given, none) only those rows are ever converted,
// so memory shrinks with the part.
PreparedData prepareSlice(const DataSource& source, const RunConfig& config, Eigen::Index first,
                          Eigen::Index count);
PreparedData prepareData(const RunConfig& config);

// `count` indices into `labels`, as evenly spread over classes as the data allows, in a seeded order;
// indices with excluded[i] set are never chosen.
std::vector<Eigen::Index> balancedSubsample(const Eigen::VectorXi& labels, int classCount, int count,
                                            std::uint64_t seed, const std::vector<bool>& excluded = {});

// Scale features in place: fit on train, apply to both.
void scaleFeatures(Scaling scaling, bool imageData, Dataset& train, Dataset& test);

// Seeds for the independent random streams of one run, derived from the user's single seed.
std::uint64_t dataSeed(std::uint64_t seed);
std::uint64_t testDataSeed(std::uint64_t seed);
std::uint64_t initSeed(std::uint64_t seed);
std::uint64_t batchSeed(std::uint64_t seed);

} // namespace ntk
