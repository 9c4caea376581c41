#include "ingest/gzip.h"

#include <zlib.h>

#include <algorithm>

namespace quiver::ingest {
namespace {

constexpr size_t kMaxFeed = size_t{1} << 30;  // avail_in and avail_out are 32 bits wide

bool HasGzipMagic(std::string_view s) {
  return s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0x1f &&
         static_cast<unsigned char>(s[1]) == 0x8b;
}

// A zlib stream over an input of any size, handed to zlib in pieces of at most kMaxFeed bytes.
struct GzipInput {
  std::string_view in;
  z_stream zs{};
  size_t fed = 0;  // bytes of `in` handed to zlib so far

  // Hands zlib the next piece of `in`, starting at byte `from`.
  void Feed(size_t from) {
    const size_t n = std::min(in.size() - from, kMaxFeed);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + from));
    zs.avail_in = static_cast<uInt>(n);
    fed = from + n;
  }
};

// One inflate call writing after the first `*produced` bytes of `out`, which it grows to leave
// at least 64 KiB of room; advances `*produced` by the bytes written. Returns zlib's code.
int InflateInto(z_stream& zs, std::string* out, size_t* produced) {
  if (out->size() - *produced < (1 << 16)) {
    out->resize(std::max<size_t>(out->size() * 2, *produced + (1 << 16)));
  }
  const size_t room = std::min(out->size() - *produced, kMaxFeed);
  zs.next_out = reinterpret_cast<Bytef*>(out->data() + *produced);
  zs.avail_out = static_cast<uInt>(room);
  const int rc = inflate(&zs, Z_NO_FLUSH);
  *produced += room - zs.avail_out;
  return rc;
}

// At the end of a gzip member: true when another member follows (the stream is then reset
// and fed from its start), false when the input ends here or only zero padding remains.
// Corruption for other trailing bytes; IOError when zlib cannot reset.
Result<bool> StartNextMember(const std::string& path, GzipInput& input) {
  const size_t consumed = input.fed - input.zs.avail_in;
  const std::string_view rest = input.in.substr(consumed);
  if (rest.empty()) return false;
  if (HasGzipMagic(rest)) {  // another member follows
    if (inflateReset(&input.zs) != Z_OK) return Status::IOError(path + ": zlib reset failed");
    input.Feed(consumed);
    return true;
  }
  if (rest.find_first_not_of('\0') == std::string_view::npos) return false;  // padding
  return Status::Corruption(path + ": unexpected bytes after the gzip data at offset " +
                            std::to_string(consumed));
}

// The error for an inflate return code `rc` other than Z_OK and Z_STREAM_END.
Status InflateError(const std::string& path, int rc, const GzipInput& input) {
  if (rc == Z_BUF_ERROR && input.zs.avail_in == 0 && input.fed == input.in.size()) {
    return Status::Corruption(path + ": truncated gzip data");
  }
  if (rc == Z_MEM_ERROR) return Status::IOError(path + ": out of memory while decompressing");
  return Status::Corruption(
      path + ": corrupt gzip data (" +
      (input.zs.msg != nullptr ? std::string(input.zs.msg) : "zlib error " + std::to_string(rc)) +
      ")");
}

// Decompresses `in` into `out`, stopping once `limit` bytes are out; with `prefix_only` the
// input may end anywhere (it is the start of a longer file).
Status Inflate(const std::string& path, std::string_view in, size_t limit, bool prefix_only,
               std::string* out) {
  if (!HasGzipMagic(in)) {
    return Status::Corruption(path + ": not gzip data (it does not start with the bytes 1f 8b)");
  }
  GzipInput input{in};
  if (inflateInit2(&input.zs, 15 + 16) != Z_OK) {
    return Status::IOError(path + ": cannot start zlib");
  }
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&input.zs};

  input.Feed(0);
  out->clear();
  size_t produced = 0;
  while (produced < limit) {
    if (input.zs.avail_in == 0 && input.fed < in.size()) input.Feed(input.fed);
    const bool input_ended = input.zs.avail_in == 0 && input.fed == in.size();
    const int rc = InflateInto(input.zs, out, &produced);
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && prefix_only && input_ended) break;
    if (rc != Z_STREAM_END) return InflateError(path, rc, input);
    QUIVER_ASSIGN_OR_RETURN(const bool another_member, StartNextMember(path, input));
    if (!another_member) break;
  }
  out->resize(std::min(produced, limit));
  return Status::OK();
}

}  // namespace

Status Gunzip(const std::string& path, std::string_view in, std::string* out) {
  return Inflate(path, in, std::string::npos, false, out);
}

Status GunzipPrefix(const std::string& path, std::string_view in, size_t limit, std::string* out) {
  return Inflate(path, in, limit, true, out);
}

}  // namespace quiver::ingest
