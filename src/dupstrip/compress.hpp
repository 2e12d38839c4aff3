// Streaming gzip (zlib) and zstd codecs behind one small interface, used by io.cpp (files in a
// folder, atomic output files) and jsonl.cpp (spooling a compressed JSONL stream). The only
// files that include <zlib.h> and <zstd.h> are compress.cpp and nothing else.
#pragma once

#include <dupstrip/io.hpp>

#include <functional>
#include <memory>
#include <string_view>
#include <system_error>

namespace dupstrip::detail {

/// Receives output bytes; returns an error to stop.
using byte_sink = std::function<std::error_code(std::string_view)>;

/// Decompresses a stream fed in arbitrary chunks. gzip streams may hold several members
/// (as `cat a.gz b.gz` makes); zstd streams several frames.
class decompressor {
 public:
  explicit decompressor(compression c);
  ~decompressor();
  decompressor(const decompressor&) = delete;
  decompressor& operator=(const decompressor&) = delete;
  /// Feeds compressed bytes; decompressed bytes go to `out`.
  std::error_code feed(std::string_view in, const byte_sink& out);
  /// The input ended: errc::bad_compressed_data when it stopped inside a frame or member.
  std::error_code finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Compresses a stream written in arbitrary chunks.
class compressor {
 public:
  explicit compressor(compression c);
  ~compressor();
  compressor(const compressor&) = delete;
  compressor& operator=(const compressor&) = delete;
  std::error_code write(std::string_view in, const byte_sink& out);
  /// Ends the stream (gzip trailer, zstd epilogue).
  std::error_code finish(const byte_sink& out);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dupstrip::detail
