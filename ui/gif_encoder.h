#pragma once
// Animated GIF from a sequence of equally sized frames, through giflib: one palette shared by every frame
// (so a colour never flickers between frames), a NETSCAPE2.0 block that loops forever and a delay per frame.
// After the first, each frame holds only the rectangle that changed since the frame before, drawn over it
// with its unchanged pixels transparent: a viewer shows the same frames, and a moving curve costs little.
#include <QByteArray>
#include <QImage>
#include <QString>
#include <functional>
#include <optional>
#include <vector>

namespace ntk {

// At most 256 colours for `histogram` (colour -> pixel count). When there are no more than 256 colours the
// palette is exactly those; otherwise the most frequent colours (background, text, gridlines, the curves'
// own colours) are kept exactly and a median cut over the rest fills the remaining entries, so only the
// antialiased edges are approximated.
std::vector<QRgb> gifPalette(const std::vector<std::pair<QRgb, qint64>>& histogram);

struct GifFrames {
    int count = 0;
    std::function<QImage(int index)> frame; // each of the same size
    std::function<int(int index)> delayMs;  // how long the frame stays (GIF counts in 1/100 s)
    std::function<bool()> cancelled = [] { return false; };
};

// Encodes the frames into `out`; returns an error, or nullopt.
std::optional<QString> encodeAnimatedGif(const GifFrames& frames, QByteArray& out);

} // namespace ntk
