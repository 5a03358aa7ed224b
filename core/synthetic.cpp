#include "synthetic.h"

#include <cmath>
#include <numbers>
#include <random>

namespace ntk {
namespace {

constexpr double pi = std::numbers::pi;

Dataset emptyClassification(int count, int dimension, int classes, const char* name) {
    Dataset data;
    data.features.resize(count, dimension);
    data.labels.resize(count);
    data.classCount = classes;
    data.task = TaskKind::Classification;
    data.name = name;
    return data;
}

// Point i belongs to class i mod classes, so every class gets count/classes points (give or take one).
template <class PointFn>
Dataset generate(int count, int classes, double noise, std::uint64_t seed, const char* name, PointFn point) {
    Dataset data = emptyClassification(count, 2, classes, name);
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> jitter(0.0, 1.0);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (int i = 0; i < count; ++i) {
        const int label = i % classes;
        const Eigen::Vector2d p = point(label, uniform(rng), rng);
        data.features(i, 0) = p.x() + noise * jitter(rng);
        data.features(i, 1) = p.y() + noise * jitter(rng);
        data.labels[i] = label;
    }
    return data;
}

} // namespace

Dataset makeMoons(int count, double noise, std::uint64_t seed) {
    return generate(count, 2, noise, seed, "moons", [](int label, double u, auto&) {
        const double t = pi * u;
        return label == 0 ? Eigen::Vector2d(std::cos(t), std::sin(t))
                          : Eigen::Vector2d(1.0 - std::cos(t), 0.5 - std::sin(t));
    });
}

Dataset makeCircles(int count, double noise, std::uint64_t seed) {
    return generate(count, 2, noise, seed, "circles", [](int label, double u, auto&) {
        const double radius = label == 0 ? 1.0 : 0.5;
        return Eigen::Vector2d(radius * std::cos(2 * pi * u), radius * std::sin(2 * pi * u));
    });
}

Dataset makeSpirals(int count, double noise, std::uint64_t seed) {
    return generate(count, 2, noise, seed, "spirals", [](int label, double u, auto&) {
        // sqrt spreads points evenly along the arm; the second arm is the first turned by pi.
        const double t = std::sqrt(u) * 3.0 * pi;
        const double radius = t / (3.0 * pi);
        const double angle = t + label * pi;
        return Eigen::Vector2d(radius * std::cos(angle), radius * std::sin(angle));
    });
}

Dataset makeXor(int count, double noise, std::uint64_t seed) {
    return generate(count, 2, noise, seed, "xor", [](int label, double u, auto& rng) {
        std::uniform_real_distribution<double> coordinate(0.05, 1.0);
        std::bernoulli_distribution flip(0.5);
        // Class 0 in quadrants I and III (same signs), class 1 in II and IV.
        const double sign = flip(rng) ? 1.0 : -1.0;
        const double x = sign * (0.05 + 0.95 * u);
        const double y = (label == 0 ? sign : -sign) * coordinate(rng);
        return Eigen::Vector2d(x, y);
    });
}

Dataset makeBlobs(int count, int classes, double noise, std::uint64_t seed) {
    const double spread = 0.25 + noise;
    return generate(count, classes, 0.0, seed, "blobs", [&](int label, double, auto& rng) {
        std::normal_distribution<double> jitter(0.0, spread);
        const double angle = 2.0 * pi * label / classes;
        return Eigen::Vector2d(2.0 * std::cos(angle) + jitter(rng), 2.0 * std::sin(angle) + jitter(rng));
    });
}

Dataset makeSine(int count, double noise, std::uint64_t seed) {
    Dataset data;
    data.task = TaskKind::Regression;
    data.name = "sine";
    data.features.resize(count, 1);
    data.values.resize(count);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> position(-pi, pi);
    std::normal_distribution<double> jitter(0.0, 1.0);
    for (int i = 0; i < count; ++i) {
        const double x = position(rng);
        data.features(i, 0) = x;
        data.values[i] = std::sin(x) + noise * jitter(rng);
    }
    return data;
}

} // namespace ntk
