// gzip read through ISA-L's igzip (isal_inflate with the gzip wrapper: header parsed, CRC-32 and
// length checked) and written through zlib (deflate, windowBits 15 + 16); zstd through its
// streaming API. All work on caller-sized chunks with a fixed output buffer (1 MiB when
// decompressing, 64 KiB when compressing), so a compressed file of any size streams through
// bounded memory. igzip inflates the same streams about 2.5 times as fast as zlib (0.11 s
// against 0.28 s for a 103 MB JSONL file); zlib stays for writing, where igzip's levels
// compress less.
#include "dupstrip/compress.hpp"

#include <isa-l/igzip_lib.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace dupstrip {

compression compression_for(std::string_view name) noexcept {
  auto ends = [&](std::string_view suffix) {
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".gz")) return compression::gzip;
  if (ends(".zst")) return compression::zstd;
  return compression::none;
}

namespace detail {
namespace {

constexpr std::size_t out_chunk = 1U << 16;
// Inflated bytes are handed on in pieces of 1 MiB: a JSONL stream's indexer parses every line
// that lies whole in a piece where it is, and copies only those that span two (with 64 KiB
// pieces, every record of a web page did).
constexpr std::size_t inflate_chunk = 1U << 20;

std::error_code bad_data() { return make_error_code(errc::bad_compressed_data); }

// zlib and igzip count in 32 bits: feed them at most this much at a time.
constexpr std::size_t chunk_max = std::numeric_limits<std::uint32_t>::max() / 2;

}  // namespace

struct decompressor::impl {
  compression kind;
  std::unique_ptr<inflate_state> gz;  // about 40 KiB: made for gzip streams only
  bool gz_open = false;
  bool member_done = true;  // gzip: between members (a clean place to stop)
  ZSTD_DStream* zs = nullptr;
  std::size_t zstd_hint = 0;  // 0: the last frame is complete
  bool fed_any = false;
  std::vector<char> buf;  // inflated bytes: sized for compressed streams only (fresh pages cost faults)
};

decompressor::decompressor(compression c) : impl_(std::make_unique<impl>()) {
  impl_->kind = c;
  if (c != compression::none) impl_->buf.resize(inflate_chunk);
  if (c == compression::zstd) impl_->zs = ZSTD_createDStream();
  if (c == compression::gzip) impl_->gz = std::make_unique<inflate_state>();
}

decompressor::~decompressor() {
  if (impl_->zs != nullptr) ZSTD_freeDStream(impl_->zs);
}

std::error_code decompressor::feed(std::string_view in, const byte_sink& out) {
  impl& s = *impl_;
  if (!in.empty()) s.fed_any = true;
  switch (s.kind) {
    case compression::none:
      return in.empty() ? std::error_code{} : out(in);
    case compression::gzip: {
      inflate_state& z = *s.gz;
      while (!in.empty()) {
        if (!s.gz_open) {
          isal_inflate_init(&z);
          z.crc_flag = ISAL_GZIP;  // parse the member's header, check its CRC-32 and length
          s.gz_open = true;
        }
        const std::size_t take = std::min(in.size(), chunk_max);
        z.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in.data()));
        z.avail_in = static_cast<std::uint32_t>(take);
        s.member_done = false;
        bool ended = false;
        for (;;) {
          z.next_out = reinterpret_cast<std::uint8_t*>(s.buf.data());
          z.avail_out = static_cast<std::uint32_t>(s.buf.size());
          const int rc = isal_inflate(&z);
          if (rc != ISAL_DECOMP_OK) return bad_data();  // a broken block, header or checksum
          const std::size_t produced = s.buf.size() - z.avail_out;
          if (produced != 0)
            if (auto ec = out(std::string_view(s.buf.data(), produced))) return ec;
          ended = z.block_state == ISAL_BLOCK_FINISH;
          if (ended) break;
          if (z.avail_out != 0) break;  // the input is used up (the output buffer was not filled)
        }
        // At a member's end igzip hands back the whole bytes it had read ahead, so what
        // follows (another member, or bytes that are not gzip) starts at next_in.
        const std::size_t used = take - z.avail_in;
        if (used == 0 && !ended) return bad_data();
        in.remove_prefix(used);
        if (ended) {
          // One gzip member ended; another may follow (concatenated .gz files).
          s.gz_open = false;
          s.member_done = true;
        }
      }
      return {};
    }
    case compression::zstd: {
      if (s.zs == nullptr) return make_error_code(errc::io_error);
      ZSTD_inBuffer ib{in.data(), in.size(), 0};
      for (;;) {
        ZSTD_outBuffer ob{s.buf.data(), s.buf.size(), 0};
        const std::size_t r = ZSTD_decompressStream(s.zs, &ob, &ib);
        if (ZSTD_isError(r) != 0) return bad_data();
        s.zstd_hint = r;
        if (ob.pos != 0)
          if (auto ec = out(std::string_view(s.buf.data(), ob.pos))) return ec;
        if (ib.pos == ib.size && ob.pos < ob.size) break;
      }
      return {};
    }
  }
  return {};
}

std::error_code decompressor::finish() {
  const impl& s = *impl_;
  switch (s.kind) {
    case compression::none: return {};
    case compression::gzip: return s.fed_any && !s.member_done ? bad_data() : std::error_code{};
    case compression::zstd: return s.zstd_hint != 0 ? bad_data() : std::error_code{};
  }
  return {};
}

struct compressor::impl {
  compression kind;
  z_stream z{};
  bool z_open = false;
  ZSTD_CStream* zs = nullptr;
  std::vector<char> buf;  // deflated bytes: sized for compressed streams only
};

compressor::compressor(compression c) : impl_(std::make_unique<impl>()) {
  impl_->kind = c;
  if (c != compression::none) impl_->buf.resize(out_chunk);
  if (c == compression::gzip) {
    impl_->z_open = deflateInit2(&impl_->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  } else if (c == compression::zstd) {
    impl_->zs = ZSTD_createCStream();
    if (impl_->zs != nullptr) ZSTD_CCtx_setParameter(impl_->zs, ZSTD_c_compressionLevel, 3);
  }
}

compressor::~compressor() {
  if (impl_->z_open) deflateEnd(&impl_->z);
  if (impl_->zs != nullptr) ZSTD_freeCStream(impl_->zs);
}

namespace {

std::error_code deflate_some(z_stream& z, std::vector<char>& buf, std::string_view in, int flush,
                             const byte_sink& out) {
  do {
    const std::size_t take = std::min(in.size(), chunk_max);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(take);
    const int mode = take == in.size() ? flush : Z_NO_FLUSH;
    int rc = Z_OK;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = static_cast<uInt>(buf.size());
      rc = deflate(&z, mode);
      if (rc == Z_STREAM_ERROR) return make_error_code(errc::io_error);
      const std::size_t produced = buf.size() - z.avail_out;
      if (produced != 0)
        if (auto ec = out(std::string_view(buf.data(), produced))) return ec;
    } while (z.avail_out == 0 || (mode == Z_FINISH && rc != Z_STREAM_END));
    in.remove_prefix(take);
  } while (!in.empty());
  return {};
}

std::error_code zstd_some(ZSTD_CStream* zs, std::vector<char>& buf, std::string_view in,
                          ZSTD_EndDirective mode, const byte_sink& out) {
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  for (;;) {
    ZSTD_outBuffer ob{buf.data(), buf.size(), 0};
    const std::size_t r = ZSTD_compressStream2(zs, &ob, &ib, mode);
    if (ZSTD_isError(r) != 0) return make_error_code(errc::io_error);
    if (ob.pos != 0)
      if (auto ec = out(std::string_view(buf.data(), ob.pos))) return ec;
    const bool done = mode == ZSTD_e_continue ? ib.pos == ib.size : r == 0;
    if (done) return {};
  }
}

}  // namespace

std::error_code compressor::write(std::string_view in, const byte_sink& out) {
  impl& s = *impl_;
  if (in.empty()) return {};
  switch (s.kind) {
    case compression::none: return out(in);
    case compression::gzip:
      if (!s.z_open) return make_error_code(errc::io_error);
      return deflate_some(s.z, s.buf, in, Z_NO_FLUSH, out);
    case compression::zstd:
      if (s.zs == nullptr) return make_error_code(errc::io_error);
      return zstd_some(s.zs, s.buf, in, ZSTD_e_continue, out);
  }
  return {};
}

std::error_code compressor::finish(const byte_sink& out) {
  impl& s = *impl_;
  switch (s.kind) {
    case compression::none: return {};
    case compression::gzip:
      if (!s.z_open) return make_error_code(errc::io_error);
      return deflate_some(s.z, s.buf, {}, Z_FINISH, out);
    case compression::zstd:
      if (s.zs == nullptr) return make_error_code(errc::io_error);
      return zstd_some(s.zs, s.buf, {}, ZSTD_e_end, out);
  }
  return {};
}

}  // namespace detail
}  // namespace dupstrip
