#pragma once
// Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/),
// gzip-compressed or plain. All failures are reported as ntk::DataError naming the file.
#include "dataset.h"

#include <string>
#include <vector>

namespace ntk {

// Images as the file stores them, one image per row of bytes. 60000 Fashion-MNIST images take 47 MB this
// way and 376 MB as doubles, and a run only ever uses a few hundred of them: convert just those.
struct ImageSet {
    using PixelRows =
        Eigen::Map<const Eigen::Matrix<unsigned char, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    // The file's bytes as read, one image after the other: kept, not copied into a matrix, so that loading
    // holds one copy of them at its peak.
    std::vector<unsigned char> bytes;
    Eigen::Index pixelCount = 0; // per image
    Eigen::VectorXi labels;
    int classCount = 0;
    std::string name;

    Eigen::Index size() const { return labels.size(); }
    PixelRows pixels() const { return PixelRows(bytes.data(), size(), pixelCount); }
    // The chosen images (all of them without an argument), pixel values 0..255 as double.
    Dataset toDataset(const std::vector<Eigen::Index>& rows) const;
    Dataset toDataset() const;
};

ImageSet loadIdxImages(const std::string& imagesPath, const std::string& labelsPath, const std::string& name);

// Reads an image file (unsigned-byte IDX with at least 2 dimensions: the first is the image count,
// the rest are flattened into the features) and its label file (unsigned-byte IDX with 1 dimension).
// Features are the raw byte values 0..255 as double; classCount is the largest label + 1.
Dataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath, const std::string& name);

enum class IdxSplit { Train, Test };

// Finds the MNIST-style file pair of the split in dir: train-images-idx3-ubyte / train-labels-idx1-ubyte
// (t10k-... for Test), optionally gzipped, also in the dotted variant train-images.idx3-ubyte.
Dataset loadMnistDirectory(const std::string& dir, IdxSplit split);
ImageSet loadMnistImages(const std::string& dir, IdxSplit split);

// Where Debian's dataset-fashion-mnist package installs the data.
std::string defaultFashionMnistDirectory();

} // namespace ntk
