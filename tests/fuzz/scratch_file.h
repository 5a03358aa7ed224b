#pragma once
// A per-process scratch file for fuzz targets whose API under test reads a path rather than bytes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

class ScratchFile {
public:
    // The process id keeps parallel fuzzing jobs (-jobs=N) from overwriting each other's input.
    explicit ScratchFile(const std::string& role)
        : path_((directory() / ("ntkviz-fuzz-" + std::to_string(getpid()) + "-" + role)).string()) {}
    ~ScratchFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    const std::string& path() const { return path_; }

    void write(const std::uint8_t* data, std::size_t size) const {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }

private:
    // Rewriting a file hundreds of times a second on ext4 makes it flush each truncated file to disk
    // (auto_da_alloc), which halves the execution rate; tmpfs has no disk behind it.
    static std::filesystem::path directory() {
        std::error_code error;
        if (std::filesystem::is_directory("/dev/shm", error) && access("/dev/shm", W_OK) == 0)
            return "/dev/shm";
        return std::filesystem::temp_directory_path();
    }

    std::string path_;
};
