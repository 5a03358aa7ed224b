#include "atomic_write.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ntk {
namespace {

QString systemError(int error) {
    return QString::fromLocal8Bit(std::strerror(error));
}

using Producer = std::function<void(const ChunkSink&)>;

std::optional<QString> writeThroughQSaveFile(const QString& path, const Producer& produce) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return path + ": cannot write: " + file.errorString();
    bool failed = false;
    produce([&](const char* bytes, qint64 size) {
        failed = failed || file.write(bytes, size) != size;
        return !failed;
    });
    if (failed) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return path + ": write failed: " + reason;
    }
    if (!file.commit())
        return path + ": cannot finish writing: " + file.errorString();
    return std::nullopt;
}

#ifdef O_TMPFILE
// Temporary names are ".NAME.ntkviz-PID-RANDOM": the writer's process id says whether it is still alive.
QString temporaryPrefix(const QFileInfo& target) {
    return "." + target.fileName() + ".ntkviz-";
}

// A writer killed between giving its complete data a name and renaming it leaves that file behind; the
// next write of the same target removes it. Files of live writers (another thread, another instance) are
// left alone: their rename is about to happen.
void removeLeftoversOfDeadWriters(const QFileInfo& target) {
    const QString prefix = temporaryPrefix(target);
    const QDir dir = target.absoluteDir();
    for (const QString& name : dir.entryList({prefix + "*"}, QDir::Files | QDir::Hidden)) {
        bool isNumber = false;
        const qint64 pid = name.mid(prefix.size()).section('-', 0, 0).toLongLong(&isNumber);
        if (isNumber && pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
            QFile::remove(dir.filePath(name));
    }
}

struct FileDescriptor {
    int fd;
    ~FileDescriptor() {
        if (fd >= 0)
            ::close(fd);
    }
};

// Linux: the data go into an unnamed file (O_TMPFILE) that no one can see, so a kill or a full disk while
// writing leaves nothing at all. Only once it is complete and flushed does it get a temporary name, and
// a rename puts it in place of the target. Returns nullopt for "use the portable path instead".
std::optional<std::optional<QString>> writeThroughUnnamedFile(const QString& path, const Producer& produce) {
    const QFileInfo target(path);
    const QByteArray directory = QFile::encodeName(target.absolutePath());
    FileDescriptor file{::open(directory.constData(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666)};
    if (file.fd < 0) {
        if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)
            return std::nullopt; // this file system or kernel has no O_TMPFILE
        return path + ": cannot write: " + systemError(errno);
    }
    // Replacing a file keeps its permissions, as QSaveFile does.
    struct stat existing;
    if (::stat(QFile::encodeName(path).constData(), &existing) == 0)
        ::fchmod(file.fd, existing.st_mode & 07777);
    int writeError = 0;
    produce([&](const char* bytes, qint64 size) {
        for (qint64 done = 0; writeError == 0 && done < size;) {
            const ssize_t n = ::write(file.fd, bytes + done, std::size_t(size - done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                writeError = n < 0 ? errno : ENOSPC;
            else
                done += n;
        }
        return writeError == 0;
    });
    if (writeError != 0)
        return path + ": write failed: " + systemError(writeError);
    if (::fsync(file.fd) != 0)
        return path + ": write failed: " + systemError(errno);

    removeLeftoversOfDeadWriters(target);
    const QString temporary =
        target.absoluteDir().filePath(temporaryPrefix(target) + QString::number(::getpid()) + "-" +
                                      QString::number(QRandomGenerator::global()->generate(), 16));
    const QByteArray temporaryName = QFile::encodeName(temporary);
    const QByteArray procPath = "/proc/self/fd/" + QByteArray::number(file.fd);
    if (::linkat(AT_FDCWD, procPath.constData(), AT_FDCWD, temporaryName.constData(), AT_SYMLINK_FOLLOW) != 0)
        return std::nullopt; // no /proc, for instance: the portable path still works
    if (::rename(temporaryName.constData(), QFile::encodeName(path).constData()) != 0) {
        const int error = errno;
        ::unlink(temporaryName.constData());
        return path + ": cannot finish writing: " + systemError(error);
    }
    return std::optional<QString>{};
}
#endif

} // namespace

std::optional<QString> writeFileAtomically(const QString& path,
                                           const std::function<void(const ChunkSink&)>& produce) {
#ifdef O_TMPFILE
    if (auto result = writeThroughUnnamedFile(path, produce))
        return *result;
#endif
    return writeThroughQSaveFile(path, produce);
}

std::optional<QString> writeFileAtomically(const QString& path, const QByteArray& bytes) {
    return writeFileAtomically(path,
                               [&bytes](const ChunkSink& sink) { sink(bytes.constData(), bytes.size()); });
}

} // namespace ntk
