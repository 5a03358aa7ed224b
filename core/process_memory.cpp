#include "process_memory.h"

#include <fstream>
#include <string>

namespace ntk {
namespace {

// The value of a "Name:   123 kB" line of a /proc file, in bytes.
double procKilobytes(const char* file, const std::string& field) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field, 0) == 0)
            return 1024.0 * std::stod(line.substr(field.size()));
    return 0.0;
}

} // namespace

double peakResidentBytes() {
    return procKilobytes("/proc/self/status", "VmHWM:");
}

double availableMemoryBytes() {
    return procKilobytes("/proc/meminfo", "MemAvailable:");
}

} // namespace ntk
