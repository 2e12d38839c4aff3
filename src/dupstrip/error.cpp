// The `dupstrip` error category: turns errc values into messages, so that per-document failures
// ("invalid UTF-8", "binary file") and errno failures ("permission denied") travel as one
// std::error_code type up to the CLI, which is the only place that prints them.
#include "dupstrip/error.hpp"

#include <string>

namespace dupstrip {
namespace {

class category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "dupstrip"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "success";
      case errc::invalid_utf8: return "invalid UTF-8";
      case errc::binary_file: return "binary file (NUL byte)";
      case errc::empty_document: return "empty document";
      case errc::too_large: return "file too large";
      case errc::not_regular_file: return "not a regular file";
      case errc::io_error: return "input/output error";
      case errc::bad_format: return "malformed input";
      case errc::unsupported_version: return "unsupported format version";
      case errc::changed_during_run: return "file changed during the run";
      case errc::bad_compressed_data: return "corrupt or truncated compressed data";
      case errc::too_deep: return "web page nested too deeply (over 4096 open elements)";
    }
    return "unknown dupstrip error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace dupstrip
