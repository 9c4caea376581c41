#include "storage/info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace quiver::storage {
namespace {

constexpr off_t kRestartBytes = off_t{1} << 20;

class InfoLog : public rocksdb::Logger {
 public:
  explicit InfoLog(int fd) : Logger(rocksdb::InfoLogLevel::WARN_LEVEL), fd_(fd) {}
  ~InfoLog() override {
    if (fd_ >= 0) ::close(fd_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (fd_ < 0 || level < GetInfoLogLevel()) return;
    char line[1024];
    const std::time_t now = std::time(nullptr);
    std::tm utc;
    gmtime_r(&now, &utc);
    size_t used = std::strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &utc);
    const int n = std::vsnprintf(line + used, sizeof(line) - used - 1, format, ap);
    if (n < 0) return;
    used = std::min(sizeof(line) - 2, used + static_cast<size_t>(n));
    line[used++] = '\n';
    // A failed or short write loses this line and nothing else.
    [[maybe_unused]] ssize_t ignored = ::write(fd_, line, used);
  }

 protected:
  rocksdb::Status CloseImpl() override { return rocksdb::Status::OK(); }

 private:
  int fd_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir) {
  const std::string path = dir + "/LOG";
  struct stat info;
  const bool restart = ::stat(path.c_str(), &info) == 0 && info.st_size > kRestartBytes;
  const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (restart ? O_TRUNC : 0);
  return std::make_shared<InfoLog>(::open(path.c_str(), flags, 0644));
}

}  // namespace quiver::storage
