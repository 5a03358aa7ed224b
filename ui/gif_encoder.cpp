// Animated GIF through giflib (see gif_encoder.h).
#include "gif_encoder.h"

#include <QRect>
#include <algorithm>
#include <array>
#include <cstring>
#include <gif_lib.h>
#include <unordered_map>

namespace ntk {

namespace {

// Colours kept exactly when the frames hold more than 256: enough for the white background, black text,
// grey gridlines and every curve's full colour, leaving most entries for the antialiased blends.
constexpr int exactlyKeptColours = 64;

struct Box {
    int begin, end; // range in the colour list
};

int channel(QRgb colour, int which) {
    return which == 0 ? qRed(colour) : which == 1 ? qGreen(colour) : qBlue(colour);
}

// Median cut over weighted colours: splits the box with the largest spread (weighted by its pixels) along
// its widest channel at the weighted median, until there are `wanted` boxes; each entry is its box's mean.
std::vector<QRgb> medianCut(std::vector<std::pair<QRgb, qint64>> colours, int wanted) {
    std::vector<Box> boxes{{0, int(colours.size())}};
    auto widest = [&](const Box& box, int& which) {
        int best = -1;
        for (int c = 0; c < 3; ++c) {
            int lo = 255, hi = 0;
            for (int i = box.begin; i < box.end; ++i) {
                lo = std::min(lo, channel(colours[i].first, c));
                hi = std::max(hi, channel(colours[i].first, c));
            }
            if (hi - lo > best) {
                best = hi - lo;
                which = c;
            }
        }
        return best;
    };
    while (int(boxes.size()) < wanted) {
        int splitIndex = -1, splitChannel = 0;
        double bestScore = 0.0;
        for (int b = 0; b < int(boxes.size()); ++b) {
            if (boxes[b].end - boxes[b].begin < 2)
                continue;
            int which = 0;
            const int spread = widest(boxes[b], which);
            qint64 weight = 0;
            for (int i = boxes[b].begin; i < boxes[b].end; ++i)
                weight += colours[i].second;
            const double score = double(spread) * spread * double(weight);
            if (score > bestScore) {
                bestScore = score;
                splitIndex = b;
                splitChannel = which;
            }
        }
        if (splitIndex < 0)
            break; // every box is a single colour
        Box& box = boxes[splitIndex];
        std::sort(colours.begin() + box.begin, colours.begin() + box.end, [&](const auto& a, const auto& b) {
            return channel(a.first, splitChannel) < channel(b.first, splitChannel);
        });
        qint64 total = 0, running = 0;
        for (int i = box.begin; i < box.end; ++i)
            total += colours[i].second;
        int middle = box.begin + 1;
        for (int i = box.begin; i < box.end - 1; ++i) {
            running += colours[i].second;
            middle = i + 1;
            if (2 * running >= total)
                break;
        }
        const Box upper{middle, box.end};
        box.end = middle;
        boxes.push_back(upper);
    }
    std::vector<QRgb> palette;
    for (const Box& box : boxes) {
        double sum[3] = {0, 0, 0}, weight = 0;
        for (int i = box.begin; i < box.end; ++i) {
            for (int c = 0; c < 3; ++c)
                sum[c] += double(channel(colours[i].first, c)) * double(colours[i].second);
            weight += double(colours[i].second);
        }
        palette.push_back(
            qRgb(int(sum[0] / weight + 0.5), int(sum[1] / weight + 0.5), int(sum[2] / weight + 0.5)));
    }
    return palette;
}

int nearest(const std::vector<QRgb>& palette, QRgb colour) {
    int best = 0;
    long bestDistance = -1;
    for (int i = 0; i < int(palette.size()); ++i) {
        const long dr = qRed(palette[i]) - qRed(colour), dg = qGreen(palette[i]) - qGreen(colour),
                   db = qBlue(palette[i]) - qBlue(colour);
        // Green weighs most and blue least in how different two colours look.
        const long distance = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
        if (bestDistance < 0 || distance < bestDistance) {
            bestDistance = distance;
            best = i;
        }
    }
    return best;
}

// The part of a frame to write: the rectangle around the pixels that differ from the previous frame, and
// a colour-table index that none of those pixels uses, to mark the unchanged ones as transparent (-1 when
// every index is in use, and the rectangle is written as it is).
struct ChangedPixels {
    QRect box;
    int transparentIndex = -1;
};

ChangedPixels changedPixels(const std::vector<GifPixelType>& previous,
                            const std::vector<GifPixelType>& current, int width, int bits) {
    const int height = int(current.size() / std::size_t(width));
    int left = width, right = -1, top = height, bottom = -1;
    std::array<bool, 256> used{};
    for (int y = 0; y < height; ++y) {
        const std::size_t start = std::size_t(y) * width;
        for (int x = 0; x < width; ++x)
            if (previous[start + x] != current[start + x]) {
                left = std::min(left, x);
                right = std::max(right, x);
                top = std::min(top, y);
                bottom = std::max(bottom, y);
                used[current[start + x]] = true;
            }
    }
    if (right < 0) // nothing changed: one unchanged pixel carries the frame's delay
        return {QRect(0, 0, 1, 1), -1};
    ChangedPixels changed{QRect(QPoint(left, top), QPoint(right, bottom)), -1};
    for (int i = 0; i < (1 << bits) && changed.transparentIndex < 0; ++i)
        if (!used[i])
            changed.transparentIndex = i;
    return changed;
}

int writeToByteArray(GifFileType* gif, const GifByteType* bytes, int size) {
    static_cast<QByteArray*>(gif->UserData)->append(reinterpret_cast<const char*>(bytes), size);
    return size;
}

QString gifError(int code) {
    const char* text = GifErrorString(code);
    return QString("GIF encoding failed: ") + (text ? text : "unknown giflib error");
}

} // namespace

std::vector<QRgb> gifPalette(const std::vector<std::pair<QRgb, qint64>>& histogram) {
    std::vector<std::pair<QRgb, qint64>> sorted = histogram;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<QRgb> palette;
    if (sorted.size() <= 256) {
        for (const auto& [colour, count] : sorted)
            palette.push_back(colour);
        return palette;
    }
    for (int i = 0; i < exactlyKeptColours; ++i)
        palette.push_back(sorted[i].first);
    const std::vector<std::pair<QRgb, qint64>> rest(sorted.begin() + exactlyKeptColours, sorted.end());
    for (QRgb colour : medianCut(rest, 256 - exactlyKeptColours))
        palette.push_back(colour);
    return palette;
}

std::optional<QString> encodeAnimatedGif(const GifFrames& frames, QByteArray& out) {
    if (frames.count < 1)
        return QString("GIF encoding failed: no frames");
    // First pass: every colour of every frame, for one palette shared by all.
    std::unordered_map<QRgb, qint64> counts;
    QSize size;
    for (int f = 0; f < frames.count; ++f) {
        if (frames.cancelled())
            return QString("cancelled");
        const QImage image = frames.frame(f).convertToFormat(QImage::Format_RGB32);
        if (f == 0)
            size = image.size();
        else if (image.size() != size)
            return QString("GIF encoding failed: frame %1 is %2x%3, not %4x%5")
                .arg(f)
                .arg(image.width())
                .arg(image.height())
                .arg(size.width())
                .arg(size.height());
        for (int y = 0; y < image.height(); ++y) {
            const QRgb* row = reinterpret_cast<const QRgb*>(image.constScanLine(y));
            for (int x = 0; x < image.width(); ++x)
                ++counts[row[x] | 0xff000000u];
        }
    }
    if (size.width() > 65535 || size.height() > 65535)
        return QString("GIF encoding failed: %1x%2 is larger than a GIF can be")
            .arg(size.width())
            .arg(size.height());
    const std::vector<QRgb> palette = gifPalette({counts.begin(), counts.end()});
    std::unordered_map<QRgb, GifByteType> index;
    for (const auto& [colour, count] : counts)
        index[colour] = GifByteType(nearest(palette, colour));

    // A GIF colour table has a power-of-two size; unused entries stay black.
    int bits = 1;
    while ((1 << bits) < int(palette.size()))
        ++bits;
    ColorMapObject* map = GifMakeMapObject(1 << bits, nullptr);
    if (!map)
        return QString("GIF encoding failed: out of memory");
    for (int i = 0; i < int(palette.size()); ++i)
        map->Colors[i] = {GifByteType(qRed(palette[i])), GifByteType(qGreen(palette[i])),
                          GifByteType(qBlue(palette[i]))};

    out.clear();
    int error = 0;
    GifFileType* gif = EGifOpen(&out, writeToByteArray, &error);
    if (!gif) {
        GifFreeMapObject(map);
        return gifError(error);
    }
    auto fail = [&](int code) {
        GifFreeMapObject(map);
        int ignored = 0;
        EGifCloseFile(gif, &ignored);
        return gifError(code);
    };
    EGifSetGifVersion(gif, true); // GIF89a: delays and the loop block are GIF89 extensions
    if (EGifPutScreenDesc(gif, size.width(), size.height(), bits, 0, map) == GIF_ERROR)
        return fail(gif->Error);
    // NETSCAPE2.0 application block: loop forever (count 0), as a slide expects.
    const GifByteType loopBlock[3] = {1, 0, 0};
    if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 3, loopBlock) == GIF_ERROR || EGifPutExtensionTrailer(gif) == GIF_ERROR)
        return fail(gif->Error);
    // Each frame after the first is written as the smallest rectangle holding every pixel that differs from
    // the frame before (in palette indices, so what a viewer shows is exactly the full frame), drawn over
    // that frame; inside the rectangle the unchanged pixels are a transparent index, whose long runs LZW
    // packs into a few codes. A plot whose curve moves changes a small part of each frame.
    const int width = size.width(), height = size.height();
    std::vector<GifPixelType> previous, current(std::size_t(width) * height), line;
    for (int f = 0; f < frames.count; ++f) {
        if (frames.cancelled()) {
            GifFreeMapObject(map);
            int ignored = 0;
            EGifCloseFile(gif, &ignored);
            return QString("cancelled");
        }
        const QImage image = frames.frame(f).convertToFormat(QImage::Format_RGB32);
        for (int y = 0; y < height; ++y) {
            const QRgb* row = reinterpret_cast<const QRgb*>(image.constScanLine(y));
            for (int x = 0; x < width; ++x) {
                const QRgb colour = row[x] | 0xff000000u;
                const auto it = index.find(colour);
                current[std::size_t(y) * width + x] =
                    it != index.end() ? it->second : GifPixelType(nearest(palette, colour));
            }
        }
        const ChangedPixels changed = previous.empty() ? ChangedPixels{QRect(0, 0, width, height), -1}
                                                       : changedPixels(previous, current, width, bits);
        GraphicsControlBlock control{};
        control.DisposalMode = DISPOSE_DO_NOT; // the next frame is drawn over this one
        control.UserInputFlag = false;
        control.DelayTime = std::max(1, (frames.delayMs(f) + 5) / 10);
        control.TransparentColor = changed.transparentIndex;
        GifByteType extension[4];
        const size_t length = EGifGCBToExtension(&control, extension);
        if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(length), extension) == GIF_ERROR)
            return fail(gif->Error);
        const QRect& box = changed.box;
        if (EGifPutImageDesc(gif, box.x(), box.y(), box.width(), box.height(), false, nullptr) == GIF_ERROR)
            return fail(gif->Error);
        line.resize(box.width());
        for (int y = box.top(); y <= box.bottom(); ++y) {
            const std::size_t start = std::size_t(y) * width;
            for (int x = box.left(); x <= box.right(); ++x) {
                const GifPixelType now = current[start + x];
                line[x - box.left()] = changed.transparentIndex >= 0 && previous[start + x] == now
                                           ? GifPixelType(changed.transparentIndex)
                                           : now;
            }
            if (EGifPutLine(gif, line.data(), box.width()) == GIF_ERROR)
                return fail(gif->Error);
        }
        previous.swap(current);
        current.resize(previous.size());
    }
    GifFreeMapObject(map);
    if (EGifCloseFile(gif, &error) == GIF_ERROR)
        return gifError(error);
    return std::nullopt;
}

} // namespace ntk
