#include "ttcgames/run/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace ttcg {

std::uint32_t crc32_of(const std::byte* data, std::size_t n, std::uint32_t crc) {
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    crc = static_cast<std::uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(data), chunk));
    data += chunk;
    n -= chunk;
  }
  return crc;
}

namespace {

constexpr char HEADER_MAGIC[8] = {'T', 'T', 'C', 'G', 'C', 'K', 'P', 'T'};
constexpr std::uint32_t RECORD_MAGIC = 0x44524345u;  // "ECRD" little-endian
constexpr std::size_t RECORD_OVERHEAD = 4 + 8 + 8 + 4;

std::string errno_text() {
  return std::strerror(errno);
}

void write_all(int fd, const Bytes& bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw InputError(path + ": cannot write the checkpoint journal: " + errno_text());
    done += static_cast<std::size_t>(w);
  }
}

Bytes header_bytes(const std::string& fingerprint) {
  ArchiveWriter w;
  for (const char c : HEADER_MAGIC) w.put(c);
  w.put<std::uint32_t>(CHECKPOINT_FORMAT_VERSION);
  w.put(fingerprint);
  Bytes b = w.take();
  const std::uint32_t crc = crc32_of(b.data(), b.size());
  const auto* p = reinterpret_cast<const std::byte*>(&crc);
  b.insert(b.end(), p, p + 4);
  return b;
}

template <class T>
bool read_at(const Bytes& b, std::size_t pos, T& out) {
  if (pos > b.size() || b.size() - pos < sizeof(T)) return false;
  std::memcpy(&out, b.data() + pos, sizeof(T));
  return true;
}

}  // namespace

std::string checkpoint_path(const std::string& output) {
  return output + ".ckpt";
}

CheckpointJournal CheckpointJournal::create(const std::string& path, const std::string& fingerprint) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(path + ": cannot create the checkpoint journal: " + errno_text());
  CheckpointJournal j(path, fd);
  write_all(fd, header_bytes(fingerprint), path);
  j.sync();
  return j;
}

CheckpointJournal CheckpointJournal::resume(const std::string& path, const std::string& fingerprint,
                                            std::map<std::uint64_t, Bytes>& records, std::uint64_t* discarded,
                                            const RecordCheck& check) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": no checkpoint journal to resume from (run without --resume to start afresh)");
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes b(raw.size());
  std::memcpy(b.data(), raw.data(), raw.size());

  const Bytes expected = header_bytes(fingerprint);
  if (b.size() < sizeof(HEADER_MAGIC) || std::memcmp(b.data(), HEADER_MAGIC, sizeof(HEADER_MAGIC)) != 0)
    throw InputError(path + ": not a ttcgames checkpoint journal");
  std::uint32_t version = 0;
  if (!read_at(b, sizeof(HEADER_MAGIC), version) || version != CHECKPOINT_FORMAT_VERSION)
    throw InputError(path + ": checkpoint format version " + std::to_string(version) + ", this ttcgames writes " +
                     std::to_string(CHECKPOINT_FORMAT_VERSION) + "; remove the journal and run without --resume");
  if (b.size() < expected.size() || std::memcmp(b.data(), expected.data(), expected.size()) != 0)
    throw InputError(
        path +
        ": the checkpoint belongs to a different run (the scenarios or run logs, the seed or a result-changing "
        "option differ); rerun with the same inputs, or remove it and run without --resume");

  records.clear();
  std::size_t pos = expected.size();
  while (pos < b.size()) {
    std::uint32_t magic = 0, crc = 0;
    std::uint64_t unit = 0, length = 0;
    const std::size_t left = b.size() - pos;
    if (left < RECORD_OVERHEAD || !read_at(b, pos, magic) || magic != RECORD_MAGIC) break;
    read_at(b, pos + 4, unit);
    read_at(b, pos + 12, length);
    if (length > left - RECORD_OVERHEAD) break;
    read_at(b, pos + 20 + length, crc);
    if (crc != crc32_of(b.data() + pos, 20 + length)) break;
    records.try_emplace(unit, b.begin() + static_cast<std::ptrdiff_t>(pos + 20),
                        b.begin() + static_cast<std::ptrdiff_t>(pos + 20 + length));
    pos += RECORD_OVERHEAD + length;
  }
  if (discarded) *discarded = b.size() - pos;
  if (check) {
    std::string failure;
    for (const auto& [unit, payload] : records) {
      try {
        check(unit, payload);
      } catch (const InputError& e) {
        failure = path + ": the checkpoint record of unit " + std::to_string(unit) + " does not belong to this run (" +
                  e.what() + "); remove the journal and run without --resume";
        break;
      }
    }
    if (!failure.empty()) {  // (the records are dropped only after the loop: the message names one of them)
      records.clear();
      throw InputError(failure);
    }
  }

  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path + ": cannot reopen the checkpoint journal: " + errno_text());
  CheckpointJournal j(path, fd);
  if (::ftruncate(fd, static_cast<off_t>(pos)) != 0 || ::lseek(fd, static_cast<off_t>(pos), SEEK_SET) < 0)
    throw InputError(path + ": cannot cut the torn tail of the checkpoint journal: " + errno_text());
  j.sync();
  return j;
}

CheckpointJournal::CheckpointJournal(CheckpointJournal&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) {
  o.fd_ = -1;
}

CheckpointJournal::~CheckpointJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void CheckpointJournal::append(std::uint64_t unit, const Bytes& payload) {
  ArchiveWriter w;
  w.put<std::uint32_t>(RECORD_MAGIC);
  w.put<std::uint64_t>(unit);
  w.put<std::uint64_t>(payload.size());
  Bytes record = w.take();
  record.insert(record.end(), payload.begin(), payload.end());
  const std::uint32_t crc = crc32_of(record.data(), record.size());
  const auto* p = reinterpret_cast<const std::byte*>(&crc);
  record.insert(record.end(), p, p + 4);
  write_all(fd_, record, path_);
}

void CheckpointJournal::sync() {
  if (fd_ >= 0 && ::fsync(fd_) != 0 && errno != EINVAL)
    throw InputError(path_ + ": cannot flush the checkpoint journal to disk: " + errno_text());
}

void CheckpointJournal::remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

}  // namespace ttcg
